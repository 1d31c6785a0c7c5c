//! Starting programs from the bootfs and waiting for them.

use abi::{Sys, SysResult};
use alloc::vec::Vec;

/// Starts `path` with `args` (each passed NUL-terminated) in a
/// shared-memory namespace of its own; returns a process handle with every
/// right.
pub fn spawn(path: &str, args: &[&str]) -> SysResult {
    spawn_in(path, args, abi::SHM_SPACE_PRIVATE)
}

/// Starts `path` with `args` in shared-memory namespace `shm_space`: a
/// namespace handle, [`abi::SHM_SPACE_SAME`] (the caller's) or
/// [`abi::SHM_SPACE_PRIVATE`].
pub fn spawn_in(path: &str, args: &[&str], shm_space: usize) -> SysResult {
    spawn_granted(path, args, shm_space, None)
}

/// [`spawn_in`], and the child gets every grant the caller holds
/// ([`abi::GRANTS_SAME`]).
pub fn spawn_with_my_grants(path: &str, args: &[&str], shm_space: usize) -> SysResult {
    spawn_raw(path, args, shm_space, abi::GRANTS_SAME)
}

/// [`spawn_in`], and the child gets `grants` (a subset of the caller's; by
/// default it gets none): the device regions and interrupts it may take.
pub fn spawn_granted(
    path: &str,
    args: &[&str],
    shm_space: usize,
    grants: Option<&abi::Grants>,
) -> SysResult {
    let grants = grants.map_or(0, |g| g as *const abi::Grants as usize);
    spawn_raw(path, args, shm_space, grants)
}

/// `process_spawn` with `grants` as the call takes it (0, a pointer, or
/// [`abi::GRANTS_SAME`]).
fn spawn_raw(path: &str, args: &[&str], shm_space: usize, grants: usize) -> SysResult {
    let mut block = Vec::new();
    for a in args {
        block.extend_from_slice(a.as_bytes());
        block.push(0);
    }
    crate::sys::call(
        Sys::ProcessSpawn,
        [
            path.as_ptr() as usize,
            path.len(),
            block.as_ptr() as usize,
            block.len(),
            shm_space,
            grants,
        ],
    )
}

/// Waits for the process behind `handle` to end; its exit status.
pub fn wait(handle: usize) -> SysResult {
    crate::sys::call(Sys::ProcessWait, [handle, 0, 0, 0, 0, 0])
}

/// Ends the process behind `handle` with `status`.
pub fn kill(handle: usize, status: usize) -> SysResult {
    crate::sys::call(Sys::ProcessKill, [handle, status, 0, 0, 0, 0])
}

/// The running processes.
pub fn list() -> Vec<abi::ProcessInfo> {
    let mut rows = Vec::with_capacity(64);
    let n = crate::sys::call(
        Sys::ProcessList,
        [rows.as_mut_ptr() as usize, 64, 0, 0, 0, 0],
    )
    .unwrap_or(0);
    // SAFETY: the kernel wrote `n` <= 64 records.
    unsafe { rows.set_len(n.min(64)) };
    rows
}

/// Sends the pulse `code` to the process `handle` names (`process_pulse`:
/// the handle needs KILL, from `spawn` or `process_open`).
pub fn pulse(handle: usize, code: u32) -> SysResult {
    crate::sys::call(Sys::ProcessPulse, [handle, code as usize, 0, 0, 0, 0])
}

/// The oldest pulse sent to this process, waiting for one if there is
/// none (`timeout_ns` 0: for ever; else `TimedOut` after it).
pub fn pulse_wait(timeout_ns: u64) -> Result<u32, abi::Error> {
    crate::sys::call(Sys::PulseWait, [timeout_ns as usize, 0, 0, 0, 0, 0]).map(|code| code as u32)
}
