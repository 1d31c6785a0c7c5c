//! Per-process quotas (`abi::quota`): each check counts what the process
//! holds now and refuses with `Error::Limit` a call that would go past its
//! quota. Counting, not caching: nothing to get out of step when objects
//! end.

use crate::state::{Kernel, Object};
use abi::{Error, PAGE_SIZE, quota};
use kernel::slab::Id;

fn limit(ok: bool) -> Result<(), Error> {
    if ok { Ok(()) } else { Err(Error::Limit) }
}

/// One more VM.
pub fn vm(k: &Kernel, process: Id) -> Result<(), Error> {
    let p = k.processes.get(process).ok_or(Error::BadHandle)?;
    limit(p.vms.len() < quota::VMS)
}

/// `more` vCPUs over all the process's VMs.
pub fn vcpus(k: &Kernel, process: Id, more: usize) -> Result<(), Error> {
    let p = k.processes.get(process).ok_or(Error::BadHandle)?;
    let have: usize = p
        .vms
        .iter()
        .filter_map(|&vm| k.vms.get(vm))
        .map(|m| m.vcpus.len())
        .sum();
    limit(have.saturating_add(more) <= quota::VCPUS)
}

/// One more thread.
pub fn thread(k: &Kernel, process: Id) -> Result<(), Error> {
    let p = k.processes.get(process).ok_or(Error::BadHandle)?;
    limit(p.threads.len() < quota::THREADS)
}

/// One more live child.
pub fn child(k: &Kernel, process: Id) -> Result<(), Error> {
    let pid = k.processes.get(process).ok_or(Error::BadHandle)?.pid;
    let children = k
        .processes
        .iter()
        .filter(|(_, p)| p.parent == pid && p.space.is_some())
        .count();
    limit(children < quota::CHILDREN)
}

/// Access to shared memory object `shm` (a new handle or mapping): fine if
/// the process already holds it, else it must be under its quota of
/// objects.
pub fn shm(k: &Kernel, process: Id, shm: Option<Id>) -> Result<(), Error> {
    let p = k.processes.get(process).ok_or(Error::BadHandle)?;
    let held = |id: Id| p.shms.contains(&id) || p.handles.objects().any(|o| o == Object::Shm(id));
    if shm.is_some_and(held) {
        return Ok(());
    }
    // Distinct objects: mapped ones, then handles to ones not mapped (a
    // handle counted once even if duplicated). Counting stops at the quota,
    // so one pass over the handles costs at most SHM_OBJECTS comparisons
    // a handle.
    let mut seen = [None; quota::SHM_OBJECTS];
    let mut count = 0;
    let objects = p
        .shms
        .iter()
        .copied()
        .chain(p.handles.objects().filter_map(|o| match o {
            Object::Shm(id) => Some(id),
            _ => None,
        }));
    for id in objects {
        if seen[..count].contains(&Some(id)) {
            continue;
        }
        if count == quota::SHM_OBJECTS {
            return Err(Error::Limit);
        }
        seen[count] = Some(id);
        count += 1;
    }
    limit(count < quota::SHM_OBJECTS)
}

/// `bytes` more of fresh memory mapped by the process, in its own space or
/// its VMs'.
pub fn mapped(k: &Kernel, process: Id, bytes: usize) -> Result<(), Error> {
    let p = k.processes.get(process).ok_or(Error::BadHandle)?;
    let own = p.space.as_ref().map_or(0, |s| s.pages);
    let vms: usize = p
        .vms
        .iter()
        .filter_map(|&vm| k.vms.get(vm))
        .map(|m| m.space.pages)
        .sum();
    let have = (own + vms).saturating_mul(PAGE_SIZE);
    limit(have.saturating_add(bytes) <= quota::MAPPED_BYTES)
}
