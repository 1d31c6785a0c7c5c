//! virtio-entropy, the virtio RNG (virtio 1.2 §5.4): one `requestq` whose
//! writable buffers the device fills from a [`RandomSource`].
//!
//! [`XorShift`] is a simple generator (xorshift64*), not a cryptographic
//! one; `qvm` should seed it from the counter (`CNTPCT_EL0`/TSC) at VM
//! start, or give a better source when the host has one.

use super::queue::{QueueError, Queues};
use super::{Backend, VIRTIO_ID_RNG};

/// Queue 0: requests for entropy.
pub const REQUESTQ: u16 = 0;
/// Most bytes given for one request.
pub const MAX_REQUEST: u64 = 64 * 1024;

/// Where the entropy comes from.
pub trait RandomSource: Send + 'static {
    /// Fills `buf`.
    fn fill(&mut self, buf: &mut [u8]);
}

/// xorshift64* seeded by the caller (e.g. from the counter).
#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from `seed` (0 is replaced: xorshift needs a non-zero
    /// state).
    pub fn new(seed: u64) -> Self {
        XorShift(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

impl RandomSource for XorShift {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// The virtio-rng backend.
pub struct Rng<R: RandomSource> {
    source: R,
}

impl<R: RandomSource> Rng<R> {
    /// An entropy device drawing from `source`.
    pub fn new(source: R) -> Self {
        Rng { source }
    }
}

impl<R: RandomSource> Backend for Rng<R> {
    fn kind(&self) -> &'static str {
        "virtio-entropy"
    }
    fn device_id(&self) -> u32 {
        VIRTIO_ID_RNG
    }
    fn features(&self) -> u64 {
        0
    }
    fn num_queues(&self) -> u16 {
        1
    }
    fn read_config(&self, _offset: usize, data: &mut [u8]) {
        data.fill(0);
    }
    fn notify(&mut self, queue: u16, q: &mut Queues<'_>) -> Result<(), QueueError> {
        if queue != REQUESTQ {
            return Ok(());
        }
        let mut buf = [0u8; 256];
        while let Some(c) = q.pop(REQUESTQ)? {
            let len = c.writable_len().min(MAX_REQUEST);
            let mut off = 0;
            while off < len {
                let n = (len - off).min(buf.len() as u64) as usize;
                self.source.fill(&mut buf[..n]);
                if c.write(q.mem(), off, &buf[..n]).is_err() {
                    break;
                }
                off += n as u64;
            }
            q.push_used(REQUESTQ, c.head, off as u32)?;
        }
        Ok(())
    }
}
