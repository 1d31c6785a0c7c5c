//! A `peer` link between two VMs' virtio-net cards: two single-producer,
//! single-consumer frame rings in memory shared by the two `qvm`
//! processes, and a doorbell word per end that the other end bumps (and
//! futex-wakes) when it has sent frames or freed room the first was
//! waiting for.
//!
//! Layout of the region (all words little-endian `u32`, each group on its
//! own cache line):
//!
//! | offset | word |
//! |---:|---|
//! | 64 + 128·d | `head` of ring d: bytes ever written (wrapping) |
//! | 128 + 128·d | `tail` of ring d: bytes ever consumed (wrapping) |
//! | 132 + 128·d | `blocked` of ring d: its producer waits for room |
//! | 320 + 64·e | `bell` of end e |
//! | 324 + 64·e | `asleep` of end e: its waiter is (about to be) in a futex wait |
//! | 4096 + cap·d | the bytes of ring d (`cap` a power of two) |
//!
//! End 0 (the lower of the two names) writes ring 0 and reads ring 1; end
//! 1 the other way round. A record is the frame length (`u32`) and the
//! frame, padded to 4 bytes; records wrap around the ring's end. An all-zero
//! region is two empty rings, so a fresh region needs no setting up.
//!
//! Nothing read from the region is trusted: the other end is another
//! process. A head or record length that cannot be right makes this end
//! drop what is in that ring (counted in [`RingLink::errors`]), never
//! read or write outside the region.

use super::MAX_FRAME;
use super::link::NetLink;

/// Bytes before the first ring.
pub const RING_HEADER: usize = 4096;
/// Length prefix of a record.
const RECORD_HEADER: u32 = 4;

/// Memory shared with another process, as the ring sees it. Offsets are
/// bytes from the start; word offsets are 4-byte aligned and inside. The
/// word operations are sequentially consistent atomics: they order the
/// byte copies around them (a record is written before the head that
/// publishes it, read after the head is loaded). `read` must read each
/// byte once (in `qvm`, volatile copies): the ring checks a record's
/// length in its copy and must use what it checked, whatever the other
/// side writes meanwhile.
pub trait SharedMemory: Send + 'static {
    /// Bytes in the region.
    fn len(&self) -> usize;
    /// Whether the region is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Atomic load of the word at `offset`.
    fn load(&self, offset: usize) -> u32;
    /// Atomic store.
    fn store(&self, offset: usize, value: u32);
    /// Atomic add; returns the old value.
    fn fetch_add(&self, offset: usize, value: u32) -> u32;
    /// Copies bytes out of the region.
    fn read(&self, offset: usize, buf: &mut [u8]);
    /// Copies bytes into the region.
    fn write(&self, offset: usize, data: &[u8]);
    /// Wakes whoever waits on the word at `offset` (a futex wake).
    fn wake(&self, offset: usize);
}

/// Why a region cannot hold a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadRegion {
    /// Its size.
    pub len: usize,
}

/// Region size for rings of `cap` bytes each (`cap` a power of two).
pub const fn region_size(cap: usize) -> usize {
    RING_HEADER + 2 * cap
}

fn head_at(ring: usize) -> usize {
    64 + 128 * ring
}
fn tail_at(ring: usize) -> usize {
    128 + 128 * ring
}
fn blocked_at(ring: usize) -> usize {
    132 + 128 * ring
}
/// Offset of end `end`'s doorbell word.
pub fn bell_at(end: usize) -> usize {
    320 + 64 * end
}
fn asleep_at(end: usize) -> usize {
    324 + 64 * end
}

/// Bytes a record of a `len`-byte frame takes.
fn stride(len: usize) -> u32 {
    RECORD_HEADER + (len as u32).next_multiple_of(4)
}

/// One end of a link.
pub struct RingLink<M: SharedMemory> {
    mem: M,
    end: usize,
    cap: u32,
    /// Our ring's head (we are its only writer).
    head: u32,
    /// The other ring's tail (we are its only writer).
    tail: u32,
    sent: bool,
    consumed: bool,
    errors: u64,
    /// The other end stopped taking frames: drop instead of waiting.
    peer_down: bool,
    lost: u64,
}

