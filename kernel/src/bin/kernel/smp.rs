//! Bringing up the other CPUs (the platform starts them: PSCI `CPU_ON` on
//! ARM), and the per-CPU set-up every CPU does.

use crate::hw::{Arch, KernelMap};
use crate::percpu::SGI_RESCHEDULE;
use crate::state::{KERNEL, Kernel, ns_to_ticks};
use arch::{Boot, Cpu, IrqChip, Translation};
use kernel::board::Board;

/// The kernel's map of all memory, set by the boot CPU, for the others.
pub static KERNEL_MAP: spin::Once<KernelMap> = spin::Once::new();

/// Bytes of kernel stack per CPU.
const STACK_SIZE: usize = 64 * 1024;

/// Interrupt set-up each CPU does for itself.
pub fn init_this_cpu(k: &mut Kernel, index: usize) {
    k.irqs.chip.init_cpu(index);
    k.irqs.chip.enable(k.irqs.timer, index, false);
    k.irqs.chip.enable(SGI_RESCHEDULE, index, true);
    if k.irqs.guest_gic() {
        k.irqs.chip.enable(crate::vm::VTIMER_INTID, index, false);
        k.irqs
            .chip
            .enable(crate::vm::MAINTENANCE_INTID, index, false);
    }
}

/// Starts every CPU of the board but the boot CPU, waiting for each.
pub fn start_secondaries(board: &Board) {
    let Some(&map) = KERNEL_MAP.get() else {
        return;
    };
    let hz = KERNEL.lock().counter_hz;
    for (index, &mpidr) in board.cpus.as_slice().iter().enumerate().skip(1) {
        let stack = alloc::vec![0u8; STACK_SIZE].leak();
        let stack_top = (stack.as_ptr() as usize + STACK_SIZE) & !15;
        KERNEL.lock().cpus[index].stack_top = stack_top;
        let release = board.cpu_release.get(index).copied().flatten();
        if let Err(e) = Arch::start_cpu(mpidr, release, stack_top, map, index) {
            log::warn!(
                "qhv: CPU {index} (MPIDR {mpidr:#x}) did not start: firmware error {}",
                e.0
            );
            continue;
        }
        let deadline = Arch::counter() + ns_to_ticks(5_000_000_000, hz);
        while !KERNEL.lock().cpus[index].online {
            if Arch::counter() > deadline {
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
    Arch::init_cpu(index);
    let mut k = KERNEL.lock();
    init_this_cpu(&mut k, index);
    Arch::activate(k.null_root);
    k.cpus[index].online = true;
    crate::resume::run(k, index)
}
