//! `futex_wait`, `futex_wake`, `sleep`.

use super::call::{Caller, Outcome};
use crate::hw::Arch;
use crate::sched::{self, Wake};
use crate::state::{Block, Kernel, ns_to_ticks};
use abi::{Error, SysResult};
use arch::Cpu;

/// The physical address of the caller's futex word at `addr`.
fn futex_word(k: &mut Kernel, c: &Caller, addr: usize) -> Result<usize, Error> {
    if !addr.is_multiple_of(4) {
        return Err(Error::InvalidArgument);
    }
    let p = k.processes.get(c.process).ok_or(Error::Fault)?;
    p.space
        .as_ref()
        .ok_or(Error::Fault)?
        .translate(&mut k.frames, addr, false)
        .ok_or(Error::Fault)
}

pub fn futex_wait(
    k: &mut Kernel,
    c: &Caller,
    addr: usize,
    expected: usize,
    timeout_ns: usize,
) -> Outcome {
    let pa = match futex_word(k, c, addr) {
        Ok(pa) => pa,
        Err(e) => return Err(e).into(),
    };
    // SAFETY: `pa` is a 4-byte aligned word in a frame mapped readable in
    // the caller's space, reached through the identity map.
    let value = unsafe { core::ptr::read_volatile(pa as *const u32) };
    if value as usize != expected {
        return Err(Error::WouldBlock).into();
    }
    if timeout_ns != 0 {
        let deadline = Arch::counter().saturating_add(ns_to_ticks(timeout_ns as u64, k.counter_hz));
        if k.sleepers.insert(deadline, c.thread).is_err() {
            return Err(Error::NoMemory).into();
        }
    }
    if k.futex_waiters.try_reserve(1).is_err() {
        k.sleepers.remove(c.thread);
        return Err(Error::NoMemory).into();
    }
    k.futex_waiters.push((pa, c.thread));
    sched::block_current(k, c.cpu, Block::Futex(pa));
    Outcome::Blocked
}

pub fn futex_wake(k: &mut Kernel, c: &Caller, addr: usize, count: usize) -> SysResult {
    let pa = futex_word(k, c, addr)?;
    // One waiter at a time (waking takes it off the list): no copy of the
    // list, so waking never allocates.
    let mut woken = 0;
    while woken < count {
        let Some(i) = k.futex_waiters.iter().position(|&(w, _)| w == pa) else {
            break;
        };
        let (_, t) = k.futex_waiters.remove(i);
        sched::wake(k, t, Wake::Return(0));
        woken += 1;
    }
    Ok(woken)
}

pub fn sleep(k: &mut Kernel, c: &Caller, ns: usize) -> Outcome {
    if ns == 0 {
        k.cpus[c.cpu].need_resched = true;
        return Ok(0).into();
    }
    let deadline = Arch::counter().saturating_add(ns_to_ticks(ns as u64, k.counter_hz));
    if k.sleepers.insert(deadline, c.thread).is_err() {
        return Err(Error::NoMemory).into();
    }
    sched::block_current(k, c.cpu, Block::Sleep);
    Outcome::Blocked
}