impl<M: SharedMemory> RingLink<M> {
    /// End `end` (0 or 1) of the link in `mem`. Frames already waiting for
    /// this end are dropped (they were meant for an earlier guest); what
    /// this end had sent stays for the other.
    pub fn attach(mem: M, end: usize) -> Result<Self, BadRegion> {
        let bad = BadRegion { len: mem.len() };
        let cap = mem.len().checked_sub(RING_HEADER).ok_or(bad)? / 2;
        if end > 1 || !cap.is_power_of_two() || cap < 4096 || mem.len() != region_size(cap) {
            return Err(bad);
        }
        let cap = u32::try_from(cap).map_err(|_| bad)?;
        let head = mem.load(head_at(end));
        let theirs = 1 - end;
        let tail = mem.load(head_at(theirs));
        mem.store(tail_at(theirs), tail);
        Ok(RingLink {
            mem,
            end,
            cap,
            head,
            tail,
            sent: false,
            consumed: false,
            errors: 0,
            peer_down: false,
            lost: 0,
        })
    }

    /// Times the other end's ring was found broken and dropped.
    pub fn errors(&self) -> u64 {
        self.errors
    }

    /// The memory.
    pub fn memory(&self) -> &M {
        &self.mem
    }

    /// The other end has not made room for a long time (its VM is gone or
    /// stuck): until it does, frames that find no room are dropped, as a
    /// cable with nobody at the other end would, rather than held.
    pub fn set_peer_down(&mut self) {
        self.peer_down = true;
    }

    /// Whether frames are being dropped for want of a reader.
    pub fn peer_down(&self) -> bool {
        self.peer_down
    }

    /// Frames dropped while the other end was down.
    pub fn lost(&self) -> u64 {
        self.lost
    }

    fn data_at(&self, ring: usize, pos: u32) -> usize {
        RING_HEADER + ring * self.cap as usize + (pos & (self.cap - 1)) as usize
    }

    /// Copies `data` into ring `ring` at byte position `pos`, wrapping.
    fn put(&self, ring: usize, pos: u32, data: &[u8]) {
        let room = (self.cap - (pos & (self.cap - 1))) as usize;
        let (a, b) = data.split_at(data.len().min(room));
        self.mem.write(self.data_at(ring, pos), a);
        if !b.is_empty() {
            self.mem.write(self.data_at(ring, 0), b);
        }
    }

    /// Copies from ring `ring` at `pos` into `buf`, wrapping.
    fn get(&self, ring: usize, pos: u32, buf: &mut [u8]) {
        let room = (self.cap - (pos & (self.cap - 1))) as usize;
        let n = buf.len().min(room);
        let (a, b) = buf.split_at_mut(n);
        self.mem.read(self.data_at(ring, pos), a);
        if !b.is_empty() {
            self.mem.read(self.data_at(ring, 0), b);
        }
    }

    /// Free bytes in our ring, or `None` if the other end's tail is not
    /// one it could have written.
    fn room(&self) -> Option<u32> {
        let tail = self.mem.load(tail_at(self.end));
        let used = self.head.wrapping_sub(tail);
        (used <= self.cap).then(|| self.cap - used)
    }

    /// The other end's ring looks broken: drop what is in it.
    fn drop_incoming(&mut self, head: u32) {
        self.errors += 1;
        self.tail = head;
        self.mem.store(tail_at(1 - self.end), head);
        self.consumed = true;
    }

    /// Rings the other end's bell, waking it if it waits.
    fn ring_other(&self) {
        let other = 1 - self.end;
        self.mem.fetch_add(bell_at(other), 1);
        if self.mem.load(asleep_at(other)) != 0 {
            self.mem.wake(bell_at(other));
        }
    }

    /// The sleep protocol of this end's waiter (a thread that polls the
    /// card whenever the bell rings).
    pub fn waiter(&self) -> Waiter<M>
    where
        M: Clone,
    {
        Waiter {
            mem: self.mem.clone(),
            end: self.end,
        }
    }
}

