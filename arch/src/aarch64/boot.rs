//! Starting the kernel on each CPU at EL2: the map of all memory, the EL2
//! set-up, starting the other CPUs through PSCI `CPU_ON`, entering threads,
//! and powering off. The [`Boot`] half of the platform.

use super::entry::SecondaryBoot;
use super::psci::Conduit;
use super::trap_frame::TrapFrame;
use super::{Aarch64, cpu, mmu, stage2, vectors};
use crate::platform::{Boot, StartError};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicU8, Ordering};

/// Level-2 tables available to the kernel's identity map.
const MAP_L2_TABLES: usize = 32;

#[repr(C, align(4096))]
struct Tables(UnsafeCell<[[u64; 512]; 1 + MAP_L2_TABLES]>);
// SAFETY: written once by the boot CPU before the others start.
unsafe impl Sync for Tables {}
static MAP: Tables = Tables(UnsafeCell::new([[0; 512]; 1 + MAP_L2_TABLES]));

/// The records secondary CPUs start from, one per CPU index.
struct Records(UnsafeCell<[SecondaryBoot; super::gic::MAX_CPUS]>);
// SAFETY: each record is written once by the boot CPU before its CPU
// starts, and read only by that CPU.
unsafe impl Sync for Records {}
static RECORDS: Records = Records(UnsafeCell::new(
    [SecondaryBoot {
        stack_top: 0,
        ttbr: 0,
        tcr: 0,
        argument: 0,
    }; super::gic::MAX_CPUS],
));

/// The PSCI conduit the device tree names: [`NO_PSCI`], or a
/// [`Conduit`] as a `u8` (SMC until the tree is read: QEMU's and TF-A's).
static PSCI: AtomicU8 = AtomicU8::new(CONDUIT_SMC);
const NO_PSCI: u8 = 0;
const CONDUIT_SMC: u8 = 1;
const CONDUIT_HVC: u8 = 2;

/// TTBR0_EL2 and TCR_EL2 of the kernel's map.
#[derive(Clone, Copy, Debug)]
pub struct KernelMap {
    ttbr: u64,
    tcr: u64,
}

/// Started below EL2, at this level.
struct WrongLevel(u64);

impl core::fmt::Display for WrongLevel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "started at EL{}: this hypervisor must be entered at EL2; configure the boot firmware to leave the CPU in EL2 (hypervisor mode)",
            self.0
        )
    }
}

/// Records the PSCI conduit, `None` for a board without PSCI (the
/// Raspberry Pi 4: its CPUs start from spin tables, and an SMC would land
/// in no firmware, or be undefined).
pub fn set_conduit(conduit: Option<Conduit>) {
    let value = match conduit {
        None => NO_PSCI,
        Some(Conduit::Smc) => CONDUIT_SMC,
        Some(Conduit::Hvc) => CONDUIT_HVC,
    };
    PSCI.store(value, Ordering::Relaxed);
}

fn conduit() -> Option<Conduit> {
    match PSCI.load(Ordering::Relaxed) {
        CONDUIT_SMC => Some(Conduit::Smc),
        CONDUIT_HVC => Some(Conduit::Hvc),
        _ => None,
    }
}

/// Fills the map's tables (only the boot CPU calls this, once).
fn build_map(ram: &[(usize, usize)], fine: &[(usize, usize)], el2: bool) -> u64 {
    // SAFETY: only the boot CPU runs, and nothing uses these tables yet.
    let tables = unsafe { &mut *MAP.0.get() };
    let (l1, rest) = tables.split_at_mut(1);
    let mut l2: heapless::Vec<&mut [u64; 512], MAP_L2_TABLES> = rest.iter_mut().collect();
    mmu::build_identity(&mut l1[0], &mut l2, ram, fine, false, el2);
    l1[0].as_ptr() as u64
}

impl Boot for Aarch64 {
    type KernelMap = KernelMap;

    fn init_cpu(index: usize) {
        cpu::set_per_cpu(index);
        vectors::install();
        cpu::init_el2(stage2::vtcr(cpu::pa_range()));
    }

    fn map_all_memory(ram: &[(usize, usize)], fine: &[(usize, usize)]) -> KernelMap {
        let ttbr = build_map(ram, fine, true);
        // SAFETY: the new map agrees with the boot map on the image and the
        // device tree (2 MiB blocks of Normal memory in both).
        unsafe { mmu::switch_el2(ttbr) };
        KernelMap {
            ttbr,
            tcr: mmu::tcr_el2(cpu::pa_range()),
        }
    }

    fn map_all_memory_unprivileged(ram: &[(usize, usize)], fine: &[(usize, usize)]) {
        let ttbr = build_map(ram, fine, false);
        // SAFETY: the new map agrees with the boot map on everything in use.
        unsafe { mmu::switch_el1(ttbr) };
    }

    fn wrong_level_advice(level: u64) -> impl core::fmt::Display {
        WrongLevel(level)
    }

    fn boot_stack_top() -> usize {
        super::entry::boot_stack_top()
    }

    fn start_cpu(
        hw_id: u64,
        release: Option<usize>,
        stack_top: usize,
        map: KernelMap,
        index: usize,
    ) -> Result<(), StartError> {
        if index == 0 || index >= super::gic::MAX_CPUS {
            return Err(StartError(i64::from(
                smccc::psci::error::INVALID_PARAMETERS,
            )));
        }
        // SAFETY: only the boot CPU starts CPUs, one at a time; CPU `index`
        // has not started, so nothing else reads its record.
        let record = unsafe { &mut (*RECORDS.0.get())[index] };
        *record = SecondaryBoot {
            stack_top: stack_top as u64,
            ttbr: map.ttbr,
            tcr: map.tcr,
            argument: index as u64,
        };
        // The new CPU reads its record once, with its MMU off.
        let record_at = record as *const SecondaryBoot as usize;
        cpu::clean_dcache_range(record_at, core::mem::size_of::<SecondaryBoot>());
        if let Some(release) = release {
            // SAFETY: the tree gives `release` as this CPU's spin-table
            // word, in RAM the kernel maps and keeps (the firmware's
            // reserved page); the CPU is still spinning on it.
            unsafe { super::entry::release_from_spin_table(release, record_at) };
            return Ok(());
        }
        let Some(conduit) = conduit() else {
            return Err(StartError(i64::from(smccc::psci::error::NOT_SUPPORTED)));
        };
        super::psci::cpu_on(
            conduit,
            hw_id,
            super::entry::secondary_entry_point(),
            record_at,
        )
        .map_err(|e| StartError(i64::from(e)))
    }

    unsafe fn enter(frame: *mut TrapFrame) -> ! {
        // SAFETY: the caller guarantees the frame is the stack-top slot.
        unsafe { vectors::enter(frame) }
    }

    fn power_off() -> &'static str {
        match conduit() {
            Some(conduit) => {
                super::psci::system_off(conduit);
                "PSCI SYSTEM_OFF returned"
            }
            None => "no PSCI in the device tree",
        }
    }
}
