//! virtio-net (virtio 1.2 §5.1): one `receiveq`/`transmitq` pair, the MAC
//! in config space (`VIRTIO_NET_F_MAC`) and link status
//! (`VIRTIO_NET_F_STATUS`, always up).
//!
//! Frames the guest transmits (after the 12-byte `virtio_net_hdr`) go to a
//! [`PacketSink`]; `qvm` links two devices (`peer`) by giving one's sink
//! the other's [`VirtioMmio::push_packet`]. Received frames are written
//! behind a zeroed header (`num_buffers` = 1) into one receive chain; a
//! frame that finds no buffer waits in a queue of [`RX_QUEUE`] frames, and
//! one longer than the buffer is dropped. No offloads (checksum, GSO),
//! mergeable buffers, control queue or multiqueue.

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

/// Where transmitted frames go.
pub trait PacketSink: Send + 'static {
    /// Takes one Ethernet frame (no virtio header).
    fn send(&mut self, frame: &[u8]);
}

impl<F: FnMut(&[u8]) + Send + 'static> PacketSink for F {
    fn send(&mut self, frame: &[u8]) {
        self(frame)
    }
}

/// Collects frames (tests).
impl PacketSink for Vec<Vec<u8>> {
    fn send(&mut self, frame: &[u8]) {
        self.push(frame.to_vec())
    }
}

/// Counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NetStats {
    /// Frames sent to the sink.
    pub tx: u64,
    /// Frames written into receive buffers.
    pub rx: u64,
    /// Frames dropped (too long, bad chain, queue full).
    pub dropped: u64,
}

/// The virtio-net backend.
pub struct Net<P: PacketSink> {
    mac: [u8; 6],
    sink: P,
    pending: VecDeque<Vec<u8>>,
    stats: NetStats,
}

impl<P: PacketSink> Net<P> {
    /// A network card with address `mac`, transmitting to `sink`.
    pub fn new(mac: [u8; 6], sink: P) -> Self {
        Net {
            mac,
            sink,
            pending: VecDeque::new(),
            stats: NetStats::default(),
        }
    }

    /// The sink.
    pub fn sink(&self) -> &P {
        &self.sink
    }

    /// The counters.
    pub fn stats(&self) -> NetStats {
        self.stats
    }

    /// Queues a received frame and delivers what fits; `false` (frame
    /// dropped) when it is too long or the queue is full.
    pub fn push_packet(&mut self, frame: &[u8], q: &mut Queues<'_>) -> Result<bool, QueueError> {
        if !self.queue(frame) {
            return Ok(false);
        }
        self.deliver(q)?;
        Ok(true)
    }

    fn queue(&mut self, frame: &[u8]) -> bool {
        if frame.len() > MAX_FRAME || self.pending.len() >= RX_QUEUE {
            self.stats.dropped += 1;
            return false;
        }
        self.pending.push_back(frame.to_vec());
        true
    }

    fn deliver(&mut self, q: &mut Queues<'_>) -> Result<(), QueueError> {
        while let Some(frame) = self.pending.front() {
            let Some(c) = q.pop(RECEIVEQ)? else { break };
            let mut hdr = [0u8; VIRTIO_NET_HDR_LEN];
            hdr[10] = 1; // num_buffers
            let total = (VIRTIO_NET_HDR_LEN + frame.len()) as u64;
            let ok = c.writable_len() >= total
                && c.write(q.mem(), 0, &hdr).is_ok()
                && c.write(q.mem(), VIRTIO_NET_HDR_LEN as u64, frame).is_ok();
            if ok {
                self.stats.rx += 1;
            } else {
                self.stats.dropped += 1;
            }
            q.push_used(RECEIVEQ, c.head, if ok { total as u32 } else { 0 })?;
            self.pending.pop_front();
        }
        Ok(())
    }

    fn transmit(&mut self, q: &mut Queues<'_>) -> Result<(), QueueError> {
        while let Some(c) = q.pop(TRANSMITQ)? {
            let len = c.readable_len();
            let hdr = VIRTIO_NET_HDR_LEN as u64;
            if (hdr..=hdr + MAX_FRAME as u64).contains(&len) {
                let mut frame = alloc::vec![0u8; (len - hdr) as usize];
                if c.read(q.mem() as &dyn GuestMemory, hdr, &mut frame).is_ok() {
                    self.sink.send(&frame);
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

impl<P: PacketSink> Backend for Net<P> {
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
        match queue {
            TRANSMITQ => self.transmit(q),
            _ => self.deliver(q),
        }
    }
    fn reset(&mut self) {
        self.pending.clear();
    }
}

impl<M: GuestMemory + 'static, P: PacketSink> VirtioMmio<M, Net<P>> {
    /// A frame received for the guest (see [`Net::push_packet`]). While the
    /// driver is not running the frame is dropped (`false`), as a card
    /// that is down would.
    pub fn push_packet(&mut self, frame: &[u8]) -> bool {
        self.with_backend(|n, q| n.push_packet(frame, q))
            .unwrap_or(false)
    }
}
