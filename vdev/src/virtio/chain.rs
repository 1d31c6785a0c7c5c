//! Descriptor chains as a device sees them: the readable and writable
//! buffers of one request, read and written as two byte streams through
//! [`GuestMemory`] (every piece bounds-checked there).

use super::memory::{GuestMemory, MemError};
use alloc::vec::Vec;

/// A descriptor chain that cannot be served (the request fails).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainError {
    /// A descriptor index past the end of its table.
    BadIndex,
    /// More descriptors than the table holds: a loop or an overlong chain.
    TooLong,
    /// An indirect descriptor not allowed here, nested, with `NEXT`, or of
    /// a bad length.
    BadIndirect,
    /// A readable buffer after a writable one.
    BadOrder,
    /// A descriptor or buffer outside guest memory.
    Mem(MemError),
    /// The request needs more bytes than the chain's buffers hold.
    Short,
}

impl From<MemError> for ChainError {
    fn from(e: MemError) -> Self {
        ChainError::Mem(e)
    }
}

/// One guest buffer of a chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Buf {
    /// Guest-physical address.
    pub addr: u64,
    /// Length in bytes.
    pub len: u32,
}

/// A descriptor chain taken from the available ring.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chain {
    /// The head index, to return in the used ring.
    pub head: u16,
    /// Device-readable buffers, in order.
    pub readable: Vec<Buf>,
    /// Device-writable buffers, in order.
    pub writable: Vec<Buf>,
}

/// Calls `f(gpa, start, end)` for each piece of `bufs` covering bytes
/// `offset..offset + len` of their concatenation.
fn pieces(
    bufs: &[Buf],
    mut offset: u64,
    len: usize,
    mut f: impl FnMut(u64, usize, usize) -> Result<(), MemError>,
) -> Result<(), ChainError> {
    let mut done = 0;
    for b in bufs {
        if done == len {
            break;
        }
        let blen = u64::from(b.len);
        if offset >= blen {
            offset -= blen;
            continue;
        }
        let n = ((blen - offset) as usize).min(len - done);
        let gpa = b.addr.checked_add(offset).ok_or(MemError { gpa: b.addr })?;
        f(gpa, done, done + n)?;
        done += n;
        offset = 0;
    }
    if done == len {
        Ok(())
    } else {
        Err(ChainError::Short)
    }
}

impl Chain {
    /// Total bytes of the readable buffers.
    pub fn readable_len(&self) -> u64 {
        self.readable.iter().map(|b| u64::from(b.len)).sum()
    }

    /// Total bytes of the writable buffers.
    pub fn writable_len(&self) -> u64 {
        self.writable.iter().map(|b| u64::from(b.len)).sum()
    }

    /// Reads readable bytes `offset..offset + buf.len()` of the chain.
    pub fn read(
        &self,
        mem: &dyn GuestMemory,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<(), ChainError> {
        pieces(&self.readable, offset, buf.len(), |gpa, s, e| {
            mem.read(gpa, &mut buf[s..e])
        })
    }

    /// Writes `data` at writable bytes `offset..` of the chain.
    pub fn write(
        &self,
        mem: &mut dyn GuestMemory,
        offset: u64,
        data: &[u8],
    ) -> Result<(), ChainError> {
        pieces(&self.writable, offset, data.len(), |gpa, s, e| {
            mem.write(gpa, &data[s..e])
        })
    }
}
