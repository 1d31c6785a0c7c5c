//! Where a virtio-net card's frames go and come from: the [`NetLink`]
//! trait, a link to nowhere ([`Unlinked`]) and an in-memory one for tests
//! ([`QueueLink`]). Two VMs' cards are linked by a shared-memory ring
//! ([`super::ring::RingLink`]).

use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// One end of a network link, as a virtio-net card uses it.
///
/// A link applies back-pressure instead of dropping: [`NetLink::send`]
/// says `false` when it has no room, and the card keeps the frame (and the
/// guest's buffer) until [`Net::poll`](super::Net::poll) finds room.
/// Received frames stay in the link until the guest has a buffer for them.
pub trait NetLink: Send + 'static {
    /// Takes one Ethernet frame (no virtio header) if there is room now.
    fn send(&mut self, frame: &[u8]) -> bool;
    /// Length of the next received frame, if one is waiting. A link never
    /// reports a frame longer than [`MAX_FRAME`](super::MAX_FRAME).
    fn peek(&mut self) -> Option<usize>;
    /// Takes the next received frame into `buf` (of the length
    /// [`NetLink::peek`] gave).
    fn recv(&mut self, buf: &mut [u8]);
    /// The end of a batch of sends and receives: tell the other end.
    fn flush(&mut self) {}
}

/// A card with no peer: frames sent are gone, nothing arrives.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unlinked;

impl NetLink for Unlinked {
    fn send(&mut self, _frame: &[u8]) -> bool {
        true
    }
    fn peek(&mut self) -> Option<usize> {
        None
    }
    fn recv(&mut self, _buf: &mut [u8]) {}
}

/// Collects what is sent (tests, tools); nothing arrives.
impl NetLink for Vec<Vec<u8>> {
    fn send(&mut self, frame: &[u8]) -> bool {
        self.push(frame.to_vec());
        true
    }
    fn peek(&mut self) -> Option<usize> {
        None
    }
    fn recv(&mut self, _buf: &mut [u8]) {}
}

/// An in-memory link end with a bound on frames in flight each way
/// (tests): `sent` is what the card transmitted, `incoming` what it will
/// receive.
#[derive(Clone, Debug, Default)]
pub struct QueueLink {
    /// Frames the card sent.
    pub sent: VecDeque<Vec<u8>>,
    /// Frames waiting for the card.
    pub incoming: VecDeque<Vec<u8>>,
    /// Most frames `sent` holds before [`NetLink::send`] says no room.
    pub room: usize,
    /// [`NetLink::flush`] calls.
    pub flushes: usize,
}

impl QueueLink {
    /// A link end that holds at most `room` sent frames.
    pub fn new(room: usize) -> Self {
        QueueLink {
            room,
            ..Default::default()
        }
    }
}

impl NetLink for QueueLink {
    fn send(&mut self, frame: &[u8]) -> bool {
        if self.sent.len() >= self.room {
            return false;
        }
        self.sent.push_back(frame.to_vec());
        true
    }
    fn peek(&mut self) -> Option<usize> {
        self.incoming.front().map(Vec::len)
    }
    fn recv(&mut self, buf: &mut [u8]) {
        if let Some(f) = self.incoming.pop_front() {
            let n = buf.len().min(f.len());
            buf[..n].copy_from_slice(&f[..n]);
        }
    }
    fn flush(&mut self) {
        self.flushes += 1;
    }
}