/// How the thread that serves one end waits for its doorbell:
///
/// ```text
/// loop {
///     let v = waiter.value();
///     poll the card (Net::poll);
///     if waiter.should_sleep(v) { futex_wait(bell, v); waiter.woke(); }
/// }
/// ```
///
/// The other end bumps the bell after publishing, then wakes only if this
/// end says it is asleep; this end says so, then looks at the bell again.
/// With sequentially consistent words one of the two always sees the
/// other, so no ring is lost and an idle link makes no system calls.
#[derive(Clone)]
pub struct Waiter<M: SharedMemory> {
    mem: M,
    end: usize,
}

impl<M: SharedMemory> Waiter<M> {
    /// Offset of the bell word (to wait on).
    pub fn bell(&self) -> usize {
        bell_at(self.end)
    }

    /// The bell's value now: read it before looking for work.
    pub fn value(&self) -> u32 {
        self.mem.load(self.bell())
    }

    /// Marks this end asleep; `false` (and awake) if the bell moved since
    /// `value` was read, so there may be new work.
    pub fn should_sleep(&self, value: u32) -> bool {
        self.mem.store(asleep_at(self.end), 1);
        if self.mem.load(self.bell()) != value {
            self.woke();
            return false;
        }
        true
    }

    /// This end is awake again.
    pub fn woke(&self) {
        self.mem.store(asleep_at(self.end), 0);
    }

    /// The memory.
    pub fn memory(&self) -> &M {
        &self.mem
    }
}

impl<M: SharedMemory> NetLink for RingLink<M> {
    fn send(&mut self, frame: &[u8]) -> bool {
        if frame.len() > MAX_FRAME {
            return true; // never fits: gone, as on a wire
        }
        let need = stride(frame.len());
        let fits = |l: &Self| l.room().is_some_and(|r| r >= need);
        if !fits(self) && self.peer_down {
            self.lost += 1;
            return true;
        }
        self.peer_down = false;
        if !fits(self) {
            // Say we wait, then look again: the other end checks the flag
            // after every tail it publishes.
            self.mem.store(blocked_at(self.end), 1);
            if !fits(self) {
                return false;
            }
            self.mem.store(blocked_at(self.end), 0);
        }
        self.put(self.end, self.head, &(frame.len() as u32).to_le_bytes());
        self.put(self.end, self.head.wrapping_add(RECORD_HEADER), frame);
        self.head = self.head.wrapping_add(need);
        self.mem.store(head_at(self.end), self.head);
        self.sent = true;
        true
    }

    fn peek(&mut self) -> Option<usize> {
        let theirs = 1 - self.end;
        let head = self.mem.load(head_at(theirs));
        let avail = head.wrapping_sub(self.tail);
        if avail == 0 {
            return None;
        }
        if avail > self.cap || avail < RECORD_HEADER {
            self.drop_incoming(head);
            return None;
        }
        let mut len = [0u8; 4];
        self.get(theirs, self.tail, &mut len);
        let len = u32::from_le_bytes(len) as usize;
        if len > MAX_FRAME || stride(len) > avail {
            self.drop_incoming(head);
            return None;
        }
        Some(len)
    }

    fn recv(&mut self, buf: &mut [u8]) {
        let Some(len) = self.peek() else { return };
        let theirs = 1 - self.end;
        let n = buf.len().min(len);
        self.get(theirs, self.tail.wrapping_add(RECORD_HEADER), &mut buf[..n]);
        self.tail = self.tail.wrapping_add(stride(len));
        self.mem.store(tail_at(theirs), self.tail);
        self.consumed = true;
    }

    fn flush(&mut self) {
        let mut ring = core::mem::take(&mut self.sent);
        if core::mem::take(&mut self.consumed) {
            let theirs = 1 - self.end;
            if self.mem.load(blocked_at(theirs)) != 0 {
                self.mem.store(blocked_at(theirs), 0);
                ring = true;
            }
        }
        if ring {
            self.ring_other();
        }
    }
}
