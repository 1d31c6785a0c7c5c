//! Physical interrupts taken by the kernel: the EL2 timer, console input and
//! the reschedule SGI.

use crate::sched::{self, SGI_RESCHEDULE, Wake};
use crate::state::Kernel;
use arch::IrqChip;

/// Most console input kept unread.
const INPUT_LIMIT: usize = 4096;

/// Handles every interrupt pending at this CPU.
pub fn handle_pending(k: &mut Kernel, cpu: usize) {
    while let Some(raw) = k.gic.acknowledge() {
        let intid = raw & 0x3ff;
        if intid == k.timer_intid {
            sched::on_timer(k, cpu);
        } else if Some(intid) == k.uart_intid {
            console_input(k);
        } else if intid == SGI_RESCHEDULE {
            k.cpus[cpu].need_resched = true;
        } else if intid == crate::vm::VTIMER_INTID {
            virtual_timer(k, cpu);
        }
        k.gic.end_of_interrupt(raw);
    }
}

/// The loaded guest's virtual timer fired: mask it (the guest's handler
/// reprograms it) and make its interrupt pending on the vCPU.
fn virtual_timer(k: &mut Kernel, cpu: usize) {
    // SAFETY: the loaded guest's timer; setting IMASK stops the line.
    unsafe {
        core::arch::asm!(
            "mrs {t}, cntv_ctl_el0",
            "orr {t}, {t}, #2",
            "msr cntv_ctl_el0, {t}",
            "isb",
            t = out(reg) _,
        )
    };
    if let Some(vcpu) = k.cpus[cpu].loaded_vcpu {
        crate::vm::raise_vtimer(k, vcpu);
    }
}

fn console_input(k: &mut Kernel) {
    let mut got = false;
    while let Some(byte) = crate::console::read_byte() {
        if k.console_input.len() < INPUT_LIMIT {
            k.console_input.push_back(byte);
            got = true;
        }
    }
    if got {
        while let Some(tid) = k.console_waiters.pop_front() {
            sched::wake(k, tid, Wake::Restart);
        }
    }
}
