//! The program's heap: a linked-list allocator over memory from `mem_map`,
//! grown when it runs out, in steps that start small and grow with the
//! heap ([`growth`]): a program that needs little (a `qvm` once its VM is
//! built holds a few KiB) maps little, one that needs much does not make a
//! call for every few KiB. Memory once mapped stays mapped: programs keep
//! big temporaries out of the heap (`qvm` reads guest images straight into
//! guest RAM). [`stats`] says what it holds.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::null_mut;
use linked_list_allocator::Heap;
use spin::Mutex;

/// Where the heap starts in every program.
pub const HEAP_BASE: usize = abi::USER_BASE + 0x10_0000_0000;
/// The most it may grow to.
pub const HEAP_LIMIT: usize = 1 << 30;
/// The smallest growth, and the unit every growth is a multiple of.
const STEP: usize = 32 * 1024;
/// Each growth is at least the heap's size divided by this.
const GROWTH_DIVISOR: usize = 4;

/// How many bytes to map when a heap of `mapped` bytes needs `at_least`
/// more: that, or a quarter of the heap if larger, in whole [`STEP`]s.
pub fn growth(mapped: usize, at_least: usize) -> usize {
    at_least
        .max(mapped / GROWTH_DIVISOR)
        .max(STEP)
        .next_multiple_of(STEP)
}

struct Grower {
    heap: Heap,
    mapped: usize,
    /// The most bytes ever in use at once.
    peak: usize,
}

/// What the heap holds, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeapStats {
    /// Mapped for the heap (it never shrinks).
    pub mapped: usize,
    /// In use now (blocks as the allocator rounds them).
    pub in_use: usize,
    /// The most ever in use at once.
    pub peak: usize,
}

/// The heap's figures now.
pub fn stats() -> HeapStats {
    let g = HEAP.0.lock();
    HeapStats {
        mapped: g.mapped,
        in_use: g.heap.used(),
        peak: g.peak,
    }
}

/// The global allocator.
pub struct UserHeap(Mutex<Grower>);

// Host builds (`cargo test -p ulib`) keep the host's allocator.
#[cfg_attr(target_os = "none", global_allocator)]
static HEAP: UserHeap = UserHeap(Mutex::new(Grower {
    heap: Heap::empty(),
    mapped: 0,
    peak: 0,
}));

impl Grower {
    fn grow(&mut self, at_least: usize) -> bool {
        let len = growth(self.mapped, at_least);
        if self.mapped + len > HEAP_LIMIT {
            return false;
        }
        let start = HEAP_BASE + self.mapped;
        if crate::sys::mem_map(start, len, abi::prot::READ | abi::prot::WRITE).is_err() {
            return false;
        }
        if self.mapped == 0 {
            // SAFETY: [start, start + len) was just mapped for us alone.
            unsafe { self.heap.init(start as *mut u8, len) };
        } else {
            // SAFETY: the new range follows the heap's end directly.
            unsafe { self.heap.extend(len) };
        }
        self.mapped += len;
        true
    }
}

// SAFETY: allocation is serialized by the mutex, and every block handed out
// comes from memory mapped for the heap alone.
unsafe impl GlobalAlloc for UserHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let mut g = self.0.lock();
        loop {
            if let Ok(p) = g.heap.allocate_first_fit(layout) {
                g.peak = g.peak.max(g.heap.used());
                return p.as_ptr();
            }
            if !g.grow(layout.size() + layout.align() + 64) {
                return null_mut();
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(p) = core::ptr::NonNull::new(ptr) {
            // SAFETY: `ptr` came from `alloc` with this layout.
            unsafe { self.0.lock().heap.deallocate(p, layout) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_in_small_steps_while_small() {
        assert_eq!(growth(0, 1), STEP);
        assert_eq!(growth(STEP, 100), STEP);
        assert_eq!(growth(3 * STEP, STEP + 1), 2 * STEP);
    }

    #[test]
    fn grows_by_a_quarter_once_large() {
        assert_eq!(growth(1 << 20, 1), 256 << 10);
        assert_eq!(
            growth(1 << 20, 300 << 10),
            (300usize << 10).next_multiple_of(STEP)
        );
        // A large request gets what it asks for, rounded.
        assert_eq!(growth(STEP, 64 << 20), 64 << 20);
        assert_eq!(growth(STEP, (64 << 20) + 1), (64 << 20) + STEP);
    }

    #[test]
    fn a_heap_of_n_bytes_takes_few_calls() {
        let (mut mapped, mut calls) = (0, 0);
        while mapped < 64 << 20 {
            mapped += growth(mapped, 64);
            calls += 1;
        }
        assert!(calls < 40, "{calls} calls");
    }
}
