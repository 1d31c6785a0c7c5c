//! Glue to drive the device models with the `virtio-drivers` crate as the
//! guest driver: a `Transport` that turns each of its calls into the same
//! register reads and writes its `MmioTransport` (version 2) makes, on a
//! software `VirtioMmio`; a `Hal` whose physical addresses are host
//! addresses; and a `GuestMemory` that only lets the device touch memory
//! the driver allocated or shared (all else is a `MemError`) and counts
//! byte copies that touch the virtqueues (ring fields must go through the
//! typed methods).
#![allow(dead_code)]

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::cell::RefCell;
use std::ptr::NonNull;
use std::rc::Rc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use vdev::Vdev;
use vdev::virtio::mmio::regs::*;
use vdev::virtio::{Backend, GuestMemory, MemError, VirtioMmio};
use virtio_drivers::transport::{DeviceStatus, DeviceType, InterruptStatus, Transport};
use virtio_drivers::{BufferDirection, Error, Hal, PhysAddr};
use zerocopy::{FromBytes, Immutable, IntoBytes};

const PAGE: usize = 4096;

/// Host ranges (start, len) the device may touch.
static SHARED: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());

fn allowed(gpa: u64, len: usize) -> Result<(), MemError> {
    let end = gpa.checked_add(len as u64).ok_or(MemError { gpa })?;
    let ok = SHARED
        .lock()
        .unwrap()
        .iter()
        .any(|&(s, l)| gpa >= s && end <= s + l);
    if ok { Ok(()) } else { Err(MemError { gpa }) }
}

fn forget(start: u64) {
    let mut s = SHARED.lock().unwrap();
    if let Some(i) = s.iter().position(|&(a, _)| a == start) {
        s.swap_remove(i);
    }
}

/// Ranges (start, len) the driver got from `dma_alloc`: its virtqueues.
static RINGS: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());
/// Byte-copy accesses of the device that touched a virtqueue.
static BULK_RING_ACCESSES: AtomicUsize = AtomicUsize::new(0);
/// Typed (`read_u16`, ...) accesses of the device.
static TYPED_ACCESSES: AtomicUsize = AtomicUsize::new(0);

/// Byte copies (`GuestMemory::read`/`write`) the device made that touched
/// ring memory; the ring fields must go through the typed methods, which
/// `qvm` makes single accesses. Zero in every test.
pub fn bulk_ring_accesses() -> usize {
    BULK_RING_ACCESSES.load(Ordering::SeqCst)
}

/// Typed accesses the device made (all tests together).
pub fn typed_accesses() -> usize {
    TYPED_ACCESSES.load(Ordering::SeqCst)
}

fn note_bulk(gpa: u64, len: usize) {
    let end = gpa.saturating_add(len as u64);
    if RINGS
        .lock()
        .unwrap()
        .iter()
        .any(|&(s, l)| gpa < s + l && end > s)
    {
        BULK_RING_ACCESSES.fetch_add(1, Ordering::SeqCst);
    }
}

/// Guest memory = host memory the driver shared.
pub struct HostMem;

impl HostMem {
    fn load<const N: usize>(gpa: u64) -> Result<[u8; N], MemError> {
        allowed(gpa, N)?;
        TYPED_ACCESSES.fetch_add(1, Ordering::SeqCst);
        // SAFETY: as for `read`.
        Ok(unsafe { std::ptr::read_unaligned(gpa as *const [u8; N]) })
    }

    fn store<const N: usize>(gpa: u64, bytes: [u8; N]) -> Result<(), MemError> {
        allowed(gpa, N)?;
        TYPED_ACCESSES.fetch_add(1, Ordering::SeqCst);
        // SAFETY: as for `write`.
        unsafe { std::ptr::write_unaligned(gpa as *mut [u8; N], bytes) };
        Ok(())
    }
}

impl GuestMemory for HostMem {
    fn read(&self, gpa: u64, buf: &mut [u8]) -> Result<(), MemError> {
        allowed(gpa, buf.len())?;
        note_bulk(gpa, buf.len());
        // SAFETY: the range lies inside a live allocation or shared buffer
        // of the driver (checked above); the test is single-threaded.
        unsafe { std::ptr::copy_nonoverlapping(gpa as *const u8, buf.as_mut_ptr(), buf.len()) };
        Ok(())
    }

