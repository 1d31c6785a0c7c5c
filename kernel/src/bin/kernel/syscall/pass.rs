//! Pass-through: `vm_map_device` puts a granted device region into a VM's
//! stage 2 (then the VM's: not the owning process's own space's, nor
//! another VM's, until the VM ends, `kernel::devices`); `vm_irq_pass`
//! binds a granted interrupt to one of the VM's SPIs.

use super::call::Caller;
use super::device::grants_of;
use crate::hw::Arch;
use crate::state::{Kernel, Object};
use abi::{Error, Rights, SysResult, guest_range_ok};
use arch::Translation;
use kernel::devices::{FIRST_SPI, Holder, check_irq};

pub fn vm_map_device(
    k: &mut Kernel,
    c: &Caller,
    handle: usize,
    index: usize,
    gpa: usize,
) -> SysResult {
    let Object::Vm(vm) = k.handle(c.process, handle, Rights::KILL)? else {
        return Err(Error::BadHandle);
    };
    let region = k.devices.list.get(index).ok_or(Error::InvalidArgument)?;
    let memory = crate::device::Memory::of(region, true);
    let (start, end) = region.pages();
    let len = end - start;
    if !gpa.is_multiple_of(abi::PAGE_SIZE) || !guest_range_ok(gpa as u64, len as u64) {
        return Err(Error::InvalidArgument);
    }
    let grants = grants_of(k, c)?;
    // A device region is the VM's alone; RAM set aside is its owner's,
    // which maps it into itself too (to load the guest, `qvm`).
    let who = match memory {
        crate::device::Memory::Device => Holder::Vm(vm),
        _ => Holder::Process(c.process),
    };
    let held = k.devices.holder(index) == Some(who);
    let space = &mut k.vms.get_mut(vm).ok_or(Error::BadHandle)?.space;
    if space.any_mapped(&mut k.frames, gpa, len) {
        return Err(Error::AlreadyMapped);
    }
    k.devices.take(index, who, &grants)?;
    let mapped = crate::device::map_pages(space, &mut k.frames, (start, end), gpa, false, memory);
    if mapped.is_err() {
        // A vCPU on another CPU may have cached a page mapped before the
        // failure: drop the VM's TLB entries before the region can go to
        // another holder.
        let running = Arch::active();
        Arch::activate(space.root());
        Arch::flush_active();
        Arch::activate(running);
        if !held {
            k.devices.untake(index, who);
        }
    }
    mapped.map(|()| len)
}

/// `vm_irq_pass(vm, intid, virq)`: granted physical SPI `intid` raises the
/// VM's SPI `virq`, hardware-backed (`vm::passthrough`); until the caller
/// ends, and no other holder's meanwhile.
pub fn vm_irq_pass(
    k: &mut Kernel,
    c: &Caller,
    handle: usize,
    intid: usize,
    virq: usize,
) -> SysResult {
    let Object::Vm(vm) = k.handle(c.process, handle, Rights::KILL)? else {
        return Err(Error::BadHandle);
    };
    let intid = u32::try_from(intid).map_err(|_| Error::InvalidArgument)?;
    let virq = u32::try_from(virq).map_err(|_| Error::InvalidArgument)?;
    let grants = grants_of(k, c)?;
    check_irq(intid, &k.devices.kernel_irqs, &grants)?;
    if k.devices.lines.get(intid).is_some() {
        return Err(Error::Busy);
    }
    let spis = k.vms.get(vm).and_then(|m| m.config).map_or(0, |c| c.spis);
    if virq < FIRST_SPI || virq >= FIRST_SPI.saturating_add(spis as u32) {
        return Err(Error::InvalidArgument);
    }
    let vgic = k
        .vms
        .get_mut(vm)
        .and_then(|m| m.vgic.as_mut())
        .ok_or(Error::InvalidArgument)?;
    vgic.bind_hw(virq, intid)?;
    let attached = k
        .devices
        .lines
        .attach_to_vm(intid, c.process, c.cpu, (vm, virq));
    if let Err(e) = attached {
        if let Some(g) = k.vms.get_mut(vm).and_then(|m| m.vgic.as_mut()) {
            g.unbind_hw(virq);
        }
        return Err(e);
    }
    crate::device::unmask(k, intid, c.cpu);
    Ok(0)
}
