//! Bringing up the other CPUs through PSCI `CPU_ON`, and the per-CPU set-up
//! every CPU does.

use crate::sched::SGI_RESCHEDULE;
use crate::start;
use crate::state::{KERNEL, Kernel, ns_to_ticks};
use alloc::boxed::Box;
use arch::IrqChip;
use arch::aarch64::entry::{SecondaryBoot, secondary_entry_point};
use arch::aarch64::{cpu, psci, stage2, vectors};
use kernel::board::Board;

/// Bytes of kernel stack per CPU.
const STACK_SIZE: usize = 64 * 1024;

/// Interrupt set-up each CPU does for itself.
pub fn init_this_cpu(k: &mut Kernel, index: usize) {
    k.gic.init_cpu(index);
    k.gic.enable(k.timer_intid, index, false);
    k.gic.enable(SGI_RESCHEDULE, index, true);
    if k.virt_if.version() != 0 {
        k.gic.enable(crate::vm::VTIMER_INTID, index, false);
        k.gic.enable(crate::vm::MAINTENANCE_INTID, index, false);
    }
}

/// Starts every CPU of the board but the boot CPU, waiting for each.
pub fn start_secondaries(board: &Board) {
    // SAFETY: written by the boot CPU before this point, read-only after.
    let (ttbr, tcr) = unsafe { start::KERNEL_MAP };
    let (conduit, hz) = {
        let k = KERNEL.lock();
        (k.psci, k.counter_hz)
    };
    for (index, &mpidr) in board.cpus.as_slice().iter().enumerate().skip(1) {
        let stack = alloc::vec![0u8; STACK_SIZE].leak();
        let stack_top = (stack.as_ptr() as usize + STACK_SIZE) & !15;
        KERNEL.lock().cpus[index].stack_top = stack_top;
        let record = Box::leak(Box::new(SecondaryBoot {
            stack_top: stack_top as u64,
            ttbr,
            tcr,
            argument: index as u64,
        }));
        let record_at = record as *const SecondaryBoot as usize;
        // The new CPU reads the record with its MMU off.
        cpu::clean_dcache_range(record_at, core::mem::size_of::<SecondaryBoot>());
        if let Err(e) = psci::cpu_on(conduit, mpidr, secondary_entry_point(), record_at) {
            log::warn!("qhv: CPU {index} (MPIDR {mpidr:#x}) did not start: PSCI {e:?}");
            continue;
        }
        let deadline = cpu::counter() + ns_to_ticks(5_000_000_000, hz);
        while !KERNEL.lock().cpus[index].online {
            if cpu::counter() > deadline {
                log::warn!("qhv: CPU {index} (MPIDR {mpidr:#x}) started but did not report in");
                break;
            }
            core::hint::spin_loop();
        }
    }
}

/// Where a secondary CPU enters Rust, with its MMU on and its stack set.
#[unsafe(no_mangle)]
extern "C" fn __kernel_secondary(index: usize) -> ! {
    cpu::set_per_cpu(index);
    vectors::install();
    cpu::init_el2(stage2::vtcr(cpu::pa_range()));
    let mut k = KERNEL.lock();
    init_this_cpu(&mut k, index);
    cpu::set_vttbr(k.null_vttbr);
    k.cpus[index].online = true;
    start::run(k, index)
}
