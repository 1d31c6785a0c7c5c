//! `console_write`, `console_read`.

use super::call::{Caller, Outcome, copy_in, copy_out};
use crate::sched;
use crate::state::{Block, Kernel};
use abi::{Error, SysResult};

/// Most bytes one `console_write` takes.
const MAX_WRITE: usize = 64 * 1024;

pub fn write(k: &mut Kernel, c: &Caller, ptr: usize, len: usize) -> SysResult {
    let bytes = copy_in(k, c, ptr, len, MAX_WRITE)?;
    crate::console::write_bytes(&bytes);
    Ok(len)
}

pub fn read(k: &mut Kernel, c: &Caller, ptr: usize, len: usize) -> Outcome {
    if len == 0 {
        return Ok(0).into();
    }
    if !k.input.clients.contains(&c.process) {
        // Clients are numbered in the order they were started (pid order),
        // so the numbers of Ctrl-T are predictable.
        let pid = |k: &Kernel, id| k.processes.get(id).map_or(0, |p| p.pid);
        let me = pid(k, c.process);
        let at = k
            .input
            .clients
            .iter()
            .position(|&o| pid(k, o) > me)
            .unwrap_or(k.input.clients.len());
        if at <= k.input.focus && at < k.input.clients.len() {
            k.input.focus += 1;
        }
        k.input.clients.insert(at, c.process);
    }
    let focused = k.input.clients.get(k.input.focus) == Some(&c.process);
    if k.input.buffer.is_empty() || !focused {
        // Check the buffer is writable before sleeping, so a bad pointer
        // fails now rather than after input arrives.
        if let Err(e) = copy_out(k, c, ptr, &[]).and_then(|()| probe_writable(k, c, ptr)) {
            return Err(e).into();
        }
        k.input.waiters.push_back(c.thread);
        sched::block_current(k, c.cpu, Block::ConsoleRead);
        return Outcome::Blocked;
    }
    let n = len.min(k.input.buffer.len()).min(4096);
    let data: alloc::vec::Vec<u8> = k.input.buffer.iter().take(n).copied().collect();
    match copy_out(k, c, ptr, &data) {
        Ok(()) => {
            k.input.buffer.drain(..n);
            Ok(n).into()
        }
        Err(e) => Err(e).into(),
    }
}

fn probe_writable(k: &mut Kernel, c: &Caller, ptr: usize) -> Result<(), Error> {
    let p = k.processes.get(c.process).ok_or(Error::Fault)?;
    let space = p.space.as_ref().ok_or(Error::Fault)?;
    space
        .translate(&mut k.frames, ptr, true)
        .map(|_| ())
        .ok_or(Error::Fault)
}
