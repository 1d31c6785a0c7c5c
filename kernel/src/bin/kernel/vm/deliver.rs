//! Virtual interrupt delivery: making a vCPU notice what the vGIC model
//! now has pending for it. The model (`kernel::vgic`) decides what is
//! pending and for whom; this glue marks the vCPU's list registers stale
//! and wakes it from WFI or interrupts the CPU it runs on. Every source
//! goes through [`kick`]: a vdev's line (`vm_irq_line`), an SGI, the
//! virtual timer, a distributor write.

use crate::sched::{self, Wake};
use crate::state::{Block, Kernel};
use kernel::slab::Id;

use super::{VTIMER_INTID, switch};

/// Makes vCPU `index` of `vm` notice a new pending interrupt: wakes it from
/// WFI, or interrupts the CPU it runs on.
pub fn kick(k: &mut Kernel, vm: Id, index: usize) {
    let Some(vcpu) = k
        .vms
        .get(vm)
        .and_then(|m| m.vcpus.get(index).copied().flatten())
    else {
        return;
    };
    switch::mark_stale(k, vcpu);
    let Some(runner) = k.vcpus.get(vcpu).and_then(|v| v.runner) else {
        return;
    };
    match k.threads.get(runner).map(|t| t.state) {
        Some(crate::state::ThreadState::Blocked(Block::Wfi)) => {
            sched::wake(k, runner, Wake::Resume)
        }
        Some(crate::state::ThreadState::Running(c)) if c != crate::percpu::this_cpu() => {
            k.gic_send_reschedule(c);
        }
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
    for index in targets.iter() {
        kick(k, vm, index);
    }
}

/// Makes the virtual timer interrupt pending on `vcpu` and wakes it.
pub fn raise_vtimer(k: &mut Kernel, vcpu: Id) {
    let Some(v) = k.vcpus.get(vcpu) else { return };
    let (vm, index) = (v.vm, v.index);
    if let Some(vgic) = k.vms.get_mut(vm).and_then(|m| m.vgic.as_mut()) {
        vgic.raise_private(index, VTIMER_INTID);
    }
    kick(k, vm, index);
}
