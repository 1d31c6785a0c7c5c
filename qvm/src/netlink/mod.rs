//! `peer` links: a virtio-net card's shared-memory ring to another VM's
//! card (`vdev::virtio::net::ring`) and the kernel shared-memory object it
//! lives in; the thread that serves the card when the other end rings is
//! in [`serve`], above the VM it serves.

pub mod serve;

use abi::prot;
use alloc::boxed::Box;
use alloc::string::String;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering::SeqCst};
use qvm::layout::links::NetLinkEnd;
use qvm::window::Window;
use ulib::sys;
use vdev::virtio::net::Net;
use vdev::virtio::net::ring::{RingLink, SharedMemory, Waiter, region_size};

/// Bytes of each direction's ring: about 350 full-size frames in flight.
pub const RING_BYTES: usize = 512 * 1024;

/// Where `qvm` maps shared regions (above guest RAM's window, from the
/// bottom of the process's range: 0 on ARM, 512 GiB on x86).
const SHM_WINDOW: usize = abi::USER_BASE + 0x50_0000_0000;
/// The next free address in that window.
static NEXT_VA: AtomicUsize = AtomicUsize::new(SHM_WINDOW);

/// A linked card's model on the bus.
pub type LinkedNet = vdev::VirtioMmio<crate::guestmem::GuestRam, Net<RingLink<ShmRegion>>>;

/// A shared-memory object mapped read-write in this process, which the
/// other end's `qvm` reads and writes at the same time.
///
/// - The ring's control words (`head`, `tail`, `blocked`, `bell`,
///   `asleep`) are `AtomicU32`s, sequentially consistent, not `volatile`
///   accesses: they order the frame bytes around them (a head is stored
///   after the record it publishes, a tail after the bytes it frees, and
///   the other end reads the bytes only after loading that word: a
///   release/acquire pair, which volatile accesses do not make), the
///   doorbell needs an atomic add, the sleep protocol a store then a load
///   that no CPU reorders (`Waiter`), and futexes wait on them.
/// - The records (length words and frame bytes) go through a
///   [`Window`]: volatile copies that read each byte once, so the length
///   the ring checked is the length it copies, whatever the other side
///   writes meanwhile. The atomics around them give the order.
#[derive(Clone, Copy, Debug)]
pub struct ShmRegion {
    window: Window,
}

impl ShmRegion {
    /// Opens (or creates) the object `name` of `len` bytes and maps it.
    pub fn open(name: &str, len: usize) -> Result<ShmRegion, String> {
        let handle = sys::shm_open(name, len)
            .map_err(|e| alloc::format!("cannot open shared memory {name}: {}", e.name()))?;
        let va = NEXT_VA.fetch_add(len.next_multiple_of(2 << 20) + (2 << 20), SeqCst);
        let mapped = sys::shm_map(handle, va, prot::READ | prot::WRITE);
        // The mapping keeps the object for the rest of this process.
        let _ = sys::handle_close(handle);
        mapped.map_err(|e| alloc::format!("cannot map shared memory {name}: {}", e.name()))?;
        let base = NonNull::new(va as *mut u8).ok_or("shared memory mapped at 0")?;
        // SAFETY: the kernel mapped the `len` bytes at `va` read-write for
        // the rest of the process (nothing unmaps them), in a window of
        // addresses no allocation uses; they are reached only through this
        // window and the atomics of `word`.
        let window = unsafe { Window::new(base, len) };
        Ok(ShmRegion { window })
    }

    /// The 32-bit word at `offset` (4-aligned, inside the region).
    pub fn word(&self, offset: usize) -> &AtomicU32 {
        assert!(offset.is_multiple_of(4) && offset + 4 <= self.window.len());
        // SAFETY: `offset` is 4-aligned and inside the region (the window's
        // base is page-aligned), which stays mapped read-write until the
        // process ends; both processes touch these words only atomically.
        unsafe { AtomicU32::from_ptr(self.window.as_ptr(offset).cast::<u32>()) }
    }
}

impl SharedMemory for ShmRegion {
    fn len(&self) -> usize {
        self.window.len()
    }
    fn load(&self, offset: usize) -> u32 {
        self.word(offset).load(SeqCst)
    }
    fn store(&self, offset: usize, value: u32) {
        self.word(offset).store(value, SeqCst)
    }
    fn fetch_add(&self, offset: usize, value: u32) -> u32 {
        self.word(offset).fetch_add(value, SeqCst)
    }
    fn read(&self, offset: usize, buf: &mut [u8]) {
        // The ring computes every offset inside the region (a bug if not).
        // The protocol gives these bytes to this side until it publishes
        // its tail; a misbehaving other side can only change their values,
        // which the ring checks in its copy.
        self.window
            .read(offset, buf)
            .expect("peer ring read inside the region");
    }
    fn write(&self, offset: usize, data: &[u8]) {
        // As in `read`: these bytes are this side's until it publishes its
        // head.
        self.window
            .write(offset, data)
            .expect("peer ring write inside the region");
    }
    fn wake(&self, offset: usize) {
        let _ = sys::futex_wake(self.word(offset), usize::MAX);
    }
}

/// A linked card's end of its link, for the thread that serves it.
pub type LinkWaiter = Waiter<ShmRegion>;

/// A virtio-net card: on its `peer` link, or on none.
pub fn net_model(
    name: &str,
    dev: &qvm::layout::VdevLayout,
    mem: &crate::guestmem::GuestMem,
) -> Result<(Box<dyn vdev::Vdev>, Option<LinkWaiter>), String> {
    use vdev::virtio::net::{Net, Unlinked};
    let mac = match &dev.config.options {
        qvm::config::DeviceOptions::Net { mac: Some(mac), .. } => *mac,
        // A locally administered address from the slot.
        _ => [
            0x52,
            0x54,
            0x00,
            0x00,
            (dev.slot.base >> 12) as u8,
            dev.intid.unwrap_or(0) as u8,
        ],
    };
    // `links::check` made sure a card with a peer has a name and the VM
    // one too (`name`).
    let (Some(peer), Some(card)) = (
        qvm::layout::links::peer_of(&dev.config),
        dev.config.name.as_deref(),
    ) else {
        return Ok((
            Box::new(vdev::VirtioMmio::new(mem.ram(), Net::new(mac, Unlinked))),
            None,
        ));
    };
    let end = qvm::layout::links::link_end(name, card, peer);
    let link = open(&end).map_err(|e| alloc::format!("{}: {e}", dev.config.origin))?;
    let waiter = link.waiter();
    Ok((
        Box::new(vdev::VirtioMmio::new(mem.ram(), Net::new(mac, link))),
        Some(waiter),
    ))
}

/// This card's end of its link.
pub fn open(end: &NetLinkEnd) -> Result<RingLink<ShmRegion>, String> {
    let region = ShmRegion::open(&end.region, region_size(RING_BYTES))?;
    RingLink::attach(region, end.end)
        .map_err(|e| alloc::format!("shared memory {} of {} bytes", end.region, e.len))
}
