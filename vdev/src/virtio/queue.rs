//! Split virtqueues (virtio 1.2 §2.7): the descriptor table, the available
//! (driver) ring and the used (device) ring, in guest memory.
//!
//! - Chains follow `VIRTQ_DESC_F_NEXT`; `VIRTQ_DESC_F_WRITE` buffers are
//!   device-writable and must follow the readable ones.
//! - `VIRTQ_DESC_F_INDIRECT` (with `VIRTIO_F_INDIRECT_DESC`): one table per
//!   chain, at most [`MAX_INDIRECT`] entries, no nesting, not with `NEXT`.
//! - A chain longer than the queue (or the indirect table), which is how a
//!   loop shows, is a [`ChainError`]: the chain goes back to the driver
//!   with used length 0 and the queue goes on.
//! - An available index more than the queue size ahead of the device, or
//!   rings outside guest memory, is a [`QueueError`]: the transport sets
//!   `DEVICE_NEEDS_RESET`.
//! - `VIRTIO_F_EVENT_IDX`: the device writes `avail_event` after each pop
//!   and interrupts only when the used index passes `used_event`
//!   (`vring_need_event`); without it, `VIRTQ_AVAIL_F_NO_INTERRUPT`.
//!
//! Ordering: the rings are shared with vCPUs running on other CPUs, so the
//! device fences as the spec's memory model asks (§2.7.7, §2.7.13): after
//! reading `avail.idx`, before publishing `used.idx`, and before reading
//! `used_event`. Ring fields (indices, flags, the available ring's heads,
//! descriptor fields, used elements) go through the typed
//! [`GuestMemory`] methods, one field per call, so `qvm` makes each a
//! single volatile access the driver sees whole and the compiler neither
//! repeats nor drops; each is read once and then checked. A driver that
//! keeps adding buffers keeps the device busy (on that guest's own vCPU
//! thread): stopping early could miss the notification the event index
//! promises.

pub use super::chain::{Buf, Chain, ChainError};
use super::memory::{GuestMemory, MemError, at};
use core::sync::atomic::{Ordering, fence};

/// Descriptor flag: the chain continues at `next`.
pub const VIRTQ_DESC_F_NEXT: u16 = 1;
/// Descriptor flag: the buffer is device-writable.
pub const VIRTQ_DESC_F_WRITE: u16 = 2;
/// Descriptor flag: the buffer is a table of indirect descriptors.
pub const VIRTQ_DESC_F_INDIRECT: u16 = 4;
/// Available-ring flag: the driver asks for no interrupts.
pub const VIRTQ_AVAIL_F_NO_INTERRUPT: u16 = 1;
/// Used-ring flag: the device asks for no notifications.
pub const VIRTQ_USED_F_NO_NOTIFY: u16 = 1;
/// Largest queue size the transport offers (`QueueNumMax`).
pub const QUEUE_SIZE_MAX: u16 = 256;
/// Most entries an indirect table may hold.
pub const MAX_INDIRECT: u32 = 1024;

/// A broken queue: the device needs a reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueError {
    /// The rings are outside guest memory.
    Mem(MemError),
    /// The available index ran more than the queue size ahead.
    AvailIndex,
}

impl From<MemError> for QueueError {
    fn from(e: MemError) -> Self {
        QueueError::Mem(e)
    }
}

/// A chain taken from the ring, or its head and why it is bad.
type Popped = Result<Chain, (u16, ChainError)>;

/// The state of one split virtqueue, as the transport's registers set it.
#[derive(Clone, Debug, Default)]
pub struct Virtqueue {
    /// `QueueNum`: the size the driver chose.
    pub(crate) num: u16,
    /// `QueueReady`.
    pub(crate) ready: bool,
    /// `QueueDesc`: the descriptor table.
    pub(crate) desc: u64,
    /// `QueueDriver`: the available ring.
    pub(crate) driver: u64,
    /// `QueueDevice`: the used ring.
    pub(crate) device: u64,
    last_avail: u16,
    used_idx: u16,
    signalled: u16,
    bad_chains: u64,
}

