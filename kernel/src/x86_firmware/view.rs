//! Bounds-checked little-endian field reads over [`PhysMem`]: a [`View`]
//! is one firmware structure (its address, the length it claims and its
//! name for errors), and every field read checks both that length and
//! physical memory. All x86 firmware structures are little-endian
//! (ACPI 6.5 §5.2.1, Multiboot2 §3.6, Xen `start_info.h`).

use super::{FirmwareError, PhysMem};

/// Bytes summed per read when checksumming a table.
const CHUNK: usize = 256;

/// One structure in physical memory: `[addr, addr + len)`.
#[derive(Clone, Copy)]
pub(crate) struct View<'m> {
    mem: &'m dyn PhysMem,
    /// First byte.
    pub addr: u64,
    /// Length the structure claims (not yet known to be readable).
    pub len: u64,
    /// Name for errors.
    pub what: &'static str,
}

impl<'m> View<'m> {
    /// The structure `what` of `len` bytes at `addr`; the range must not
    /// wrap around.
    pub fn new(
        mem: &'m dyn PhysMem,
        addr: u64,
        len: u64,
        what: &'static str,
    ) -> Result<Self, FirmwareError> {
        addr.checked_add(len).ok_or(FirmwareError::BadRange {
            what,
            addr,
            size: len,
        })?;
        Ok(View {
            mem,
            addr,
            len,
            what,
        })
    }

    /// The same structure, named `what`.
    pub fn named(&self, what: &'static str) -> View<'m> {
        View { what, ..*self }
    }

    /// The part `[off, off + len)` of this structure, named `what`.
    pub fn sub(&self, off: u64, len: u64, what: &'static str) -> Result<View<'m>, FirmwareError> {
        let end = off.checked_add(len);
        if end.is_none_or(|e| e > self.len) {
            return Err(FirmwareError::Truncated {
                what,
                addr: self.addr.wrapping_add(off),
            });
        }
        // Inside `[addr, addr + self.len)`, which does not wrap.
        View::new(self.mem, self.addr + off, len, what)
    }

    /// Fills `buf` from offset `off`.
    pub fn read(&self, off: u64, buf: &mut [u8]) -> Result<(), FirmwareError> {
        let part = self.sub(off, buf.len() as u64, self.what)?;
        self.mem
            .read(part.addr, buf)
            .map_err(|_| FirmwareError::Unreadable {
                what: self.what,
                addr: part.addr,
            })
    }

    /// `N` bytes at `off`.
    pub fn bytes<const N: usize>(&self, off: u64) -> Result<[u8; N], FirmwareError> {
        let mut b = [0; N];
        self.read(off, &mut b)?;
        Ok(b)
    }

    /// The byte at `off`.
    pub fn u8(&self, off: u64) -> Result<u8, FirmwareError> {
        Ok(self.bytes::<1>(off)?[0])
    }

    /// The `u16` at `off`.
    pub fn u16(&self, off: u64) -> Result<u16, FirmwareError> {
        Ok(u16::from_le_bytes(self.bytes(off)?))
    }

    /// The `u32` at `off`.
    pub fn u32(&self, off: u64) -> Result<u32, FirmwareError> {
        Ok(u32::from_le_bytes(self.bytes(off)?))
    }

    /// The `u64` at `off` (no alignment needed).
    pub fn u64(&self, off: u64) -> Result<u64, FirmwareError> {
        Ok(u64::from_le_bytes(self.bytes(off)?))
    }

    /// Whether every byte sums to zero (ACPI 6.5 §5.2.5.3, §5.2.6).
    pub fn checksum_ok(&self) -> Result<bool, FirmwareError> {
        let mut sum = 0u8;
        let mut off = 0;
        let mut buf = [0; CHUNK];
        while off < self.len {
            let n = (self.len - off).min(CHUNK as u64) as usize;
            self.read(off, &mut buf[..n])?;
            sum = buf[..n].iter().fold(sum, |s, &b| s.wrapping_add(b));
            off += n as u64;
        }
        Ok(sum == 0)
    }

    /// Fails unless the whole structure is in physical memory (its first
    /// and last bytes are readable; an empty one, its address).
    pub fn check_present(&self) -> Result<(), FirmwareError> {
        self.read(0, &mut [])?;
        if self.len > 0 {
            self.read(self.len - 1, &mut [0])?;
        }
        Ok(())
    }

    /// Length of the NUL-terminated string at `off` (without the NUL),
    /// which must end inside this structure.
    pub fn c_str_len(&self, off: u64) -> Result<usize, FirmwareError> {
        let mut at = off;
        while at < self.len {
            if self.u8(at)? == 0 {
                return Ok((at - off) as usize);
            }
            at += 1;
        }
        Err(FirmwareError::Unterminated {
            what: self.what,
            addr: self.addr.wrapping_add(off),
        })
    }
}
