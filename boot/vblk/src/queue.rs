//! The one split virtqueue (virtio 1.2 §2.7) and the request buffers, all
//! in one `dma_alloc` region: the descriptor table, the available ring and
//! the used ring in its first page, the request header and status byte in
//! the second, the data buffer after. One request is in flight at a time,
//! always descriptors 0 (header), 1 (data) and 2 (status).

use blkchan::DATA_MAX;

/// Entries in the queue: one request takes three.
pub const QUEUE_SIZE: u16 = 4;
/// Descriptor flag: the chain goes on at `next` (§2.7.5).
const VIRTQ_DESC_F_NEXT: u16 = 1;
/// Descriptor flag: the device writes the buffer.
const VIRTQ_DESC_F_WRITE: u16 = 2;

/// Offsets in the DMA region.
const DESC: usize = 0x000;
const AVAIL: usize = 0x200;
const USED: usize = 0x400;
const HEADER: usize = 0x1000;
const STATUS: usize = 0x1010;
const DATA: usize = 0x2000;
/// Bytes of DMA memory the queue and buffers take.
pub const DMA_BYTES: usize = DATA + DATA_MAX;

/// Orders the driver's writes to DMA memory before later writes, device
/// registers included (the device reads them from another observer).
fn write_barrier() {
    #[cfg(target_arch = "aarch64")]
    // SAFETY: a barrier; no memory is touched.
    unsafe {
        core::arch::asm!("dsb st", options(nostack, preserves_flags))
    };
}

/// Orders a read of the used ring before reads of what the device wrote.
fn read_barrier() {
    #[cfg(target_arch = "aarch64")]
    // SAFETY: a barrier; no memory is touched.
    unsafe {
        core::arch::asm!("dsb ld", options(nostack, preserves_flags))
    };
}

/// The queue and buffers in a DMA region.
pub struct Queue {
    va: usize,
    pa: u64,
    avail_idx: u16,
    last_used: u16,
}

impl Queue {
    /// The queue over `DMA_BYTES` of zeroed DMA memory at `va` (physical
    /// `pa`).
    ///
    /// # Safety
    /// The region is mapped read-write, physically contiguous from `pa`,
    /// and used by nothing else in this process.
    pub unsafe fn new(va: usize, pa: u64) -> Queue {
        Queue {
            va,
            pa,
            avail_idx: 0,
            last_used: 0,
        }
    }

    /// Physical addresses of the descriptor table, available and used
    /// rings, for `QueueDesc`, `QueueDriver` and `QueueDevice`.
    pub fn rings(&self) -> (u64, u64, u64) {
        (
            self.pa + DESC as u64,
            self.pa + AVAIL as u64,
            self.pa + USED as u64,
        )
    }

    fn write<T>(&self, offset: usize, value: T) {
        // SAFETY: inside the region (`new`), aligned by the layout above.
        unsafe { core::ptr::write_volatile((self.va + offset) as *mut T, value) }
    }

    fn read<T>(&self, offset: usize) -> T {
        // SAFETY: as for `write`.
        unsafe { core::ptr::read_volatile((self.va + offset) as *const T) }
    }

    /// The data buffer.
    pub fn data(&mut self) -> &mut [u8] {
        // SAFETY: DATA_MAX bytes inside the region, borrowed through
        // `&mut self`; the device writes it only while a request is in
        // flight, and `wait` orders its writes before our reads.
        unsafe { core::slice::from_raw_parts_mut((self.va + DATA) as *mut u8, DATA_MAX) }
    }

    fn descriptor(&self, n: u16, offset: usize, len: u32, flags: u16, next: u16) {
        let at = DESC + usize::from(n) * 16;
        self.write::<u64>(at, self.pa + offset as u64);
        self.write::<u32>(at + 8, len);
        self.write::<u16>(at + 12, flags);
        self.write::<u16>(at + 14, next);
    }

    /// Puts a request (virtio 1.2 §5.2.6: `type`, reserved, `sector`) with
    /// `data_len` bytes of the data buffer (0: none), written by the
    /// device if `device_writes`, on the available ring.
    pub fn submit(&mut self, kind: u32, sector: u64, data_len: usize, device_writes: bool) {
        self.write::<u32>(HEADER, kind);
        self.write::<u32>(HEADER + 4, 0);
        self.write::<u64>(HEADER + 8, sector);
        self.write::<u8>(STATUS, 0xff);
        if data_len > 0 {
            self.descriptor(0, HEADER, 16, VIRTQ_DESC_F_NEXT, 1);
            let w = if device_writes { VIRTQ_DESC_F_WRITE } else { 0 };
            self.descriptor(1, DATA, data_len as u32, VIRTQ_DESC_F_NEXT | w, 2);
        } else {
            self.descriptor(0, HEADER, 16, VIRTQ_DESC_F_NEXT, 2);
        }
        self.descriptor(2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
        let slot = AVAIL + 4 + usize::from(self.avail_idx % QUEUE_SIZE) * 2;
        self.write::<u16>(slot, 0);
        write_barrier();
        self.avail_idx = self.avail_idx.wrapping_add(1);
        self.write::<u16>(AVAIL + 2, self.avail_idx);
        write_barrier();
    }

    /// Whether the device has put the request on the used ring; if so,
    /// takes it and returns its status byte (virtio 1.2 §5.2.6:
    /// 0 `VIRTIO_BLK_S_OK`).
    pub fn take_used(&mut self) -> Option<u8> {
        let idx = self.read::<u16>(USED + 2);
        if idx == self.last_used {
            return None;
        }
        read_barrier();
        self.last_used = self.last_used.wrapping_add(1);
        Some(self.read::<u8>(STATUS))
    }
}
