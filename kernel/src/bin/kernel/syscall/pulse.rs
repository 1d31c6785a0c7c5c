//! `process_pulse`, `pulse_wait`: a one-word message from one process to
//! another (QNX's pulses), the host's way to ask a process something
//! without shared memory: the host shell asks a `qvm` for a guest core
//! dump ([`abi::PULSE_DUMP`]). A pulse goes to a thread of the target
//! waiting in `pulse_wait`, or waits in its queue (a few; a full queue
//! refuses more rather than grow).

use super::call::{Caller, Outcome};
use crate::hw::Arch;
use crate::sched::{self, Wake};
use crate::state::{Block, Kernel, Object, ThreadState, ns_to_ticks};
use abi::{Error, Rights, SysResult};
use arch::Cpu;

/// Sends `code` to the process `handle` names (a handle with KILL).
pub fn send(k: &mut Kernel, c: &Caller, handle: usize, code: usize) -> SysResult {
    let code = u32::try_from(code).map_err(|_| Error::InvalidArgument)?;
    let Object::Process(target) = k.handle(c.process, handle, Rights::KILL)? else {
        return Err(Error::BadHandle);
    };
    let p = k.processes.get(target).ok_or(Error::BadHandle)?;
    if p.space.is_none() {
        // Ending: nobody will read it.
        return Err(Error::NotFound);
    }
    let waiter = p.threads.iter().copied().find(|&t| {
        k.threads
            .get(t)
            .is_some_and(|t| t.state == ThreadState::Blocked(Block::Pulse))
    });
    if let Some(t) = waiter {
        sched::wake(k, t, Wake::Return(code as usize));
        return Ok(0);
    }
    let p = k.processes.get_mut(target).ok_or(Error::BadHandle)?;
    p.pulses.push_back(code).map_err(|_| Error::WouldBlock)?;
    Ok(0)
}

/// Takes the caller's oldest pulse, or blocks until one comes (or
/// `timeout_ns`, if not 0, passes).
pub fn wait(k: &mut Kernel, c: &Caller, timeout_ns: usize) -> Outcome {
    let Some(p) = k.processes.get_mut(c.process) else {
        return Err(Error::BadHandle).into();
    };
    if let Some(code) = p.pulses.pop_front() {
        return Ok(code as usize).into();
    }
    if timeout_ns != 0 {
        let deadline = Arch::counter().saturating_add(ns_to_ticks(timeout_ns as u64, k.counter_hz));
        if k.sleepers.insert(deadline, c.thread).is_err() {
            return Err(Error::NoMemory).into();
        }
    }
    sched::block_current(k, c.cpu, Block::Pulse);
    Outcome::Blocked
}
