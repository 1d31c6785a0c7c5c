//! The kernel heap: a linked-list allocator over one RAM range chosen at
//! boot, behind a spinlock.

use core::alloc::{GlobalAlloc, Layout};
use linked_list_allocator::Heap;
use spin::mutex::SpinMutex as Mutex;

/// Bytes of kernel heap.
pub const HEAP_SIZE: usize = 16 << 20;

struct KernelHeap(Mutex<Heap, crate::state::SpinHint>);

#[global_allocator]
static HEAP: KernelHeap = KernelHeap(Mutex::new(Heap::empty()));

/// Hands `[start, start + HEAP_SIZE)` to the heap.
///
/// # Safety
/// The range must be identity-mapped RAM that nothing else uses, ever.
pub unsafe fn init(start: usize) {
    // SAFETY: the caller guarantees the range is ours.
    unsafe { HEAP.0.lock().init(start as *mut u8, HEAP_SIZE) };
}

// SAFETY: the mutex serializes all access; blocks come from the heap range.
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.0
            .lock()
            .allocate_first_fit(layout)
            .map_or(core::ptr::null_mut(), |p| p.as_ptr())
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(p) = core::ptr::NonNull::new(ptr) {
            // SAFETY: `ptr` came from `alloc` with this layout.
            unsafe { self.0.lock().deallocate(p, layout) };
        }
    }
}
