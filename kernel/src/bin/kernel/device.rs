//! Devices for host drivers, the kernel's side: an attached interrupt's
//! arrival (masked at the interrupt controller, its waiters woken) and
//! what an ended process gives back (its device regions and interrupts).
//! The bookkeeping is `kernel::devices`; the calls are
//! `syscall/device.rs`.

use crate::sched;
use crate::state::{Kernel, Object};
use arch::IrqChip;
use kernel::devices::Holder;
use kernel::slab::Id;

/// Interrupt `intid` arrived: if a host driver attached it, it is masked
/// at the controller (a level line stays asserted until the driver clears
/// its device's cause) and the driver's waiting threads wake. Whether it
/// was attached.
pub fn fired(k: &mut Kernel, intid: u32) -> bool {
    let Some(line) = k.devices.lines.arrived(intid) else {
        return false;
    };
    k.irqs.chip.disable(intid, line.cpu);
    sched::wake_object_waiters(k, Object::Irq(intid));
    true
}

/// Lets attached interrupt `intid` arrive again (routed to `cpu`).
pub fn unmask(k: &mut Kernel, intid: u32, cpu: usize) {
    // Level-triggered: the devices the tree describes on the boards the
    // kernel runs on signal by level.
    k.irqs.chip.enable(intid, cpu, false);
}

/// Gives back what the ended `process` held: its interrupts (disabled at
/// the controller) and its device regions (its space is gone and its TLB
/// entries flushed). Allocates nothing.
pub fn release_process(k: &mut Kernel, process: Id) {
    while let Some(line) = k.devices.lines.detach_one(process) {
        k.irqs.chip.disable(line.intid, line.cpu);
        // No thread of an ended process waits; a stale entry goes.
        k.object_waiters
            .retain(|&(o, _)| o != Object::Irq(line.intid));
    }
    k.devices.release(Holder::Process(process));
}
