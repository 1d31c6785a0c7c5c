//! `shm_open`, `shm_map`, `shm_space_create`: named shared memory between
//! processes. Names are looked up only in the caller's namespace, which its
//! parent chose at spawn: a process reaches an object only through a
//! handle, and gets one only in a namespace a trusted party gave it.

use super::call::{Caller, copy_in};
use crate::hw::Arch;
use crate::process as proc;
use crate::space::{Space, zero_frame};
use crate::state::{Kernel, Object};
use abi::{Error, PAGE_SIZE, Rights, SHM_NAME_MAX, SysResult};
use alloc::string::String;
use alloc::vec::Vec;
use arch::Perms;
use arch::Translation;
use kernel::shm::{self, Shm};
use kernel::slab::Id;

/// Makes an object of `size` bytes (whole pages) of zeroed frames, with no
/// reference yet; on failure nothing is taken.
fn create(k: &mut Kernel, space: u64, name: &str, size: usize) -> Result<Id, Error> {
    let pages = size / PAGE_SIZE;
    if pages > k.frames.free_frames() {
        return Err(Error::NoMemory);
    }
    // The frame list is kernel heap in proportion to the size: keep the
    // heap's reserve.
    if !crate::heap::has_room(pages * core::mem::size_of::<usize>()) {
        return Err(Error::NoMemory);
    }
    let mut frames = Vec::new();
    frames
        .try_reserve_exact(pages)
        .map_err(|_| Error::NoMemory)?;
    for _ in 0..pages {
        match k.frames.alloc() {
            Some(pa) => {
                zero_frame(pa);
                frames.push(pa);
            }
            None => {
                for pa in frames {
                    let _ = k.frames.free(pa);
                }
                return Err(Error::NoMemory);
            }
        }
    }
    let mut owned = String::new();
    if owned.try_reserve_exact(name.len()).is_err() {
        for pa in frames {
            let _ = k.frames.free(pa);
        }
        return Err(Error::NoMemory);
    }
    owned.push_str(name);
    k.shms
        .insert(Shm::new(space, owned, frames))
        .map_err(|shm| {
            for pa in shm.into_frames() {
                let _ = k.frames.free(pa);
            }
            Error::NoMemory
        })
}

pub fn open(
    k: &mut Kernel,
    c: &Caller,
    name_ptr: usize,
    name_len: usize,
    size: usize,
) -> SysResult {
    let bytes = copy_in(k, c, name_ptr, name_len, SHM_NAME_MAX)?;
    let name = shm::check_name(&bytes)?;
    let size = shm::round_size(size)?;
    let space = k.processes.get(c.process).ok_or(Error::Fault)?.shm_space;
    let existing = k
        .shms
        .iter()
        .find(|(_, s)| s.is(space, name))
        .map(|(id, s)| (id, s.size()));
    crate::quota::shm(k, c.process, existing.map(|(id, _)| id))?;
    let id = match existing {
        Some((_, have)) if have != size => return Err(Error::InvalidArgument),
        Some((id, _)) => id,
        None => {
            crate::quota::mapped(k, c.process, size)?;
            create(k, space, name, size)?
        }
    };
    // The handle's reference first: if no slot is free, dropping it again
    // frees an object made just now.
    proc::retain(k, Object::Shm(id));
    let inserted = match k.processes.get_mut(c.process) {
        Some(p) => p.handles.insert(Object::Shm(id), Rights::ALL),
        None => Err(Error::BadHandle),
    };
    if inserted.is_err() {
        proc::release(k, Object::Shm(id));
    }
    inserted
}

/// The object `handle` names, for a mapping with `protection`: the
/// rights that needs, the caller's quota; and whether it is writable.
pub(super) fn to_map(
    k: &mut Kernel,
    c: &Caller,
    handle: usize,
    protection: usize,
) -> Result<(Id, bool), Error> {
    let write = shm::writable(protection)?;
    let needed = Rights::MAP
        | Rights::READ
        | if write {
            Rights::WRITE
        } else {
            Rights::empty()
        };
    let id = match k.handle(c.process, handle, needed)? {
        Object::Shm(id) => id,
        _ => return Err(Error::BadHandle),
    };
    crate::quota::shm(k, c.process, Some(id))?;
    Ok((id, write))
}

pub fn map(k: &mut Kernel, c: &Caller, handle: usize, va: usize, protection: usize) -> SysResult {
    let (id, write) = to_map(k, c, handle, protection)?;
    let frames = k.shms.get(id).ok_or(Error::BadHandle)?.frames();
    let len = Space::check_range(va, frames.len() * PAGE_SIZE)?;
    let p = k.processes.get_mut(c.process).ok_or(Error::Fault)?;
    let space = p.space.as_mut().ok_or(Error::Fault)?;
    if space.any_mapped(&mut k.frames, va, len) {
        return Err(Error::AlreadyMapped);
    }
    let perms = Perms {
        read: true,
        write,
        exec: false,
    };
    if let Err(e) = space.map_borrowed(&mut k.frames, va, frames, perms, false) {
        // The pages mapped before the failure are unmapped again, but
        // another thread of the caller may have cached them meanwhile:
        // drop them, since this process holds no reference that would
        // keep the frames until its teardown flush. The caller's space
        // is this CPU's current one.
        Arch::flush_active();
        return Err(e);
    }
    // One reference per process that ever mapped the object, dropped when
    // the process ends, after its TLB entries are flushed: mem_unmap does
    // not drop it.
    if !p.shms.contains(&id) {
        if p.shms.try_reserve(1).is_err() {
            let _ = space.unmap(&mut k.frames, va, len, true);
            return Err(Error::NoMemory);
        }
        p.shms.push(id);
        proc::retain(k, Object::Shm(id));
    }
    Ok(0)
}

pub fn space_create(k: &mut Kernel, c: &Caller) -> SysResult {
    let space = k.new_shm_space();
    k.processes
        .get_mut(c.process)
        .ok_or(Error::BadHandle)?
        .handles
        .insert(Object::ShmSpace(space), Rights::ALL)
}
