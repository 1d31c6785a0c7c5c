//! `thread_create`, `thread_exit`, `thread_wait`.

use super::call::{Caller, Outcome};
use crate::hw::Frame;
use crate::process as proc;
use crate::sched;
use crate::state::{Block, Kernel, Object, ThreadState};
use abi::{Error, PRIORITY_MAX, Rights, SysResult, USER_LOWEST, USER_TOP};
use arch::UserContext;

pub fn create(
    k: &mut Kernel,
    c: &Caller,
    entry: usize,
    stack_top: usize,
    arg: usize,
    priority: usize,
    affinity: usize,
) -> SysResult {
    if !(USER_LOWEST..USER_TOP).contains(&entry)
        || !(USER_LOWEST..=USER_TOP).contains(&stack_top)
        || !stack_top.is_multiple_of(16)
        || priority > PRIORITY_MAX
    {
        return Err(Error::InvalidArgument);
    }
    let affinity = affinity as u64;
    if affinity != 0 && affinity & k.online_mask() == 0 {
        return Err(Error::InvalidArgument);
    }
    crate::quota::thread(k, c.process)?;
    let ctx = Frame::new_user(entry, stack_top, arg, 0);
    let tid = proc::add_thread(k, c.process, ctx, priority, affinity & k.online_mask())?;
    let inserted = k
        .processes
        .get_mut(c.process)
        .ok_or(Error::BadHandle)?
        .handles
        .insert(Object::Thread(tid), Rights::ALL);
    match inserted {
        Ok(h) => {
            proc::retain(k, Object::Thread(tid));
            Ok(h)
        }
        Err(e) => {
            proc::end_thread(k, tid);
            Err(e)
        }
    }
}

pub fn exit(k: &mut Kernel, c: &Caller) -> SysResult {
    proc::end_thread(k, c.thread);
    Ok(0)
}

pub fn wait(k: &mut Kernel, c: &Caller, handle: usize) -> Outcome {
    let id = match k.handle(c.process, handle, Rights::WAIT) {
        Ok(Object::Thread(id)) => id,
        Ok(_) => return Err(Error::BadHandle).into(),
        Err(e) => return Err(e).into(),
    };
    if id == c.thread {
        return Err(Error::InvalidArgument).into();
    }
    match k.threads.get(id).map(|t| t.state) {
        Some(ThreadState::Dead) | None => Ok(0).into(),
        Some(_) => {
            k.object_waiters.push((Object::Thread(id), c.thread));
            sched::block_current(k, c.cpu, Block::Object(Object::Thread(id)));
            Outcome::Blocked
        }
    }
}
