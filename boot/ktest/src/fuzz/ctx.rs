//! One fuzzing thread: its random stream, its exit record, how it makes a
//! call (counted, traced, its number kept for the end-of-run report), and
//! how it picks handles.

use super::pick::{self, Rng};
use super::state::{self, Entry, Kind, PROGRESS};
use abi::{SysResult, VcpuExit, decode_return};
use alloc::boxed::Box;
use core::sync::atomic::Ordering;
use ulib::{println, sys};

/// A fuzzing thread's state.
pub struct Ctx {
    /// Its random numbers.
    pub r: Rng,
    /// Its index (0 is the child's first thread).
    pub t: usize,
    /// Its `vcpu_run` exit record.
    pub exit: Box<VcpuExit>,
    /// The GIC version VMs get on this host.
    pub gic: u64,
}

/// Handle numbers that are never open: past the table, huge.
const NEVER_OPEN: [usize; 6] = [1024, 1025, 4096, 1 << 32, usize::MAX - 1, usize::MAX];

impl Ctx {
    /// Makes call `nr` with `args` (any number, any arguments).
    pub fn call(&mut self, nr: usize, args: [usize; 6]) -> SysResult {
        let p = &PROGRESS[self.t];
        p.current.store(nr, Ordering::Relaxed);
        p.arg0.store(args[0], Ordering::Relaxed);
        if state::TRACE.load(Ordering::Relaxed) {
            let i = p.calls.load(Ordering::Relaxed);
            println!("fz t{} #{i}: call {nr} {args:#x?}", self.t);
        }
        let ret = decode_return(sys::raw(nr, args));
        p.calls.fetch_add(1, Ordering::Relaxed);
        p.current.store(usize::MAX, Ordering::Relaxed);
        ret
    }

    /// A handle number: one the fuzzer made (of any kind), a small number
    /// (open, closed or another thread's), or one never open.
    pub fn any_handle(&mut self) -> usize {
        match self.r.below(4) {
            0 | 1 => {
                let r = &mut self.r;
                match state::handles().pick(r, |_| true) {
                    Some(e) => e.handle,
                    None => r.below(64),
                }
            }
            2 => self.r.below(64),
            _ => self.r.pick(&NEVER_OPEN),
        }
    }

    /// A handle that is mostly one of `kind`, else any handle.
    pub fn handle_of(&mut self, want: impl Fn(&Kind) -> bool) -> usize {
        if self.r.below(4) != 0 {
            let r = &mut self.r;
            if let Some(e) = state::handles().pick(r, want) {
                return e.handle;
            }
        }
        self.any_handle()
    }

    /// An open entry of a kind `want` accepts.
    pub fn entry_of(&mut self, want: impl Fn(&Kind) -> bool) -> Option<Entry> {
        let r = &mut self.r;
        state::handles().pick(r, want)
    }

    /// A handle for a call that would block for ever on a vCPU that is
    /// off: a powered vCPU, another kind of handle the fuzzer made, or a
    /// number never open; never a random small number.
    pub fn runnable_vcpu(&mut self) -> usize {
        let powered = |k: &Kind| matches!(k, Kind::Vcpu { powered: true, .. });
        let other = |k: &Kind| !matches!(k, Kind::Vcpu { .. });
        let pick = match self.r.below(8) {
            0..=5 => self.entry_of(powered),
            6 => self.entry_of(other),
            _ => None,
        };
        match pick {
            Some(e) => e.handle,
            None => self.r.pick(&NEVER_OPEN),
        }
    }

    /// A random readable pointer (see [`pick::in_ptr`]).
    pub fn in_ptr(&mut self) -> usize {
        pick::in_ptr(&mut self.r)
    }

    /// A random length (see [`pick::len`]).
    pub fn len(&mut self) -> usize {
        pick::len(&mut self.r)
    }

    /// A random small number (see [`pick::small`]).
    pub fn small(&mut self) -> usize {
        pick::small(&mut self.r)
    }
}
