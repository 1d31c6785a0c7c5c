//! `vm_map_device`: a granted device region into a VM's stage 2
//! (pass-through). The region is then the VM's: not the owning process's
//! own space's, nor another VM's, until the VM ends (`kernel::devices`).

use super::call::Caller;
use super::device::grants_of;
use crate::hw::Arch;
use crate::state::{Kernel, Object};
use abi::{Error, Rights, SysResult, guest_range_ok};
use arch::Translation;
use kernel::devices::Holder;

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
    let (start, end) = k
        .devices
        .list
        .get(index)
        .ok_or(Error::InvalidArgument)?
        .pages();
    let len = end - start;
    if !gpa.is_multiple_of(abi::PAGE_SIZE) || !guest_range_ok(gpa as u64, len as u64) {
        return Err(Error::InvalidArgument);
    }
    let grants = grants_of(k, c)?;
    let who = Holder::Vm(vm);
    let held = k.devices.holder(index) == Some(who);
    let space = &mut k.vms.get_mut(vm).ok_or(Error::BadHandle)?.space;
    if space.any_mapped(&mut k.frames, gpa, len) {
        return Err(Error::AlreadyMapped);
    }
    k.devices.take(index, who, &grants)?;
    let mapped = crate::device::map_pages(space, &mut k.frames, (start, end), gpa, false);
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
