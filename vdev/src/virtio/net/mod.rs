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

use super::queue::{QueueError, Queues};
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
        self.deliver(q)?;
        Ok(true)
    }

    /// Work the link may have for the card: room for a stalled frame,
    /// frames for the guest. `qvm` calls it when the link's doorbell rings.
    pub fn poll(&mut self, q: &mut Queues<'_>) -> Result<(), QueueError> {
        let r = self.transmit(q).and_then(|()| self.deliver(q));
        self.link.flush();
        r
    }

    /// Writes one frame behind its header into the next receive chain;
    /// `false` if the guest has no buffer.
    fn fill_one(
        &mut self,
        q: &mut Queues<'_>,
        frame: impl FnOnce(&mut L) -> Vec<u8>,
    ) -> Result<bool, QueueError> {
        let Some(c) = q.pop(RECEIVEQ)? else {
            return Ok(false);
        };
        let frame = frame(&mut self.link);
        let mut hdr = [0u8; VIRTIO_NET_HDR_LEN];
        hdr[10] = 1; // num_buffers
        let total = (VIRTIO_NET_HDR_LEN + frame.len()) as u64;
        let ok = c.writable_len() >= total
            && c.write(q.mem(), 0, &hdr).is_ok()
            && c.write(q.mem(), VIRTIO_NET_HDR_LEN as u64, &frame).is_ok();
        if ok {
            self.stats.rx += 1;
        } else {
            self.stats.dropped += 1;
        }
        q.push_used(RECEIVEQ, c.head, if ok { total as u32 } else { 0 })?;
        Ok(true)
    }

    fn deliver(&mut self, q: &mut Queues<'_>) -> Result<(), QueueError> {
        while let Some(frame) = self.pending.pop_front() {
            let mut frame = Some(frame);
            if !self.fill_one(q, |_| frame.take().unwrap_or_default())? {
                if let Some(f) = frame {
                    self.pending.push_front(f);
                }
                return Ok(());
            }
        }
        while let Some(len) = self.link.peek() {
            let taken = self.fill_one(q, |link| {
                let mut buf = alloc::vec![0u8; len];
                link.recv(&mut buf);
                buf
            })?;
            if !taken {
                break;
            }
        }
        Ok(())
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
                let mut frame = alloc::vec![0u8; (len - hdr) as usize];
                if c.read(q.mem() as &dyn GuestMemory, hdr, &mut frame).is_ok() {
                    if !self.link.send(&frame) {
                        self.stats.tx_stalls += 1;
                        self.stalled = Some((c.head, frame));
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
