//! Secondary CPUs: start one with PSCI `CPU_ON` at `gs_secondary_entry`
//! (or, where the device tree says `enable-method = "spin-table"`, by its
//! release word at `gs_spin_entry`), on its own stack, with the boot
//! CPU's map, vectors and GIC interface, running a `fn(usize) -> !` with
//! its guest CPU number.

use crate::entry::{self, SecondaryBoot};
use crate::{MAX_CPUS, cpu, mmu, psci, timer};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};

struct Record(UnsafeCell<SecondaryBoot>);

// SAFETY: a CPU's record is written only by the CPU that starts it, before
// `CPU_ON`, and read by the started CPU afterwards.
unsafe impl Sync for Record {}

static RECORDS: [Record; MAX_CPUS] = [const {
    Record(UnsafeCell::new(SecondaryBoot {
        stack_top: 0,
        ttbr: 0,
        tcr: 0,
        mair: 0,
        sctlr: 0,
        cpu: 0,
        main: 0,
    }))
}; MAX_CPUS];
static ONLINE: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];

/// Why a CPU did not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartError {
    /// No such CPU in the device tree (or beyond [`MAX_CPUS`]).
    NoSuchCpu,
    /// It is the CPU asking, or it already runs.
    AlreadyOnline,
    /// PSCI refused.
    Psci(psci::Error),
    /// It did not report in within the time allowed.
    Timeout,
}

/// The number of CPUs the guest may use.
pub fn cpu_count() -> usize {
    entry::platform().cpus().len()
}

/// Whether guest CPU `cpu` has come up.
pub fn is_online(cpu: usize) -> bool {
    cpu == entry::platform().boot_cpu || ONLINE.get(cpu).is_some_and(|o| o.load(Ordering::SeqCst))
}

pub(crate) fn mark_online(cpu: usize) {
    if let Some(flag) = ONLINE.get(cpu) {
        flag.store(true, Ordering::SeqCst);
    }
    cpu::sev();
}

/// The stack slot of a CPU: the boot CPU has slot 0, so the CPU numbered 0
/// (if another one booted) takes the boot CPU's number.
fn stack_slot(cpu: usize) -> usize {
    let boot = entry::platform().boot_cpu;
    if cpu == boot {
        0
    } else if cpu == 0 {
        boot
    } else {
        cpu
    }
}

/// Starts guest CPU `cpu` (by PSCI `CPU_ON`, or from its spin table)
/// running `main(cpu)` and waits (up to five seconds of counter time)
/// until it has reported in.
pub fn start_cpu(cpu: usize, main: fn(usize) -> !) -> Result<(), StartError> {
    let platform = entry::platform();
    let &mpidr = platform.cpus().get(cpu).ok_or(StartError::NoSuchCpu)?;
    if is_online(cpu) {
        return Err(StartError::AlreadyOnline);
    }
    let stack_top = entry::stack_top(stack_slot(cpu)).ok_or(StartError::NoSuchCpu)?;
    let [ttbr, tcr, mair, sctlr] = mmu::registers();
    let record = RECORDS[cpu].0.get();
    // SAFETY: the CPU is not running, so nothing else uses its record.
    unsafe {
        *record = SecondaryBoot {
            stack_top: stack_top as u64,
            ttbr,
            tcr,
            mair,
            sctlr,
            cpu: cpu as u64,
            main: main as usize as u64,
        };
    }
    // The new CPU reads its record with the MMU off.
    arch::aarch64::cpu::clean_dcache_range(record as usize, size_of::<SecondaryBoot>());
    match platform.spin_table(cpu) {
        Some(release) => entry::release_from_spin_table(release, record as usize),
        None => psci::cpu_on(mpidr, entry::secondary_entry_point(), record as usize)
            .map_err(StartError::Psci)?,
    }
    let deadline = timer::counter() + 5 * timer::frequency();
    while !is_online(cpu) {
        if timer::counter() > deadline {
            return Err(StartError::Timeout);
        }
        core::hint::spin_loop();
    }
    Ok(())
}