impl Virtqueue {
    /// Makes the queue ready (or not); a queue made ready starts at ring
    /// index 0.
    pub(crate) fn set_ready(&mut self, ready: bool) {
        if ready && !self.ready {
            (self.last_avail, self.used_idx, self.signalled) = (0, 0, 0);
        }
        self.ready = ready;
    }

    /// `QueueNum`, `QueueReady`, and the addresses of the descriptor table,
    /// available ring and used ring.
    pub fn layout(&self) -> (u16, bool, u64, u64, u64) {
        (self.num, self.ready, self.desc, self.driver, self.device)
    }

    /// Chains returned unserved because they were malformed.
    pub fn bad_chains(&self) -> u64 {
        self.bad_chains
    }

    /// The next available chain: `Ok(None)` when the ring is empty.
    fn pop(
        &mut self,
        mem: &mut dyn GuestMemory,
        f: &Features,
    ) -> Result<Option<Popped>, QueueError> {
        let num = u64::from(self.num);
        let avail_idx = mem.read_u16(at(self.driver, 2)?)?;
        // The ring entries and descriptors behind `idx` are read after it.
        fence(Ordering::Acquire);
        let pending = avail_idx.wrapping_sub(self.last_avail);
        if pending > self.num {
            return Err(QueueError::AvailIndex);
        }
        let mut head = None;
        if pending != 0 {
            let slot = at(self.driver, 4 + 2 * (u64::from(self.last_avail) % num))?;
            head = Some(mem.read_u16(slot)?);
            self.last_avail = self.last_avail.wrapping_add(1);
        }
        if f.event_idx {
            mem.write_u16(at(self.device, 4 + 8 * num)?, self.last_avail)?;
        }
        Ok(head.map(|h| self.walk(mem, h, f.indirect).map_err(|e| (h, e))))
    }

    fn walk(
        &self,
        mem: &dyn GuestMemory,
        head: u16,
        indirect_ok: bool,
    ) -> Result<Chain, ChainError> {
        let mut chain = Chain {
            head,
            ..Chain::default()
        };
        let (mut table, mut size, mut idx) = (self.desc, u32::from(self.num), u32::from(head));
        let (mut count, mut nested) = (0, false);
        loop {
            if idx >= size {
                return Err(ChainError::BadIndex);
            }
            count += 1;
            if count > size {
                return Err(ChainError::TooLong);
            }
            // struct virtq_desc { le64 addr; le32 len; le16 flags; le16 next; },
            // each field read once, whole.
            let d = at(table, 16 * u64::from(idx))?;
            let addr = mem.read_u64(d)?;
            let len = mem.read_u32(at(d, 8)?)?;
            let flags = mem.read_u16(at(d, 12)?)?;
            let next = mem.read_u16(at(d, 14)?)?;
            if flags & VIRTQ_DESC_F_INDIRECT != 0 {
                let n = len / 16;
                if !indirect_ok || nested || flags & VIRTQ_DESC_F_NEXT != 0 {
                    return Err(ChainError::BadIndirect);
                }
                if len % 16 != 0 || n == 0 || n > MAX_INDIRECT {
                    return Err(ChainError::BadIndirect);
                }
                (table, size, idx, count, nested) = (addr, n, 0, 0, true);
                continue;
            }
            let buf = Buf { addr, len };
            if flags & VIRTQ_DESC_F_WRITE != 0 {
                chain.writable.push(buf);
            } else if chain.writable.is_empty() {
                chain.readable.push(buf);
            } else {
                return Err(ChainError::BadOrder);
            }
            if flags & VIRTQ_DESC_F_NEXT == 0 {
                return Ok(chain);
            }
            idx = u32::from(next);
        }
    }

