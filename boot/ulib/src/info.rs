//! What `pidin` shows: threads, a process's mapped regions, interrupts,
//! the physical memory map (`thread_list`, `process_regions`, `irq_list`,
//! `phys_map`), and `process_open` to reach another process by pid.

use abi::{IrqInfo, PhysArea, RegionInfo, Sys, ThreadInfo};
use alloc::vec::Vec;

/// Most rows one listing asks for.
const MAX_ROWS: usize = 1024;

/// Calls `call` with a buffer of `T` rows in `x[at]` and its capacity in
/// `x[at + 1]`, growing it while the kernel fills it to the brim.
fn rows<T: Copy>(call: Sys, mut args: [usize; 6], at: usize) -> Result<Vec<T>, abi::Error> {
    let mut capacity = 64;
    loop {
        let mut buf: Vec<T> = Vec::with_capacity(capacity);
        args[at] = buf.as_mut_ptr() as usize;
        args[at + 1] = capacity;
        let n = crate::sys::call(call, args)?;
        if n < capacity || capacity >= MAX_ROWS {
            // SAFETY: the kernel wrote `n` (at most `capacity`) whole records
            // of `T`, a plain `repr(C)` record of integers.
            unsafe { buf.set_len(n.min(capacity)) };
            return Ok(buf);
        }
        capacity *= 4;
    }
}

/// Every live thread of every process.
pub fn threads() -> Result<Vec<ThreadInfo>, abi::Error> {
    rows(Sys::ThreadList, [0; 6], 0)
}

/// What process `pid` maps, and its VMs' guest-physical maps.
pub fn regions(pid: u64) -> Result<Vec<RegionInfo>, abi::Error> {
    rows(Sys::ProcessRegions, [pid as usize, 0, 0, 0, 0, 0], 1)
}

/// The kernel's interrupts and every attached or passed one.
pub fn irqs() -> Result<Vec<IrqInfo>, abi::Error> {
    rows(Sys::IrqList, [0; 6], 0)
}

/// The physical memory map with owners.
pub fn phys_map() -> Result<Vec<PhysArea>, abi::Error> {
    rows(Sys::PhysMap, [0; 6], 0)
}

/// A handle to process `pid` with `rights` (WAIT and/or KILL).
pub fn process_open(pid: u64, rights: abi::Rights) -> Result<usize, abi::Error> {
    crate::sys::call(
        Sys::ProcessOpen,
        [pid as usize, rights.bits() as usize, 0, 0, 0, 0],
    )
}
