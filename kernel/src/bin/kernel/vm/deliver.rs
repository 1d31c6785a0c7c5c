//! Virtual interrupt delivery: making a vCPU notice what the vGIC model
//! now has pending for it. The model (`kernel::vgic`) decides what is
//! pending and for whom; this glue lists it or marks the vCPU's list
//! registers stale, and wakes it from WFI or interrupts the CPU it runs
//! on. Every source goes through [`kick_for`]: a vdev's line
//! (`vm_irq_line`), a passed-through interrupt, an SGI (GICv3 ICC_SGI1R,
//! GICv2 GICD_SGIR) and the virtual timer name their interrupt, so that a
//! vCPU loaded on this CPU gets it in a free list register at once, and
//! one running on another CPU before its next entry, instead of a full
//! refill; a distributor write that enables or sets pending names none.

use crate::sched::{self, Wake};
use crate::state::{Block, Kernel, ThreadState};
use kernel::slab::Id;

use super::{VTIMER_INTID, appends, switch};

/// Makes vCPU `index` of `vm` notice a new pending interrupt, `intid` if
/// known: wakes it from WFI, or interrupts the CPU it runs on. A known
/// interrupt for a vCPU loaded on this CPU goes straight into a free list
/// register (`appends::append_loaded`); one for a vCPU running on another
/// CPU is kept for that CPU to list (`appends::append_remote`). Otherwise
/// (or `None`) the vCPU's list registers are refilled before it runs.
pub fn kick_for(k: &mut Kernel, vm: Id, index: usize, intid: Option<u32>) {
    let Some(vcpu) = k
        .vms
        .get(vm)
        .and_then(|m| m.vcpus.get(index).copied().flatten())
    else {
        return;
    };
    kick_vcpu(k, vcpu, intid);
}

/// [`kick_for`] for a vCPU known by its id. A vCPU running on another
/// CPU with its list registers current has `intid` kept for that CPU to
/// append (`appends::append_remote`) rather than a full refill.
fn kick_vcpu(k: &mut Kernel, vcpu: Id, intid: Option<u32>) {
    let here = crate::percpu::this_cpu();
    let runner = k.vcpus.get(vcpu).and_then(|v| v.runner);
    let state = runner.and_then(|r| k.threads.get(r)).map(|t| t.state);
    let listed = intid.is_some_and(|intid| match state {
        Some(ThreadState::Running(c)) if c != here => appends::append_remote(k, c, vcpu, intid),
        _ => appends::append_loaded(k, vcpu, intid),
    });
    if !listed {
        switch::mark_stale(k, vcpu);
    }
    match (runner, state) {
        (Some(runner), Some(ThreadState::Blocked(Block::Wfi))) => {
            sched::wake(k, runner, Wake::Resume)
        }
        (_, Some(ThreadState::Running(c))) if c != here => k.gic_send_reschedule(c),
        // Running here: the refill before its next entry (in this pass
        // through the kernel, or its runner's next `vcpu_run`) sees it.
        _ => {}
    }
}

/// Delivers an SGI the guest wrote to ICC_SGI1R_EL1.
pub fn send_sgi(k: &mut Kernel, vcpu: Id, value: u64) {
    let Some(v) = k.vcpus.get(vcpu) else { return };
    let (vm, from) = (v.vm, v.index);
    let targets = match k.vms.get_mut(vm).and_then(|m| m.vgic.as_mut()) {
        Some(vgic) => vgic.write_sgi1r(from, value),
        None => return,
    };
    // ICC_SGI1R_EL1.INTID, bits [27:24]: the sender gets it in a free
    // list register now, a target running on another CPU there before its
    // next entry, any other at its next refill.
    let sgi = ((value >> 24) & 0xf) as u32;
    for index in targets.iter() {
        kick_for(k, vm, index, Some(sgi));
    }
}

/// The virtual timer of `vcpu` asserts its output (its deadline passed,
/// enabled and unmasked): its interrupt's line goes high in the virtual
/// GIC, a level, so an interrupt already pending or being handled is not
/// made pending again; the line is sampled again when the guest has
/// deactivated it (`switch::sync_live`) or the vCPU is loaded. While it is
/// high the timer's PPI must be masked on the CPU the vCPU is loaded on
/// (the timer keeps asserting it): a caller with the vCPU loaded masks it
/// (`switch::mask_vtimer`), a load does it otherwise. Kicks the vCPU if the
/// interrupt became deliverable, and returns whether it did.
#[inline]
pub fn vtimer_fired(k: &mut Kernel, vcpu: Id) -> bool {
    let Some(v) = k.vcpus.get(vcpu) else {
        return false;
    };
    let (vm, index) = (v.vm, v.index);
    let deliverable = k
        .vms
        .get_mut(vm)
        .and_then(|m| m.vgic.as_mut())
        .is_some_and(|vgic| vgic.set_private_line(index, VTIMER_INTID, true));
    if deliverable {
        kick_vcpu(k, vcpu, Some(VTIMER_INTID));
    }
    deliverable
}