    fn push_used(
        &mut self,
        mem: &mut dyn GuestMemory,
        head: u16,
        len: u32,
    ) -> Result<(), QueueError> {
        let slot = at(
            self.device,
            4 + 8 * (u64::from(self.used_idx) % u64::from(self.num)),
        )?;
        // struct virtq_used_elem { le32 id; le32 len; }
        mem.write_u32(slot, u32::from(head))?;
        mem.write_u32(at(slot, 4)?, len)?;
        self.used_idx = self.used_idx.wrapping_add(1);
        // The element is visible before the index that publishes it.
        fence(Ordering::Release);
        mem.write_u16(at(self.device, 2)?, self.used_idx)?;
        Ok(())
    }

    /// Whether the used entries added since the last call call for an
    /// interrupt (§2.7.10).
    fn needs_interrupt(
        &mut self,
        mem: &dyn GuestMemory,
        event_idx: bool,
    ) -> Result<bool, QueueError> {
        let (old, new) = (self.signalled, self.used_idx);
        if old == new || !self.ready {
            return Ok(false);
        }
        self.signalled = new;
        // Our used index is out before we read the driver's event (the
        // driver does the mirror image: virtio_mb in Linux).
        fence(Ordering::SeqCst);
        if event_idx {
            let used_event = mem.read_u16(at(self.driver, 4 + 2 * u64::from(self.num))?)?;
            Ok(new.wrapping_sub(used_event).wrapping_sub(1) < new.wrapping_sub(old))
        } else {
            Ok(mem.read_u16(self.driver)? & VIRTQ_AVAIL_F_NO_INTERRUPT == 0)
        }
    }
}

/// Negotiated ring features.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Features {
    pub indirect: bool,
    pub event_idx: bool,
}

/// What a [`Backend`](super::Backend) works with while serving queues:
/// guest memory and the device's virtqueues.
pub struct Queues<'a> {
    pub(crate) mem: &'a mut dyn GuestMemory,
    pub(crate) queues: &'a mut [Virtqueue],
    pub(crate) features: Features,
}

impl Queues<'_> {
    /// Guest memory.
    pub fn mem(&mut self) -> &mut dyn GuestMemory {
        self.mem
    }

    /// The next well-formed chain of queue `qi` (`None`: empty or not
    /// ready). Malformed chains are returned to the driver with used length
    /// 0 and counted ([`Virtqueue::bad_chains`]).
    pub fn pop(&mut self, qi: u16) -> Result<Option<Chain>, QueueError> {
        let Some(q) = self.queues.get_mut(usize::from(qi)).filter(|q| q.ready) else {
            return Ok(None);
        };
        // At most `num` chains can be pending: the bound on this loop.
        for _ in 0..=q.num {
            match q.pop(self.mem, &self.features)? {
                None => return Ok(None),
                Some(Ok(chain)) => return Ok(Some(chain)),
                Some(Err((head, _))) => {
                    q.bad_chains += 1;
                    q.push_used(self.mem, head, 0)?;
                }
            }
        }
        Ok(None)
    }

    /// Returns chain `head` of queue `qi` with `len` bytes written.
    pub fn push_used(&mut self, qi: u16, head: u16, len: u32) -> Result<(), QueueError> {
        match self.queues.get_mut(usize::from(qi)) {
            Some(q) if q.ready => q.push_used(self.mem, head, len),
            _ => Ok(()),
        }
    }

    /// Whether queue `qi` has buffers the device has not taken yet.
    pub fn has_available(&mut self, qi: u16) -> Result<bool, QueueError> {
        match self.queues.get(usize::from(qi)) {
            Some(q) if q.ready => Ok(self.mem.read_u16(at(q.driver, 2)?)? != q.last_avail),
            _ => Ok(false),
        }
    }

    /// After a backend ran: whether any queue needs an interrupt.
    pub(crate) fn interrupt_due(&mut self) -> Result<bool, QueueError> {
        let mut due = false;
        for q in self.queues.iter_mut() {
            due |= q.needs_interrupt(self.mem, self.features.event_idx)?;
        }
        Ok(due)
    }
}