    fn write(&mut self, gpa: u64, data: &[u8]) -> Result<(), MemError> {
        allowed(gpa, data.len())?;
        note_bulk(gpa, data.len());
        // SAFETY: as for `read`; the driver lent the buffer to the device.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), gpa as *mut u8, data.len()) };
        Ok(())
    }

    fn read_u16(&self, gpa: u64) -> Result<u16, MemError> {
        Self::load(gpa).map(u16::from_le_bytes)
    }
    fn read_u32(&self, gpa: u64) -> Result<u32, MemError> {
        Self::load(gpa).map(u32::from_le_bytes)
    }
    fn read_u64(&self, gpa: u64) -> Result<u64, MemError> {
        Self::load(gpa).map(u64::from_le_bytes)
    }
    fn write_u16(&mut self, gpa: u64, value: u16) -> Result<(), MemError> {
        Self::store(gpa, value.to_le_bytes())
    }
    fn write_u32(&mut self, gpa: u64, value: u32) -> Result<(), MemError> {
        Self::store(gpa, value.to_le_bytes())
    }
    fn write_u64(&mut self, gpa: u64, value: u64) -> Result<(), MemError> {
        Self::store(gpa, value.to_le_bytes())
    }
}

/// Identity-mapped DMA from the host heap.
pub struct TestHal;

// SAFETY: allocations are page-aligned, zeroed and live until
// `dma_dealloc`; "physical" addresses are the host addresses themselves.
unsafe impl Hal for TestHal {
    fn dma_alloc(pages: usize, _dir: BufferDirection) -> (PhysAddr, NonNull<u8>) {
        let layout = Layout::from_size_align(pages * PAGE, PAGE).unwrap();
        // SAFETY: the layout has a non-zero size.
        let p = NonNull::new(unsafe { alloc_zeroed(layout) }).expect("allocation");
        let range = (p.as_ptr() as u64, (pages * PAGE) as u64);
        SHARED.lock().unwrap().push(range);
        RINGS.lock().unwrap().push(range);
        (p.as_ptr() as u64, p)
    }

    unsafe fn dma_dealloc(paddr: PhysAddr, vaddr: NonNull<u8>, pages: usize) -> i32 {
        forget(paddr);
        let mut rings = RINGS.lock().unwrap();
        if let Some(i) = rings.iter().position(|&(a, _)| a == paddr) {
            rings.swap_remove(i);
        }
        drop(rings);
        let layout = Layout::from_size_align(pages * PAGE, PAGE).unwrap();
        // SAFETY: `vaddr` came from `dma_alloc` with this layout.
        unsafe { dealloc(vaddr.as_ptr(), layout) };
        0
    }

    unsafe fn mmio_phys_to_virt(_paddr: PhysAddr, _size: usize) -> NonNull<u8> {
        unreachable!("the software transport maps no MMIO")
    }

    unsafe fn share(buffer: NonNull<[u8]>, _dir: BufferDirection) -> PhysAddr {
        let addr = buffer.as_ptr() as *mut u8 as u64;
        SHARED.lock().unwrap().push((addr, buffer.len() as u64));
        addr
    }

    unsafe fn unshare(paddr: PhysAddr, _buffer: NonNull<[u8]>, _dir: BufferDirection) {
        forget(paddr);
    }
}

/// `virtio_drivers::Transport` over a software `VirtioMmio`.
pub struct Soft<B: Backend> {
    pub dev: Dev<B>,
}

/// The device, shared between the driver's transport and the test.
pub type Dev<B> = Rc<RefCell<VirtioMmio<HostMem, B>>>;

impl<B: Backend> Soft<B> {
    /// A transport and the test's handle on the device.
    pub fn new(backend: B) -> (Self, Dev<B>) {
        let dev = Rc::new(RefCell::new(VirtioMmio::new(HostMem, backend)));
        (Soft { dev: dev.clone() }, dev)
    }
    fn r(&self, off: u64) -> u32 {
        self.dev.borrow_mut().read(off, 4).unwrap() as u32
    }
    fn w(&self, off: u64, v: u32) {
        self.dev.borrow_mut().write(off, 4, u64::from(v)).unwrap()
    }
}

