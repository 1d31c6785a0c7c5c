//! Guest accesses to the virtual GIC's distributor and redistributors,
//! emulated in the kernel (they are frequent: Linux touches them on every
//! interrupt enable and CPU start).

use crate::hw::{Arch, Frame};
use crate::state::Kernel;
use arch::{MmioAccess, Virtualization};
use kernel::slab::Id;
use kernel::vgic::regs::{GICD_SGIR, GICD_SGIR_SGIINTID_MASK};

/// Emulates the access if it is to the virtual GIC, completing it (the PC
/// stepped past); false otherwise.
pub fn emulate(
    k: &mut Kernel,
    cpu: usize,
    vcpu: Id,
    access: &MmioAccess,
    frame: &mut Frame,
) -> bool {
    let Some(v) = k.vcpus.get(vcpu) else {
        return false;
    };
    let (vm, index) = (v.vm, v.index);
    let Some((in_gicd, offset)) = k.vms.get(vm).and_then(|m| m.gic.locate(access.gpa)) else {
        return false;
    };
    let write = access.write;
    // The model must see what the guest acknowledged before it answers a
    // read of pending or active state or changes any state; other
    // accesses leave the list registers alone.
    let needs_sync = k
        .vms
        .get(vm)
        .and_then(|m| m.vgic.as_ref())
        .is_some_and(|g| {
            if in_gicd {
                g.gicd_needs_sync(offset, write)
            } else {
                g.gicr_needs_sync(offset, write)
            }
        });
    if needs_sync {
        super::switch::sync_live(k, cpu);
        super::switch::mark_stale(k, vcpu);
    }
    // Disjoint fields: the model (in the VM) and the vCPU's state.
    let (Some(vgic), Some(v)) = (
        k.vms.get_mut(vm).and_then(|m| m.vgic.as_mut()),
        k.vcpus.get_mut(vcpu),
    ) else {
        return false;
    };
    let (value, size) = (access.value, access.width as usize);
    let result = match (in_gicd, write) {
        (true, true) => vgic.gicd_write(index, offset, size, value).map(|()| 0),
        (true, false) => vgic.gicd_read(index, offset, size),
        (false, true) => vgic.gicr_write(index, offset, size, value).map(|()| 0),
        (false, false) => vgic.gicr_read(index, offset, size),
    };
    // An access the GIC does not support reads as zero and writes nothing.
    if access.write {
        Arch::step(frame, &mut v.arch);
    } else {
        Arch::complete_load(frame, &mut v.arch, access, result.unwrap_or(0));
    }
    // Enabling or setting an interrupt pending may have made it deliverable
    // to another vCPU, or to this one (its list registers are refilled
    // before it runs again).
    // A GICv2 GICD_SGIR write names its SGI (SGIINTID, bits [3:0]): its
    // targets get it in a free list register instead of a refill.
    let sgi = (in_gicd && write && offset == GICD_SGIR && vgic.version() == 2)
        .then_some(value as u32 & GICD_SGIR_SGIINTID_MASK);
    let kicks = vgic.take_kicks();
    super::switch::deactivate_dropped(vgic, &mut k.irqs.chip);
    for target in kicks.iter() {
        if target == index && sgi.is_none() {
            super::switch::mark_stale(k, vcpu);
        } else {
            crate::vm::deliver::kick_for(k, vm, target, sgi);
        }
    }
    true
}
