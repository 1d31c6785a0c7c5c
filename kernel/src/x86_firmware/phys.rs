//! How the parsers reach physical memory ([`PhysMem`], never a raw
//! pointer), and which hand-off the kernel's entry received.

/// A read reached outside physical memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutOfRange;

/// Physical memory, as the parsers read it.
pub trait PhysMem {
    /// Fills `buf` from physical address `addr`. `Err` if any byte of
    /// `[addr, addr + buf.len())` is not memory the implementation
    /// exposes; an empty `buf` checks only that `addr` is at most its end.
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), OutOfRange>;
}

/// Physical memory that is one byte slice placed at `base`: the arena of
/// tests and fuzzing.
#[derive(Clone, Copy, Debug)]
pub struct SliceMem<'a> {
    /// Physical address of `bytes[0]`.
    pub base: u64,
    /// The memory.
    pub bytes: &'a [u8],
}

impl PhysMem for SliceMem<'_> {
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), OutOfRange> {
        let start = addr.checked_sub(self.base).ok_or(OutOfRange)?;
        let start = usize::try_from(start).map_err(|_| OutOfRange)?;
        let end = start.checked_add(buf.len()).ok_or(OutOfRange)?;
        buf.copy_from_slice(self.bytes.get(start..end).ok_or(OutOfRange)?);
        Ok(())
    }
}

/// The boot hand-off the kernel's 32-bit entry received.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handoff {
    /// PVH: the physical address of the `hvm_start_info` (`%ebx`).
    Pvh(u64),
    /// Multiboot2: the physical address of the boot information (`%ebx`,
    /// with the magic 0x36d76289 in `%eax`, checked by the entry).
    Multiboot2(u64),
}