impl<B: Backend> Transport for Soft<B> {
    fn device_type(&self) -> DeviceType {
        DeviceType::try_from(self.r(VIRTIO_MMIO_DEVICE_ID)).unwrap()
    }
    fn read_device_features(&mut self) -> u64 {
        self.w(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
        let lo = self.r(VIRTIO_MMIO_DEVICE_FEATURES);
        self.w(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
        u64::from(lo) | u64::from(self.r(VIRTIO_MMIO_DEVICE_FEATURES)) << 32
    }
    fn write_driver_features(&mut self, f: u64) {
        self.w(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
        self.w(VIRTIO_MMIO_DRIVER_FEATURES, f as u32);
        self.w(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
        self.w(VIRTIO_MMIO_DRIVER_FEATURES, (f >> 32) as u32);
    }
    fn max_queue_size(&mut self, queue: u16) -> u32 {
        self.w(VIRTIO_MMIO_QUEUE_SEL, queue.into());
        self.r(VIRTIO_MMIO_QUEUE_NUM_MAX)
    }
    fn notify(&mut self, queue: u16) {
        self.w(VIRTIO_MMIO_QUEUE_NOTIFY, queue.into())
    }
    fn get_status(&self) -> DeviceStatus {
        DeviceStatus::from_bits_truncate(self.r(VIRTIO_MMIO_STATUS))
    }
    fn set_status(&mut self, status: DeviceStatus) {
        self.w(VIRTIO_MMIO_STATUS, status.bits())
    }
    fn set_guest_page_size(&mut self, _size: u32) {}
    fn requires_legacy_layout(&self) -> bool {
        false
    }
    fn queue_set(
        &mut self,
        queue: u16,
        size: u32,
        desc: PhysAddr,
        driver: PhysAddr,
        device: PhysAddr,
    ) {
        self.w(VIRTIO_MMIO_QUEUE_SEL, queue.into());
        self.w(VIRTIO_MMIO_QUEUE_NUM, size);
        for (lo, a) in [
            (VIRTIO_MMIO_QUEUE_DESC_LOW, desc),
            (VIRTIO_MMIO_QUEUE_AVAIL_LOW, driver),
            (VIRTIO_MMIO_QUEUE_USED_LOW, device),
        ] {
            self.w(lo, a as u32);
            self.w(lo + 4, (a >> 32) as u32);
        }
        self.w(VIRTIO_MMIO_QUEUE_READY, 1);
    }
    fn queue_unset(&mut self, queue: u16) {
        self.w(VIRTIO_MMIO_QUEUE_SEL, queue.into());
        self.w(VIRTIO_MMIO_QUEUE_READY, 0);
        assert_eq!(self.r(VIRTIO_MMIO_QUEUE_READY), 0);
        for reg in [
            VIRTIO_MMIO_QUEUE_NUM,
            VIRTIO_MMIO_QUEUE_DESC_LOW,
            VIRTIO_MMIO_QUEUE_DESC_HIGH,
        ] {
            self.w(reg, 0);
        }
    }
    fn queue_used(&mut self, queue: u16) -> bool {
        self.w(VIRTIO_MMIO_QUEUE_SEL, queue.into());
        self.r(VIRTIO_MMIO_QUEUE_READY) != 0
    }
    fn ack_interrupt(&mut self) -> InterruptStatus {
        let s = self.r(VIRTIO_MMIO_INTERRUPT_STATUS);
        if s != 0 {
            self.w(VIRTIO_MMIO_INTERRUPT_ACK, s);
        }
        InterruptStatus::from_bits_truncate(s)
    }
    fn read_config_generation(&self) -> u32 {
        self.r(VIRTIO_MMIO_CONFIG_GENERATION)
    }
    fn read_config_space<T: FromBytes + IntoBytes>(&self, offset: usize) -> Result<T, Error> {
        let n = size_of::<T>();
        if offset + n > 0x100 {
            return Err(Error::ConfigSpaceTooSmall);
        }
        // Byte by byte: every access size is legal in config space.
        let bytes: Vec<u8> = (0..n)
            .map(|i| {
                self.dev
                    .borrow_mut()
                    .read(VIRTIO_MMIO_CONFIG + (offset + i) as u64, 1)
                    .unwrap() as u8
            })
            .collect();
        Ok(T::read_from_bytes(&bytes).unwrap())
    }
    fn write_config_space<T: IntoBytes + Immutable>(
        &mut self,
        offset: usize,
        value: T,
    ) -> Result<(), Error> {
        if offset + size_of::<T>() > 0x100 {
            return Err(Error::ConfigSpaceTooSmall);
        }
        for (i, b) in value.as_bytes().iter().enumerate() {
            let off = VIRTIO_MMIO_CONFIG + (offset + i) as u64;
            self.dev.borrow_mut().write(off, 1, u64::from(*b)).unwrap();
        }
        Ok(())
    }
}
