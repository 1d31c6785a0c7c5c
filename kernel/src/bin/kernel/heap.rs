//! The kernel heap: a linked-list allocator over one RAM range chosen at
//! boot, behind a spinlock.

use core::alloc::{GlobalAlloc, Layout};
use linked_list_allocator::Heap;
use spin::mutex::SpinMutex as Mutex;

/// Bytes of kernel heap.
pub const HEAP_SIZE: usize = 16 << 20;

struct KernelHeap(Mutex<Heap, crate::relax::SpinHint>);

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

/// Bytes of heap in use and free now.
pub fn usage() -> (usize, usize) {
    let heap = HEAP.0.lock();
    (heap.used(), heap.free())
}

/// Whether `bytes` more could be allocated and still leave
/// [`RESERVE`] free: calls that grow bookkeeping in proportion to an
/// argument check this first and return `NoMemory` instead.
pub fn has_room(bytes: usize) -> bool {
    HEAP.0.lock().free() >= bytes.saturating_add(RESERVE)
}

/// Heap kept back from system calls, for what the kernel must always be
/// able to do: end a process, deliver an interrupt, print a report.
pub const RESERVE: usize = 1 << 20;

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
