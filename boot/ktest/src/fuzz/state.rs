//! What the fuzzing threads share: the memory layout of the fuzz child,
//! the table of handles it made (and what each names), and each thread's
//! progress.
//!
//! The handle table is exact for the calls that make or close handles:
//! those run with its lock held. A handle another thread closes can come
//! back as another object between a lookup and the call that uses it;
//! only `vcpu_run` cares (an unpowered vCPU blocks it), and the end of the
//! run allows for that.

use abi::PAGE_SIZE;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use ulib::sync::{Mutex, MutexGuard};

/// Scratch memory the kernel reads and writes (shared by all threads; its
/// contents are junk).
pub const SCRATCH: usize = abi::USER_BASE + 0x60_0000_0000;
/// Its length.
pub const SCRATCH_LEN: usize = 16 * PAGE_SIZE;
/// An unmapped page right after it.
pub const GUARD: usize = SCRATCH + SCRATCH_LEN;
/// A read-only page after the guard (zeros).
pub const RO_PAGE: usize = GUARD + PAGE_SIZE;
/// A page of spaces, between unmapped pages: all `console_write` may
/// print (scratch junk could hold lines that fail the test, such as this
/// program's own `FAIL` messages read by `bootfs_read`).
pub const SPACES: usize = RO_PAGE + 2 * PAGE_SIZE;
/// Where the fuzzer's program starts: its own memory (program, heap,
/// thread stacks, scratch) lies in `[PROGRAM, WINDOW)`, and its first
/// stack below `USER_STACK_TOP`.
pub const PROGRAM: usize = abi::USER_BASE + 0x20_0000;
/// Where the fuzzer maps and unmaps (`mem_map`, `vm_map_ram`, `shm_map`):
/// nothing of its own is there, so unmapping in it never hurts it.
pub const WINDOW: usize = abi::USER_BASE + 0x61_0000_0000;
/// The window's length.
pub const WINDOW_LEN: usize = 4 << 30;

/// Whether unmapping `[addr, addr + len)` cannot take any of the
/// fuzzer's own memory: the kernel refuses it (null page, unaligned, 0,
/// past the top of user space), or it lies in the window or in a part of
/// the space the fuzzer never uses.
pub fn harmless_unmap(addr: usize, len: usize) -> bool {
    let Some(end) = addr.checked_add(len) else {
        return true;
    };
    let inside = |lo: usize, hi: usize| addr >= lo && end <= hi;
    addr < PAGE_SIZE
        || !addr.is_multiple_of(PAGE_SIZE)
        || len == 0
        || end > abi::USER_TOP
        || inside(WINDOW, WINDOW + WINDOW_LEN)
        || inside(0x4000_0000, ulib::heap::HEAP_BASE)
        || inside(PAGE_SIZE, PROGRAM)
        || inside(abi::USER_STACK_TOP, abi::USER_TOP)
}

/// A page of this program's code (readable, not writable).
pub fn code_page() -> usize {
    (code_page as *const () as usize) & !(PAGE_SIZE - 1)
}

/// What a handle names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A child process (`ktest exit0` or `ktest late MS`).
    Process,
    /// A short-lived thread; `starvable` when it runs below the fuzzing
    /// threads' priority, so a CPU kept busy by a guest that never exits
    /// may never run it.
    Thread { starvable: bool },
    /// A VM; `program` is the guest-physical address of the guest program
    /// in its RAM (0: none yet).
    Vm { program: usize },
    /// A vCPU of VM handle `vm`; `powered` once `vcpu_set_regs` took.
    Vcpu { vm: usize, powered: bool },
    /// A shared memory object.
    Shm,
    /// A shared memory namespace.
    Space,
}

/// An open handle.
#[derive(Clone, Copy, Debug)]
pub struct Entry {
    /// Its number.
    pub handle: usize,
    /// What it names.
    pub kind: Kind,
}

/// The open handles the fuzzer made.
pub struct Handles(Vec<Entry>);

static HANDLES: Mutex<Handles> = Mutex::new(Handles(Vec::new()));
/// Held while the fuzzer writes into the window and by window unmaps.
static WINDOW_LOCK: Mutex<()> = Mutex::new(());

/// The handle table, locked.
pub fn handles() -> MutexGuard<'static, Handles> {
    HANDLES.lock()
}

/// The window lock.
pub fn window() -> MutexGuard<'static, ()> {
    WINDOW_LOCK.lock()
}

impl Handles {
    /// Records a new handle (replacing a stale entry of that number).
    pub fn add(&mut self, handle: usize, kind: Kind) {
        self.remove(handle);
        self.0.push(Entry { handle, kind });
    }

    /// Forgets a closed handle.
    pub fn remove(&mut self, handle: usize) {
        self.0.retain(|e| e.handle != handle);
    }

    /// The entry of a number, if open.
    pub fn get(&self, handle: usize) -> Option<Entry> {
        self.0.iter().copied().find(|e| e.handle == handle)
    }

    /// Changes what an open handle is known to be.
    pub fn set(&mut self, handle: usize, kind: Kind) {
        if let Some(e) = self.0.iter_mut().find(|e| e.handle == handle) {
            e.kind = kind;
        }
    }

    /// A random entry that `want` accepts.
    pub fn pick(&self, r: &mut super::pick::Rng, want: impl Fn(&Kind) -> bool) -> Option<Entry> {
        let n = self.0.iter().filter(|e| want(&e.kind)).count();
        if n == 0 {
            return None;
        }
        self.0
            .iter()
            .filter(|e| want(&e.kind))
            .nth(r.below(n))
            .copied()
    }

    /// Child processes whose handles are open.
    pub fn children(&self) -> usize {
        self.0.iter().filter(|e| e.kind == Kind::Process).count()
    }
}

/// Print every call before making it (`ktest fuzz SEED COUNT trace`).
pub static TRACE: AtomicBool = AtomicBool::new(false);

/// `only=`: a mask of the call numbers to make (bit 33: unknown ones); 0
/// for all.
pub static ONLY: AtomicU64 = AtomicU64::new(0);

/// Most fuzzing threads.
pub const MAX_THREADS: usize = 4;

/// One fuzzing thread's progress.
pub struct Progress {
    /// Calls made.
    pub calls: AtomicUsize,
    /// The call it is in now (`usize::MAX`: none).
    pub current: AtomicUsize,
    /// Its last call's arguments (x0, x1), for the report of a thread
    /// still blocked at the end.
    pub arg0: AtomicUsize,
    /// Done with all its calls.
    pub done: AtomicBool,
}

/// Every fuzzing thread's progress.
pub static PROGRESS: [Progress; MAX_THREADS] = [const {
    Progress {
        calls: AtomicUsize::new(0),
        current: AtomicUsize::new(usize::MAX),
        arg0: AtomicUsize::new(0),
        done: AtomicBool::new(false),
    }
}; MAX_THREADS];

/// Calls made by all threads.
pub fn total_calls() -> usize {
    PROGRESS
        .iter()
        .map(|p| p.calls.load(Ordering::Relaxed))
        .sum()
}
