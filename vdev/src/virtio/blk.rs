//! virtio-blk (virtio 1.2 §5.2): `VIRTIO_BLK_T_IN`, `OUT`, `FLUSH`,
//! `GET_ID` on a [`BlockStorage`] (for `qvm`: a RAM copy of a bootfs file).
//!
//! Config: `capacity` in 512-byte sectors (a trailing partial sector is not
//! shown). Features: `VIRTIO_BLK_F_FLUSH`, and `VIRTIO_BLK_F_RO` for a
//! read-only disk (`hostdev <FILE`), on which `OUT` fails with `IOERR`.
//! Every request is checked: a header shorter than 16 bytes, no writable
//! status byte (the chain goes back with length 0), a data length that is
//! not a multiple of 512, sectors past the capacity or buffers outside guest
//! memory give `VIRTIO_BLK_S_IOERR`; unknown types `VIRTIO_BLK_S_UNSUPP`.
//! Left out: discard, write-zeroes, topology, multiple queues.

use super::queue::{Chain, QueueError, Queues};
use super::{Backend, GuestMemory, VIRTIO_ID_BLOCK, bit, copy_config};
use alloc::vec::Vec;

/// Request type: read sectors.
pub const VIRTIO_BLK_T_IN: u32 = 0;
/// Request type: write sectors.
pub const VIRTIO_BLK_T_OUT: u32 = 1;
/// Request type: flush the write cache.
pub const VIRTIO_BLK_T_FLUSH: u32 = 4;
/// Request type: the device ID string (20 bytes).
pub const VIRTIO_BLK_T_GET_ID: u32 = 8;
/// Status: success.
pub const VIRTIO_BLK_S_OK: u8 = 0;
/// Status: the request failed.
pub const VIRTIO_BLK_S_IOERR: u8 = 1;
/// Status: the request type is not supported.
pub const VIRTIO_BLK_S_UNSUPP: u8 = 2;
/// Feature bit 5: the device is read-only.
pub const VIRTIO_BLK_F_RO: u32 = 5;
/// Feature bit 9: the device takes `VIRTIO_BLK_T_FLUSH`.
pub const VIRTIO_BLK_F_FLUSH: u32 = 9;
/// Length of the `GET_ID` string.
pub const VIRTIO_BLK_ID_BYTES: usize = 20;
/// Bytes per sector.
pub const SECTOR_SIZE: u64 = 512;
/// Bytes moved per step between guest memory and the storage.
const CHUNK: usize = 4096;

/// Queue 0: the only request queue.
pub const REQUESTQ: u16 = 0;

/// A storage error (the request gets `VIRTIO_BLK_S_IOERR`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoError;

/// What a virtio-blk disk stores its bytes in.
pub trait BlockStorage: Send + 'static {
    /// Size in bytes.
    fn len(&self) -> u64;
    /// Whether it holds no bytes.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Reads at byte `offset` (in bounds: the device checked).
    fn read(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), IoError>;
    /// Writes at byte `offset` (in bounds).
    fn write(&mut self, offset: u64, data: &[u8]) -> Result<(), IoError>;
    /// Makes earlier writes durable.
    fn flush(&mut self) -> Result<(), IoError> {
        Ok(())
    }
}

/// A disk in RAM.
impl BlockStorage for Vec<u8> {
    fn len(&self) -> u64 {
        self.as_slice().len() as u64
    }
    fn read(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), IoError> {
        let s = usize::try_from(offset).map_err(|_| IoError)?;
        let src = self
            .get(s..s.checked_add(buf.len()).ok_or(IoError)?)
            .ok_or(IoError)?;
        buf.copy_from_slice(src);
        Ok(())
    }
    fn write(&mut self, offset: u64, data: &[u8]) -> Result<(), IoError> {
        let s = usize::try_from(offset).map_err(|_| IoError)?;
        let dst = self
            .get_mut(s..s.checked_add(data.len()).ok_or(IoError)?)
            .ok_or(IoError)?;
        dst.copy_from_slice(data);
        Ok(())
    }
}

/// The virtio-blk backend.
pub struct Blk<S: BlockStorage> {
    storage: S,
    read_only: bool,
    id: [u8; VIRTIO_BLK_ID_BYTES],
}

impl<S: BlockStorage> Blk<S> {
    /// A disk over `storage`; `id` (up to 20 bytes) answers `GET_ID`.
    pub fn new(storage: S, read_only: bool, id: &[u8]) -> Self {
        let mut b = [0; VIRTIO_BLK_ID_BYTES];
        let n = id.len().min(VIRTIO_BLK_ID_BYTES);
        b[..n].copy_from_slice(&id[..n]);
        Blk {
            storage,
            read_only,
            id: b,
        }
    }

    /// The storage.
    pub fn storage(&self) -> &S {
        &self.storage
    }

