//! The two ends over a mapping of the channel: the client's request (lock,
//! fields, `req_seq`, wait for `done_seq`) and the driver's wait for the
//! next request and its answer. Every access to the shared page is an
//! atomic one: the other process may write any field at any time.

use crate::layout as at;
use crate::{CHANNEL_SIZE, DATA_MAX, ID_BYTES, MAGIC, Status, VERSION};
use core::sync::atomic::{AtomicU8, AtomicU32, AtomicU64, Ordering};

/// How the ends sleep on and wake a futex word (`futex_wait`/`futex_wake`
/// in a process; a spin in host tests).
pub trait Futex {
    /// Sleeps while `word` holds `expected`, at most `timeout_ns` (0:
    /// forever); returns false if the time ran out.
    fn wait(&self, word: &AtomicU32, expected: u32, timeout_ns: u64) -> bool;
    /// Wakes up to `count` sleepers on `word`.
    fn wake(&self, word: &AtomicU32, count: usize);
}

/// What the driver tells clients about its disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// Size in 512-byte sectors.
    pub capacity: u64,
    /// Whether writes are refused.
    pub read_only: bool,
    /// The ID string (`GET_ID`), NUL-padded.
    pub id: [u8; ID_BYTES],
}

/// A mapping of the channel's shared memory object.
pub struct Channel {
    pub(crate) base: *mut u8,
}

// SAFETY: every access through `base` is atomic; the mapping outlives the
// channel (`Channel::new`'s promise).
unsafe impl Send for Channel {}
// SAFETY: as for `Send`.
unsafe impl Sync for Channel {}

impl Channel {
    /// The channel mapped at `base`.
    ///
    /// # Safety
    /// `base` is 8-byte aligned and [`CHANNEL_SIZE`] bytes there are
    /// mapped read-write for as long as the channel lives, and accessed
    /// by others only atomically or by another process.
    pub unsafe fn new(base: *mut u8) -> Channel {
        Channel { base }
    }

    fn u32_at(&self, offset: usize) -> &AtomicU32 {
        debug_assert!(offset + 4 <= CHANNEL_SIZE && offset.is_multiple_of(4));
        // SAFETY: in the mapping (`new`), aligned, only accessed atomically.
        unsafe { AtomicU32::from_ptr(self.base.add(offset).cast()) }
    }

    fn u64_at(&self, offset: usize) -> &AtomicU64 {
        debug_assert!(offset + 8 <= CHANNEL_SIZE && offset.is_multiple_of(8));
        // SAFETY: as for `u32_at`.
        unsafe { AtomicU64::from_ptr(self.base.add(offset).cast()) }
    }

    fn u8_at(&self, offset: usize) -> &AtomicU8 {
        debug_assert!(offset < CHANNEL_SIZE);
        // SAFETY: as for `u32_at`.
        unsafe { AtomicU8::from_ptr(self.base.add(offset)) }
    }

    /// Copies `out.len()` bytes from the channel at `offset` (in bounds).
    fn load(&self, offset: usize, out: &mut [u8]) {
        let mut n = 0;
        while n + 8 <= out.len() && (offset + n).is_multiple_of(8) {
            let v = self.u64_at(offset + n).load(Ordering::Relaxed);
            out[n..n + 8].copy_from_slice(&v.to_le_bytes());
            n += 8;
        }
        for (i, b) in out.iter_mut().enumerate().skip(n) {
            *b = self.u8_at(offset + i).load(Ordering::Relaxed);
        }
    }

    /// Copies `data` into the channel at `offset` (in bounds).
    fn store(&self, offset: usize, data: &[u8]) {
        let mut n = 0;
        while n + 8 <= data.len() && (offset + n).is_multiple_of(8) {
            let v = u64::from_le_bytes(data[n..n + 8].try_into().unwrap_or_default());
            self.u64_at(offset + n).store(v, Ordering::Relaxed);
            n += 8;
        }
        for (i, &b) in data.iter().enumerate().skip(n) {
            self.u8_at(offset + i).store(b, Ordering::Relaxed);
        }
    }

    /// Reads `out.len()` bytes (at most [`DATA_MAX`]) of the data area.
    pub fn read_data(&self, out: &mut [u8]) {
        let n = out.len().min(DATA_MAX);
        self.load(at::DATA, &mut out[..n]);
    }

    /// Writes `data` (at most [`DATA_MAX`] bytes) to the data area.
    pub fn write_data(&self, data: &[u8]) {
        let n = data.len().min(DATA_MAX);
        self.store(at::DATA, &data[..n]);
    }

    // ---- the driver's end ----

