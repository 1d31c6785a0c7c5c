//! `exit`, `process_spawn`, `process_wait`, `process_kill`, `handle_close`,
//! `handle_dup`.

use super::call::{Caller, Outcome, copy_in, copy_str};
use crate::process as proc;
use crate::sched;
use crate::state::{Block, Kernel, Object};
use abi::{Error, Rights, SysResult};

/// Longest bootfs path accepted.
pub const MAX_PATH: usize = 256;

pub fn exit(k: &mut Kernel, c: &Caller, status: usize) -> SysResult {
    proc::kill(k, c.process, status);
    Ok(0)
}

/// `process_spawn(path, path_len, args, args_len, shm_space, grants)`:
/// all six argument registers.
pub fn spawn(k: &mut Kernel, c: &Caller, a: [usize; 6]) -> SysResult {
    let [path, path_len, args, args_len, shm_space, grants] = a;
    let path = copy_str(k, c, path, path_len, MAX_PATH)?;
    let args = copy_in(k, c, args, args_len, proc::MAX_ARGS)?;
    let grants = super::device::spawn_grants(k, c, grants)?;
    crate::quota::child(k, c.process)?;
    let (parent, own_space) = k
        .processes
        .get(c.process)
        .map_or((0, 0), |p| (p.pid, p.shm_space));
    let space = match shm_space {
        abi::SHM_SPACE_PRIVATE => None,
        abi::SHM_SPACE_SAME => Some(own_space),
        handle => match k.handle(c.process, handle, Rights::DUPLICATE)? {
            Object::ShmSpace(space) => Some(space),
            _ => return Err(Error::BadHandle),
        },
    };
    let child = proc::spawn(k, &path, &args, parent, space, grants)?;
    let inserted = k
        .processes
        .get_mut(c.process)
        .ok_or(Error::Fault)?
        .handles
        .insert(Object::Process(child), Rights::ALL);
    match inserted {
        Ok(h) => {
            proc::retain(k, Object::Process(child));
            Ok(h)
        }
        Err(e) => {
            proc::kill(k, child, abi::STATUS_KILLED);
            Err(e)
        }
    }
}

pub fn wait(k: &mut Kernel, c: &Caller, handle: usize) -> Outcome {
    let id = match k.handle(c.process, handle, Rights::WAIT) {
        Ok(Object::Process(id)) => id,
        Ok(_) => return Err(Error::BadHandle).into(),
        Err(e) => return Err(e).into(),
    };
    match k.processes.get(id) {
        Some(p) if p.space.is_none() && p.threads.is_empty() => Ok(p.status.unwrap_or(0)).into(),
        Some(_) => {
            k.object_waiters.push((Object::Process(id), c.thread));
            sched::block_current(k, c.cpu, Block::Object(Object::Process(id)));
            Outcome::Blocked
        }
        None => Err(Error::BadHandle).into(),
    }
}

pub fn kill(k: &mut Kernel, c: &Caller, handle: usize, status: usize) -> SysResult {
    match k.handle(c.process, handle, Rights::KILL)? {
        Object::Process(id) => {
            proc::kill(
                k,
                id,
                if status == 0 {
                    abi::STATUS_KILLED
                } else {
                    status
                },
            );
            Ok(0)
        }
        _ => Err(Error::BadHandle),
    }
}

pub fn set_name(k: &mut Kernel, c: &Caller, ptr: usize, len: usize) -> SysResult {
    let name = copy_str(k, c, ptr, len, 31)?;
    if name.is_empty() {
        return Err(Error::InvalidArgument);
    }
    let p = k.processes.get_mut(c.process).ok_or(Error::BadHandle)?;
    p.name = [0; 32];
    p.name[..name.len()].copy_from_slice(name.as_bytes());
    Ok(0)
}

pub fn handle_close(k: &mut Kernel, c: &Caller, handle: usize) -> SysResult {
    let object = k
        .processes
        .get_mut(c.process)
        .ok_or(Error::BadHandle)?
        .handles
        .remove(handle)?;
    proc::release(k, object);
    Ok(0)
}

pub fn handle_dup(k: &mut Kernel, c: &Caller, handle: usize, rights: usize) -> SysResult {
    let p = k.processes.get_mut(c.process).ok_or(Error::BadHandle)?;
    let (object, have) = p.handles.entry(handle)?;
    if !have.contains(Rights::DUPLICATE) {
        return Err(Error::AccessDenied);
    }
    let wanted = u32::try_from(rights)
        .ok()
        .and_then(Rights::from_bits)
        .ok_or(Error::InvalidArgument)?;
    if !have.contains(wanted) {
        return Err(Error::AccessDenied);
    }
    let h = p.handles.insert(object, wanted)?;
    proc::retain(k, object);
    Ok(h)
}