    /// Capacity in sectors.
    pub fn capacity(&self) -> u64 {
        self.storage.len() / SECTOR_SIZE
    }

    /// Serves one request; returns (status, data bytes written).
    fn serve(&mut self, mem: &mut dyn GuestMemory, c: &Chain, data_in: u64) -> (u8, u64) {
        let mut hdr = [0u8; 16];
        if c.read(mem, 0, &mut hdr).is_err() {
            return (VIRTIO_BLK_S_IOERR, 0);
        }
        let kind = u32::from_le_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]);
        let sector = u64::from_le_bytes(hdr[8..16].try_into().unwrap_or_default());
        let data_out = c.readable_len() - 16;
        let cap = self.capacity() * SECTOR_SIZE;
        let io = |len: u64| -> Option<u64> {
            let start = sector.checked_mul(SECTOR_SIZE)?;
            let end = start.checked_add(len)?;
            (len.is_multiple_of(SECTOR_SIZE) && end <= cap).then_some(start)
        };
        let r = match kind {
            VIRTIO_BLK_T_IN => match io(data_in) {
                Some(start) => self.copy_in(mem, c, start, data_in).map(|()| data_in),
                None => Err(IoError),
            },
            VIRTIO_BLK_T_OUT if self.read_only => Err(IoError),
            VIRTIO_BLK_T_OUT => match io(data_out) {
                Some(start) => self.copy_out(mem, c, start, data_out).map(|()| 0),
                None => Err(IoError),
            },
            VIRTIO_BLK_T_FLUSH => self.storage.flush().map(|()| 0),
            VIRTIO_BLK_T_GET_ID => {
                let n = data_in.min(VIRTIO_BLK_ID_BYTES as u64);
                c.write(mem, 0, &self.id[..n as usize])
                    .map(|()| n)
                    .map_err(|_| IoError)
            }
            _ => return (VIRTIO_BLK_S_UNSUPP, 0),
        };
        match r {
            Ok(n) => (VIRTIO_BLK_S_OK, n),
            Err(IoError) => (VIRTIO_BLK_S_IOERR, 0),
        }
    }

    /// Storage → the chain's writable buffers (before the status byte).
    fn copy_in(
        &mut self,
        mem: &mut dyn GuestMemory,
        c: &Chain,
        start: u64,
        len: u64,
    ) -> Result<(), IoError> {
        let mut buf = alloc::vec![0u8; CHUNK];
        let mut done = 0;
        while done < len {
            let n = (len - done).min(CHUNK as u64) as usize;
            self.storage.read(start + done, &mut buf[..n])?;
            c.write(mem, done, &buf[..n]).map_err(|_| IoError)?;
            done += n as u64;
        }
        Ok(())
    }

    /// The chain's readable buffers (after the header) → storage.
    fn copy_out(
        &mut self,
        mem: &mut dyn GuestMemory,
        c: &Chain,
        start: u64,
        len: u64,
    ) -> Result<(), IoError> {
        let mut buf = alloc::vec![0u8; CHUNK];
        let mut done = 0;
        while done < len {
            let n = (len - done).min(CHUNK as u64) as usize;
            c.read(mem, 16 + done, &mut buf[..n]).map_err(|_| IoError)?;
            self.storage.write(start + done, &buf[..n])?;
            done += n as u64;
        }
        Ok(())
    }
}

impl<S: BlockStorage> Backend for Blk<S> {
    fn kind(&self) -> &'static str {
        "virtio-blk"
    }
    fn device_id(&self) -> u32 {
        VIRTIO_ID_BLOCK
    }
    fn features(&self) -> u64 {
        bit(VIRTIO_BLK_F_FLUSH)
            | if self.read_only {
                bit(VIRTIO_BLK_F_RO)
            } else {
                0
            }
    }
    fn num_queues(&self) -> u16 {
        1
    }
    fn read_config(&self, offset: usize, data: &mut [u8]) {
        copy_config(&self.capacity().to_le_bytes(), offset, data);
    }
    fn notify(&mut self, queue: u16, q: &mut Queues<'_>) -> Result<(), QueueError> {
        if queue != REQUESTQ {
            return Ok(());
        }
        while let Some(c) = q.pop(REQUESTQ)? {
            let w = c.writable_len();
            if c.readable_len() < 16 || w == 0 {
                q.push_used(REQUESTQ, c.head, 0)?;
                continue;
            }
            let (status, n) = self.serve(q.mem(), &c, w - 1);
            let len = match c.write(q.mem(), w - 1, &[status]) {
                Ok(()) => n + 1,
                Err(_) => 0,
            };
            q.push_used(REQUESTQ, c.head, u32::try_from(len).unwrap_or(u32::MAX))?;
        }
        Ok(())
    }
}
