//! Listing a newly pending interrupt without a full sync and refill of
//! the list registers (`kernel::vgic::append`): into the registers of a
//! vCPU loaded on this CPU at once, or kept for the CPU another vCPU runs
//! on, which lists it before its next entry (`entry::prepare_entry`).

use crate::state::Kernel;
use arch::VirtualCpuInterface;
use kernel::slab::Id;

/// Keeps `intid`, just made pending for `vcpu`, for the CPU `vcpu` is
/// loaded on (`cpu_index`, not this one) to append before its next entry
/// (`entry::prepare_entry`), if its list registers are current and there is room.
/// Whether it did; if not, the caller marks the vCPU stale. The caller
/// kicks that CPU either way.
pub fn append_remote(k: &mut Kernel, cpu_index: usize, vcpu: Id, intid: u32) -> bool {
    if k.cpus.get(cpu_index).and_then(|c| c.loaded_vcpu) != Some(vcpu) {
        return false;
    }
    match k.vcpus.get_mut(vcpu) {
        Some(v) if !v.lrs_stale && !v.lrs_overflow => {
            v.appends.contains(&intid) || v.appends.push(intid).is_ok()
        }
        _ => false,
    }
}

/// Lists `intid`, just made pending for `vcpu`, straight into a free list
/// register if `vcpu` is loaded on this CPU (running, parked or between
/// the two) with its list registers current (no refill due): the model
/// picks the slot after those it last wrote (`VGic::append_lr`). Whether
/// it did; if not, the caller marks the vCPU stale for a full refill.
pub fn append_loaded(k: &mut Kernel, vcpu: Id, intid: u32) -> bool {
    if k.cpus[crate::percpu::this_cpu()].loaded_vcpu != Some(vcpu) {
        return false;
    }
    let Some(v) = k.vcpus.get(vcpu).filter(|v| !v.lrs_stale) else {
        return false;
    };
    let (vm, index, n) = (v.vm, v.index, k.irqs.lr_count);
    let Some(vif) = k.irqs.virt_if.as_ref() else {
        return false;
    };
    let appended = k
        .vms
        .get_mut(vm)
        .and_then(|m| m.vgic.as_mut())
        .and_then(|vgic| vgic.append_lr(index, intid, n));
    if let Some((slot, value)) = appended {
        vif.write_lr(slot, value);
    }
    appended.is_some()
}

/// Lists the interrupts another CPU kept for the loaded `vcpu`
/// (`append_remote`) in free list registers, or in ones the guest has
/// emptied (`VGic::append_lr_reusing`). Whether all went in; if not, the
/// caller does the full sync and refill, which lists the rest.
pub fn append_kept(k: &mut Kernel, vcpu: Id, appends: &[u32]) -> bool {
    let Some(vif) = k.irqs.virt_if.as_ref() else {
        return false;
    };
    let Some(v) = k.vcpus.get(vcpu) else {
        return false;
    };
    let (vm, index, n) = (v.vm, v.index, k.irqs.lr_count);
    let Some(vgic) = k.vms.get_mut(vm).and_then(|m| m.vgic.as_mut()) else {
        return false;
    };
    let mut empty = vif.empty_lrs();
    for &intid in appends {
        match vgic.append_lr_reusing(index, intid, n, empty) {
            Some((slot, value)) => {
                vif.write_lr(slot, value);
                empty &= !(1 << slot);
            }
            None => return false,
        }
    }
    true
}
