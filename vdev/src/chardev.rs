//! Pieces shared by character devices (UARTs, consoles): the output
//! [`CharSink`] and a fixed-size receive FIFO.

use alloc::vec::Vec;

/// Where a character device's output goes (for `qvm`: its console, which
/// adds line buffering and the VM-name prefix).
pub trait CharSink: Send {
    /// Takes bytes the guest wrote.
    fn write_bytes(&mut self, bytes: &[u8]);
}

impl<F: FnMut(&[u8]) + Send> CharSink for F {
    fn write_bytes(&mut self, bytes: &[u8]) {
        self(bytes)
    }
}

/// Collects the output (for tests and captures).
impl CharSink for Vec<u8> {
    fn write_bytes(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes)
    }
}

/// A FIFO of at most `N` bytes, in place (no allocation).
#[derive(Clone, Debug)]
pub struct ByteFifo<const N: usize> {
    buf: [u8; N],
    head: usize,
    len: usize,
}

impl<const N: usize> ByteFifo<N> {
    /// An empty FIFO.
    pub const EMPTY: Self = ByteFifo {
        buf: [0; N],
        head: 0,
        len: 0,
    };

    /// Number of bytes queued.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no byte is queued.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Queues `byte`; `false` (and nothing queued) if the FIFO is full.
    pub fn push(&mut self, byte: u8) -> bool {
        if self.len == N {
            return false;
        }
        self.buf[(self.head + self.len) % N] = byte;
        self.len += 1;
        true
    }

    /// Takes the oldest byte.
    pub fn pop(&mut self) -> Option<u8> {
        (self.len > 0).then(|| {
            let byte = self.buf[self.head];
            self.head = (self.head + 1) % N;
            self.len -= 1;
            byte
        })
    }
}

impl<const N: usize> Default for ByteFifo<N> {
    fn default() -> Self {
        Self::EMPTY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_wraps_and_keeps_order() {
        let mut f = ByteFifo::<3>::EMPTY;
        assert!(f.push(1) && f.push(2) && f.push(3));
        assert!(!f.push(4));
        assert_eq!(f.pop(), Some(1));
        assert!(f.push(5));
        assert_eq!(
            [f.pop(), f.pop(), f.pop(), f.pop()],
            [Some(2), Some(3), Some(5), None]
        );
        assert!(f.is_empty());
    }

    #[test]
    fn closures_and_vecs_are_sinks() {
        let mut n = 0;
        (|b: &[u8]| n += b.len()).write_bytes(b"abc");
        assert_eq!(n, 3);
        let mut v = Vec::new();
        v.write_bytes(b"x");
        v.write_bytes(b"yz");
        assert_eq!(v, b"xyz");
    }
}