    /// Publishes the disk's facts and opens the channel (sets `magic`,
    /// wakes clients waiting for it).
    pub fn serve(&self, facts: &Facts, futex: &impl Futex) {
        self.u32_at(at::VERSION).store(VERSION, Ordering::Relaxed);
        self.u64_at(at::CAPACITY)
            .store(facts.capacity, Ordering::Relaxed);
        let flags = if facts.read_only {
            crate::FLAG_READ_ONLY
        } else {
            0
        };
        self.u32_at(at::FLAGS).store(flags, Ordering::Relaxed);
        self.u32_at(at::MAX_BYTES)
            .store(DATA_MAX as u32, Ordering::Relaxed);
        self.store(at::ID, &facts.id);
        // Whatever a client asked before the driver came is answered by
        // the next bump of `req_seq`.
        let seq = self.u32_at(at::REQ_SEQ).load(Ordering::Acquire);
        self.u32_at(at::DONE_SEQ).store(seq, Ordering::Release);
        self.u32_at(at::MAGIC).store(MAGIC, Ordering::Release);
        futex.wake(self.u32_at(at::MAGIC), usize::MAX);
    }

    /// Waits for a request after the one numbered `last`; returns its
    /// number and raw fields (op, sector, len), each read once.
    pub fn next_request(&self, last: u32, futex: &impl Futex) -> (u32, u32, u64, u32) {
        let seq_word = self.u32_at(at::REQ_SEQ);
        loop {
            let seq = seq_word.load(Ordering::Acquire);
            if seq != last {
                let op = self.u32_at(at::OP).load(Ordering::Relaxed);
                let sector = self.u64_at(at::SECTOR).load(Ordering::Relaxed);
                let len = self.u32_at(at::LEN).load(Ordering::Relaxed);
                return (seq, op, sector, len);
            }
            futex.wait(seq_word, last, 0);
        }
    }

    /// Answers request `seq` with `status` (the data, for a read, is in
    /// the data area already).
    pub fn answer(&self, seq: u32, status: Status, futex: &impl Futex) {
        self.u32_at(at::STATUS)
            .store(status.number(), Ordering::Relaxed);
        self.u32_at(at::DONE_SEQ).store(seq, Ordering::Release);
        futex.wake(self.u32_at(at::DONE_SEQ), usize::MAX);
    }

    // ---- a client's end ----

    /// Waits up to `timeout_ns` for the driver to serve the channel;
    /// its facts, or `None` (no driver, or another protocol version).
    pub fn connect(&self, futex: &impl Futex, timeout_ns: u64) -> Option<Facts> {
        let magic = self.u32_at(at::MAGIC);
        if magic.load(Ordering::Acquire) != MAGIC {
            futex.wait(magic, 0, timeout_ns);
        }
        if magic.load(Ordering::Acquire) != MAGIC
            || self.u32_at(at::VERSION).load(Ordering::Relaxed) != VERSION
        {
            return None;
        }
        let mut id = [0; ID_BYTES];
        self.load(at::ID, &mut id);
        let flags = self.u32_at(at::FLAGS).load(Ordering::Relaxed);
        Some(Facts {
            capacity: self.u64_at(at::CAPACITY).load(Ordering::Relaxed),
            read_only: flags & crate::FLAG_READ_ONLY != 0,
            id,
        })
    }

    /// Takes the clients' lock (a futex mutex shared by every client);
    /// false if it stayed taken for `timeout_ns` at a stretch (a client
    /// that died holding it, or a driver that scribbles on it).
    fn lock(&self, futex: &impl Futex, timeout_ns: u64) -> bool {
        let word = self.u32_at(at::LOCK);
        if word
            .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            return true;
        }
        while word.swap(2, Ordering::Acquire) != 0 {
            if !futex.wait(word, 2, timeout_ns) {
                return false;
            }
        }
        true
    }

    fn unlock(&self, futex: &impl Futex) {
        if self.u32_at(at::LOCK).swap(0, Ordering::Release) == 2 {
            futex.wake(self.u32_at(at::LOCK), 1);
        }
    }

    /// Asks the driver for `op` on `len` bytes at `sector`, with `data`
    /// put in the data area first (a write) and the data area read into
    /// `out` after (a read, `GET_ID`); waits at most `timeout_ns` for the
    /// lock and for the answer (`IoError` after that).
    pub fn request(
        &self,
        futex: &impl Futex,
        op: crate::Op,
        sector: u64,
        data: &[u8],
        out: &mut [u8],
        timeout_ns: u64,
    ) -> Status {
        if !self.lock(futex, timeout_ns) {
            return Status::IoError;
        }
        let len = data.len().max(out.len()).min(DATA_MAX);
        self.write_data(data);
        self.u32_at(at::OP).store(op.number(), Ordering::Relaxed);
        self.u64_at(at::SECTOR).store(sector, Ordering::Relaxed);
        self.u32_at(at::LEN).store(len as u32, Ordering::Relaxed);
        let seq = self
            .u32_at(at::REQ_SEQ)
            .fetch_add(1, Ordering::AcqRel)
            .wrapping_add(1);
        futex.wake(self.u32_at(at::REQ_SEQ), 1);
        let done = self.u32_at(at::DONE_SEQ);
        let status = loop {
            let now = done.load(Ordering::Acquire);
            if now == seq {
                let s = self.u32_at(at::STATUS).load(Ordering::Relaxed);
                break Status::from_number(s);
            }
            if !futex.wait(done, now, timeout_ns) {
                break Status::IoError;
            }
        };
        if status == Status::Ok {
            self.read_data(out);
        }
        self.unlock(futex);
        status
    }
}
