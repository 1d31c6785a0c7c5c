//! `futex_wait`, `futex_wake`, `sleep`.

use super::{Caller, Outcome};
use crate::sched::{self, Wake};
use crate::state::{Block, Kernel, ns_to_ticks};
use abi::{Error, SysResult};
use arch::aarch64::cpu;

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
    k.futex_waiters.push((pa, c.thread));
    if timeout_ns != 0 {
        let deadline = cpu::counter().saturating_add(ns_to_ticks(timeout_ns as u64, k.counter_hz));
        k.sleepers.insert(deadline, c.thread);
    }
    sched::block_current(k, c.cpu, Block::Futex(pa));
    Outcome::Blocked
}

pub fn futex_wake(k: &mut Kernel, c: &Caller, addr: usize, count: usize) -> SysResult {
    let pa = futex_word(k, c, addr)?;
    let waiting: alloc::vec::Vec<_> = k
        .futex_waiters
        .iter()
        .filter(|&&(w, _)| w == pa)
        .map(|&(_, t)| t)
        .take(count)
        .collect();
    for &t in &waiting {
        sched::wake(k, t, Wake::Return(0));
    }
    Ok(waiting.len())
}

pub fn sleep(k: &mut Kernel, c: &Caller, ns: usize) -> Outcome {
    if ns == 0 {
        k.cpus[c.cpu].need_resched = true;
        return Ok(0).into();
    }
    let deadline = cpu::counter().saturating_add(ns_to_ticks(ns as u64, k.counter_hz));
    k.sleepers.insert(deadline, c.thread);
    sched::block_current(k, c.cpu, Block::Sleep);
    Outcome::Blocked
}
