//! What `virtio-drivers` needs from the guest: DMA pages from a static pool
//! in the image (the guest runs on an identity map, so a virtual address is
//! the physical address a device uses) and buffers shared as they are.
//!
//! No heap: `virtio-drivers` is built without `alloc` (guests are built
//! together, and a crate pulling `alloc` into the graph would make every
//! guest need a global allocator), so no indirect descriptors.

use core::cell::UnsafeCell;
use core::ptr::NonNull;
use gsupport::sync::IrqMutex;
use virtio_drivers::{BufferDirection, Hal, PAGE_SIZE, PhysAddr};

/// Pages of DMA memory (zeros in the image): each queue takes two
/// (descriptors and available ring, used ring), so a blk or entropy device
/// two and a console four; drivers give theirs back when dropped.
pub const POOL_PAGES: usize = 16;

#[repr(C, align(4096))]
struct Pool(UnsafeCell<[[u8; PAGE_SIZE]; POOL_PAGES]>);

// SAFETY: the pages are handed out under `USED`'s lock, each to one owner.
unsafe impl Sync for Pool {}

static POOL: Pool = Pool(UnsafeCell::new([[0; PAGE_SIZE]; POOL_PAGES]));
/// Which pool pages are allocated.
static USED: IrqMutex<[bool; POOL_PAGES]> = IrqMutex::new([false; POOL_PAGES]);

/// Pool pages in use now.
pub fn pages_in_use() -> usize {
    USED.with(|used| used.iter().filter(|&&u| u).count())
}

/// The [`Hal`] of a guest with an identity map and coherent devices.
pub struct GuestHal;

// SAFETY: `dma_alloc` hands out zeroed, page-aligned pages of the pool that
// no one else holds until `dma_dealloc`; addresses are the same for the CPU
// and the devices (identity map, `dma-coherent`).
unsafe impl Hal for GuestHal {
    fn dma_alloc(pages: usize, _direction: BufferDirection) -> (PhysAddr, NonNull<u8>) {
        let first = USED.with(|used| {
            let first = (0..POOL_PAGES.checked_sub(pages)? + 1)
                .find(|&s| pages > 0 && used[s..s + pages].iter().all(|&u| !u))?;
            used[first..first + pages].fill(true);
            Some(first)
        });
        let Some(first) = first else {
            return (0, NonNull::dangling());
        };
        let ptr = POOL.0.get().cast::<u8>().wrapping_add(first * PAGE_SIZE);
        // SAFETY: the pages [first, first + pages) are in the pool and were
        // just marked as ours alone.
        unsafe { ptr.write_bytes(0, pages * PAGE_SIZE) };
        let Some(vaddr) = NonNull::new(ptr) else {
            return (0, NonNull::dangling());
        };
        (ptr as usize as PhysAddr, vaddr)
    }

    unsafe fn dma_dealloc(paddr: PhysAddr, _vaddr: NonNull<u8>, pages: usize) -> i32 {
        let start = POOL.0.get() as usize;
        let Some(offset) = (paddr as usize).checked_sub(start) else {
            return -1;
        };
        let first = offset / PAGE_SIZE;
        if !offset.is_multiple_of(PAGE_SIZE) || first + pages > POOL_PAGES {
            return -1;
        }
        USED.with(|used| used[first..first + pages].fill(false));
        0
    }

    unsafe fn mmio_phys_to_virt(paddr: PhysAddr, _size: usize) -> NonNull<u8> {
        NonNull::new(paddr as usize as *mut u8).expect("an MMIO address is not 0")
    }

    unsafe fn share(buffer: NonNull<[u8]>, _direction: BufferDirection) -> PhysAddr {
        buffer.cast::<u8>().as_ptr() as usize as PhysAddr
    }

    unsafe fn unshare(_paddr: PhysAddr, _buffer: NonNull<[u8]>, _direction: BufferDirection) {}
}
