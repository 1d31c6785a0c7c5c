//! The program's heap: a linked-list allocator over memory from `mem_map`,
//! grown in steps when it runs out.

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::null_mut;
use linked_list_allocator::Heap;
use spin::Mutex;

/// Where the heap starts in every program.
pub const HEAP_BASE: usize = 0x10_0000_0000;
/// The most it may grow to.
pub const HEAP_LIMIT: usize = 1 << 30;
/// Growth step.
const STEP: usize = 128 * 1024;

struct Grower {
    heap: Heap,
    mapped: usize,
}

/// The global allocator.
pub struct UserHeap(Mutex<Grower>);

#[global_allocator]
static HEAP: UserHeap = UserHeap(Mutex::new(Grower {
    heap: Heap::empty(),
    mapped: 0,
}));

impl Grower {
    fn grow(&mut self, at_least: usize) -> bool {
        let len = at_least.next_multiple_of(STEP).max(STEP);
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
