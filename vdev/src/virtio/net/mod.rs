//! virtio-net (virtio 1.2 §5.1): one `receiveq`/`transmitq` pair, the MAC
//! in config space (`VIRTIO_NET_F_MAC`) and link status
//! (`VIRTIO_NET_F_STATUS`, always up).
//!
//! Frames the guest transmits (after the 12-byte `virtio_net_hdr`) go to
//! a [`NetLink`] ([`link`]); `qvm` links two VMs' cards (`peer`) with a
//! shared-memory [`ring::RingLink`]. The link applies back-pressure: a
//! frame it has no room for keeps its transmit buffer until
//! [`Net::poll`] finds room, and a received frame stays in the link until
//! the guest gives a receive buffer. Frames pushed by the host
//! ([`VirtioMmio::push_packet`]) wait in a queue of [`RX_QUEUE`] and go
//! first. Each is written behind a zeroed header (`num_buffers` = 1) into
//! one receive chain; one longer than the chain is dropped. No offloads
//! (checksum, GSO), mergeable buffers, control queue or multiqueue.

pub mod link;
pub mod ring;

pub use link::{NetLink, QueueLink, Unlinked};

use super::queue::{Chain, QueueError, Queues};
use super::{Backend, GuestMemory, VIRTIO_ID_NET, VirtioMmio, bit, copy_config};
use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// Queue 0: frames to the guest.
pub const RECEIVEQ: u16 = 0;
/// Queue 1: frames from the guest.
pub const TRANSMITQ: u16 = 1;
/// Feature bit 5: `mac` in config space.
pub const VIRTIO_NET_F_MAC: u32 = 5;
/// Feature bit 16: `status` in config space.
pub const VIRTIO_NET_F_STATUS: u32 = 16;
/// `status` bit: the link is up.
pub const VIRTIO_NET_S_LINK_UP: u16 = 1;
/// Bytes of `virtio_net_hdr` (with `num_buffers`, as in virtio 1.x).
pub const VIRTIO_NET_HDR_LEN: usize = 12;
/// Largest frame taken (transmitted or received), header excluded.
pub const MAX_FRAME: usize = 65535;
/// Received frames kept while the guest has no receive buffer.
pub const RX_QUEUE: usize = 64;

/// Counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetStats {
    /// Frames given to the link.
    pub tx: u64,
    /// Frames written into receive buffers.
    pub rx: u64,
    /// Frames dropped (too long, bad chain, host queue full).
    pub dropped: u64,
    /// Times a frame waited for room in the link.
    pub tx_stalls: u64,
}

/// The virtio-net backend.
pub struct Net<L: NetLink> {
    mac: [u8; 6],
    link: L,
    /// Host-pushed frames waiting for receive buffers.
    pending: VecDeque<Vec<u8>>,
    /// A transmitted frame the link had no room for, with its chain head.
    stalled: Option<(u16, Vec<u8>)>,
    /// The frame in hand (reused, so no frame costs an allocation).
    frame: Vec<u8>,
    stats: NetStats,
}

impl<L: NetLink> Net<L> {
    /// A network card with address `mac` on `link`.
    pub fn new(mac: [u8; 6], link: L) -> Self {
        Net {
            mac,
            link,
            pending: VecDeque::new(),
            stalled: None,
            frame: Vec::new(),
            stats: NetStats::default(),
        }
    }

    /// The link.
    pub fn link(&self) -> &L {
        &self.link
    }

    /// The link, mutable.
    pub fn link_mut(&mut self) -> &mut L {
        &mut self.link
    }

    /// The counters.
    pub fn stats(&self) -> NetStats {
        self.stats
    }

    /// Whether a transmitted frame waits for room in the link.
    pub fn tx_stalled(&self) -> bool {
        self.stalled.is_some()
    }

    /// Queues a host frame and delivers what fits; `false` (frame
    /// dropped) when it is too long or the queue is full.
    pub fn push_packet(&mut self, frame: &[u8], q: &mut Queues<'_>) -> Result<bool, QueueError> {
        if frame.len() > MAX_FRAME || self.pending.len() >= RX_QUEUE {
            self.stats.dropped += 1;
            return Ok(false);
        }
        self.pending.push_back(frame.to_vec());
        let r = self.deliver(q);
        self.link.flush();
        r.map(|()| true)
    }

    /// Work the link may have for the card: room for a stalled frame,
    /// frames for the guest. `qvm` calls it when the link's doorbell rings.
    pub fn poll(&mut self, q: &mut Queues<'_>) -> Result<(), QueueError> {
        let r = self.transmit(q).and_then(|()| self.deliver(q));
        self.link.flush();
        r
    }

