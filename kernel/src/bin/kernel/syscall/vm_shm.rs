//! `vm_map_shm`: a shared memory object's pages in a VM's guest-physical
//! space (`vdev shmem`: one region seen by several VMs, each run by its
//! own `qvm`). The caller keeps a reference to the object until it ends;
//! its VMs, whose stage 2 borrows the frames, are destroyed before that
//! reference goes (`process::teardown`).

use super::call::Caller;
use crate::process as proc;
use crate::state::{Kernel, Object};
use abi::{Error, SysResult};
use arch::Perms;

/// Maps the whole object `handle` at guest-physical `gpa` (page-aligned,
/// inside the guest range, nothing mapped there yet) of VM `vm`, readable
/// and, with `prot::WRITE`, writable by the guest; never executable.
pub fn map(
    k: &mut Kernel,
    c: &Caller,
    vm: usize,
    handle: usize,
    gpa: usize,
    protection: usize,
) -> SysResult {
    let vm = super::vm::vm_of(k, c, vm)?;
    let (id, write) = super::shm::to_map(k, c, handle, protection)?;
    let len = k.shms.get(id).ok_or(Error::BadHandle)?.size();
    if !gpa.is_multiple_of(abi::PAGE_SIZE) || !abi::guest_range_ok(gpa as u64, len as u64) {
        return Err(Error::InvalidArgument);
    }
    // The process's reference first (as `shm_map` takes one), so that
    // the frames outlive the VM's mapping whatever happens next.
    let p = k.processes.get_mut(c.process).ok_or(Error::Fault)?;
    if !p.shms.contains(&id) {
        p.shms.try_reserve(1).map_err(|_| Error::NoMemory)?;
        p.shms.push(id);
        proc::retain(k, Object::Shm(id));
    }
    let frames = k.shms.get(id).ok_or(Error::BadHandle)?.frames();
    let m = k.vms.get_mut(vm).ok_or(Error::BadHandle)?;
    if m.space.any_mapped(&mut k.frames, gpa, len) {
        return Err(Error::AlreadyMapped);
    }
    let perms = Perms {
        read: true,
        write,
        exec: false,
    };
    // A failure unmaps the pages mapped so far without TLB maintenance: a
    // vCPU may still reach them through a cached entry, but the frames
    // stay the object's (the caller's reference above) until its VMs are
    // destroyed and flushed.
    m.space
        .map_borrowed(&mut k.frames, gpa, frames, perms, false)?;
    Ok(0)
}
