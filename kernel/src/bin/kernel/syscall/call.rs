//! What every system-call handler shares: who called ([`Caller`]), how the
//! call ended ([`Outcome`]), and copying arguments in and results out of
//! the caller's memory. The handlers import this, never the dispatcher
//! (`mod.rs`), so the dispatcher sits above them.

use crate::state::Kernel;
use abi::{Error, SysResult};
use alloc::vec::Vec;
use kernel::slab::Id;

/// The caller of a system call.
pub struct Caller {
    /// Its CPU.
    pub cpu: usize,
    /// Its thread.
    pub thread: Id,
    /// Its process.
    pub process: Id,
}

/// How a call ended.
pub enum Outcome {
    /// With this result.
    Done(SysResult),
    /// Blocked: the result is written when the thread wakes.
    Blocked,
}

impl From<SysResult> for Outcome {
    fn from(r: SysResult) -> Self {
        Outcome::Done(r)
    }
}

/// Copies `len` (at most `max`) bytes from the caller's memory.
pub fn copy_in(
    k: &mut Kernel,
    c: &Caller,
    ptr: usize,
    len: usize,
    max: usize,
) -> Result<Vec<u8>, Error> {
    if len > max {
        return Err(Error::InvalidArgument);
    }
    let mut buf = Vec::new();
    buf.try_reserve_exact(len).map_err(|_| Error::NoMemory)?;
    buf.resize(len, 0);
    let p = k.processes.get(c.process).ok_or(Error::Fault)?;
    p.space
        .as_ref()
        .ok_or(Error::Fault)?
        .copy_in(&mut k.frames, ptr, &mut buf)?;
    Ok(buf)
}

/// Copies a UTF-8 string from the caller's memory.
pub fn copy_str(
    k: &mut Kernel,
    c: &Caller,
    ptr: usize,
    len: usize,
    max: usize,
) -> Result<alloc::string::String, Error> {
    let bytes = copy_in(k, c, ptr, len, max)?;
    alloc::string::String::from_utf8(bytes).map_err(|_| Error::InvalidArgument)
}

/// Copies `data` to the caller's memory.
pub fn copy_out(k: &mut Kernel, c: &Caller, ptr: usize, data: &[u8]) -> Result<(), Error> {
    let p = k.processes.get(c.process).ok_or(Error::Fault)?;
    p.space
        .as_ref()
        .ok_or(Error::Fault)?
        .copy_out(&mut k.frames, ptr, data)
}

/// Checks that the caller may write all of `[ptr, ptr + len)`, before a
/// call that writes only part of it (as many rows as there are).
pub fn check_writable(k: &mut Kernel, c: &Caller, ptr: usize, len: usize) -> Result<(), Error> {
    if len == 0 {
        return Ok(());
    }
    let end = ptr.checked_add(len).ok_or(Error::Fault)?;
    let p = k.processes.get(c.process).ok_or(Error::Fault)?;
    let space = p.space.as_ref().ok_or(Error::Fault)?;
    let mut page = ptr & !(abi::PAGE_SIZE - 1);
    while page < end {
        space
            .translate(&mut k.frames, page, true)
            .ok_or(Error::Fault)?;
        page += abi::PAGE_SIZE;
    }
    Ok(())
}

/// Copies `rows`, plain `repr(C)` records of integers (the `abi` crate's
/// rows and records, laid out with no padding, as its tests check), to the
/// caller's memory at `ptr`, one after the other; how many.
pub fn copy_out_rows<T: Copy>(
    k: &mut Kernel,
    c: &Caller,
    ptr: usize,
    rows: &[T],
) -> Result<usize, Error> {
    let size = core::mem::size_of_val(rows);
    // SAFETY: `T` is a `repr(C)` record of integers and byte arrays with
    // no padding, every byte of which is initialized; viewing the slice as
    // bytes is sound.
    let bytes = unsafe { core::slice::from_raw_parts(rows.as_ptr() as *const u8, size) };
    copy_out(k, c, ptr, bytes)?;
    Ok(rows.len())
}