    /// Writes the frame in `self.frame` behind its header into chain `c`.
    fn fill(&mut self, q: &mut Queues<'_>, c: Chain) -> Result<(), QueueError> {
        let mut hdr = [0u8; VIRTIO_NET_HDR_LEN];
        hdr[10] = 1; // num_buffers
        let total = (VIRTIO_NET_HDR_LEN + self.frame.len()) as u64;
        let ok = c.writable_len() >= total
            && c.write(q.mem(), 0, &hdr).is_ok()
            && c.write(q.mem(), VIRTIO_NET_HDR_LEN as u64, &self.frame)
                .is_ok();
        if ok {
            self.stats.rx += 1;
        } else {
            self.stats.dropped += 1;
        }
        q.push_used(RECEIVEQ, c.head, if ok { total as u32 } else { 0 })
    }

    /// Moves frames (host-pushed ones first, then the link's) into the
    /// guest's receive buffers while both last.
    fn deliver(&mut self, q: &mut Queues<'_>) -> Result<(), QueueError> {
        loop {
            let Some(len) = self
                .pending
                .front()
                .map(Vec::len)
                .or_else(|| self.link.peek())
            else {
                return Ok(());
            };
            let Some(c) = q.pop(RECEIVEQ)? else {
                return Ok(());
            };
            match self.pending.pop_front() {
                Some(f) => self.frame = f,
                None => {
                    self.frame.resize(len, 0);
                    self.link.recv(&mut self.frame);
                }
            }
            self.fill(q, c)?;
        }
    }

    fn transmit(&mut self, q: &mut Queues<'_>) -> Result<(), QueueError> {
        if let Some((head, frame)) = self.stalled.take() {
            if !self.link.send(&frame) {
                self.stalled = Some((head, frame));
                return Ok(());
            }
            self.stats.tx += 1;
            q.push_used(TRANSMITQ, head, 0)?;
        }
        while let Some(c) = q.pop(TRANSMITQ)? {
            let len = c.readable_len();
            let hdr = VIRTIO_NET_HDR_LEN as u64;
            if (hdr..=hdr + MAX_FRAME as u64).contains(&len) {
                self.frame.resize((len - hdr) as usize, 0);
                if c.read(q.mem() as &dyn GuestMemory, hdr, &mut self.frame)
                    .is_ok()
                {
                    if !self.link.send(&self.frame) {
                        self.stats.tx_stalls += 1;
                        self.stalled = Some((c.head, core::mem::take(&mut self.frame)));
                        return Ok(());
                    }
                    self.stats.tx += 1;
                } else {
                    self.stats.dropped += 1;
                }
            } else {
                self.stats.dropped += 1;
            }
            q.push_used(TRANSMITQ, c.head, 0)?;
        }
        Ok(())
    }
}

impl<L: NetLink> Backend for Net<L> {
    fn kind(&self) -> &'static str {
        "virtio-net"
    }
    fn device_id(&self) -> u32 {
        VIRTIO_ID_NET
    }
    fn features(&self) -> u64 {
        bit(VIRTIO_NET_F_MAC) | bit(VIRTIO_NET_F_STATUS)
    }
    fn num_queues(&self) -> u16 {
        2
    }
    fn read_config(&self, offset: usize, data: &mut [u8]) {
        let mut cfg = [0u8; 8];
        cfg[..6].copy_from_slice(&self.mac);
        cfg[6..].copy_from_slice(&VIRTIO_NET_S_LINK_UP.to_le_bytes());
        copy_config(&cfg, offset, data);
    }
    fn notify(&mut self, queue: u16, q: &mut Queues<'_>) -> Result<(), QueueError> {
        let r = match queue {
            TRANSMITQ => self.transmit(q),
            _ => self.deliver(q),
        };
        self.link.flush();
        r
    }
    fn reset(&mut self) {
        self.pending.clear();
        self.stalled = None;
    }
}

impl<M: GuestMemory + 'static, L: NetLink> VirtioMmio<M, Net<L>> {
    /// A frame received for the guest (see [`Net::push_packet`]). While the
    /// driver is not running the frame is dropped (`false`), as a card
    /// that is down would.
    pub fn push_packet(&mut self, frame: &[u8]) -> bool {
        self.with_backend(|n, q| n.push_packet(frame, q))
            .unwrap_or(false)
    }

    /// Serves what the link has for the card ([`Net::poll`]); `false`
    /// while the driver is not running.
    pub fn poll_link(&mut self) -> bool {
        self.with_backend(|n, q| n.poll(q)).is_some()
    }
}
