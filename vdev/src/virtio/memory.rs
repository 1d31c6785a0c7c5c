//! Guest memory as a virtio device sees it: [`GuestMemory`], its error
//! [`MemError`], and [`VecMemory`] for tests and tools. Below the queues
//! and chains that read descriptors through it.

use alloc::vec::Vec;

/// A guest-physical access outside guest memory (or wrapping the address
/// space).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemError {
    /// First guest-physical address of the refused access.
    pub gpa: u64,
}

/// The guest's RAM as a device sees it (for `qvm`: its mapping of the VM's
/// memory; for tests: a `Vec`). Implementations check every access against
/// the RAM they hold.
///
/// The guest changes its RAM while the device reads it (its vCPUs run on
/// other CPUs). `read` must read each byte once, so that a device that
/// checks a copy uses what it checked; the typed methods are for the ring
/// fields the driver and the device hand each other (indices, flags,
/// descriptor fields, used elements): on aligned addresses they must be
/// one access, which the other side sees whole (old or new, never half of
/// each). Their default bodies go through `read`/`write`, which is enough
/// for memory nobody else changes (tests); `qvm`'s `GuestRam` makes them
/// single volatile loads and stores. Values are little-endian (virtio 1.x).
pub trait GuestMemory: Send {
    /// Reads `buf.len()` bytes at `gpa`.
    fn read(&self, gpa: u64, buf: &mut [u8]) -> Result<(), MemError>;
    /// Writes `data` at `gpa`.
    fn write(&mut self, gpa: u64, data: &[u8]) -> Result<(), MemError>;

    /// Reads the little-endian `u16` at `gpa`.
    fn read_u16(&self, gpa: u64) -> Result<u16, MemError> {
        let mut b = [0; 2];
        self.read(gpa, &mut b)?;
        Ok(u16::from_le_bytes(b))
    }
    /// Reads the little-endian `u32` at `gpa`.
    fn read_u32(&self, gpa: u64) -> Result<u32, MemError> {
        let mut b = [0; 4];
        self.read(gpa, &mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    /// Reads the little-endian `u64` at `gpa`.
    fn read_u64(&self, gpa: u64) -> Result<u64, MemError> {
        let mut b = [0; 8];
        self.read(gpa, &mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    /// Writes `value` little-endian at `gpa`.
    fn write_u16(&mut self, gpa: u64, value: u16) -> Result<(), MemError> {
        self.write(gpa, &value.to_le_bytes())
    }
    /// Writes `value` little-endian at `gpa`.
    fn write_u32(&mut self, gpa: u64, value: u32) -> Result<(), MemError> {
        self.write(gpa, &value.to_le_bytes())
    }
    /// Writes `value` little-endian at `gpa`.
    fn write_u64(&mut self, gpa: u64, value: u64) -> Result<(), MemError> {
        self.write(gpa, &value.to_le_bytes())
    }
}

/// Guest RAM in a `Vec`, starting at guest-physical `base` (tests and tools).
#[derive(Clone, Debug, Default)]
pub struct VecMemory {
    /// Guest-physical address of `bytes[0]`.
    pub base: u64,
    /// The RAM.
    pub bytes: Vec<u8>,
}

impl VecMemory {
    /// `size` zeroed bytes at `base`.
    pub fn new(base: u64, size: usize) -> Self {
        VecMemory {
            base,
            bytes: alloc::vec![0; size],
        }
    }

    fn range(&self, gpa: u64, len: usize) -> Result<core::ops::Range<usize>, MemError> {
        let err = MemError { gpa };
        let start = usize::try_from(gpa.checked_sub(self.base).ok_or(err)?).map_err(|_| err)?;
        let end = start.checked_add(len).ok_or(err)?;
        if end > self.bytes.len() {
            return Err(err);
        }
        Ok(start..end)
    }
}

impl GuestMemory for VecMemory {
    fn read(&self, gpa: u64, buf: &mut [u8]) -> Result<(), MemError> {
        let r = self.range(gpa, buf.len())?;
        buf.copy_from_slice(&self.bytes[r]);
        Ok(())
    }

    fn write(&mut self, gpa: u64, data: &[u8]) -> Result<(), MemError> {
        let r = self.range(gpa, data.len())?;
        self.bytes[r].copy_from_slice(data);
        Ok(())
    }
}

/// `base + off`, or a [`MemError`] when it wraps.
pub(crate) fn at(base: u64, off: u64) -> Result<u64, MemError> {
    base.checked_add(off).ok_or(MemError { gpa: base })
}
