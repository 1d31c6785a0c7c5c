//! Helpers for devices made of 32-bit registers (the ARM PrimeCells and most
//! others): splitting an access into a register and a byte lane, and the
//! PrimeCell identification registers.
//!
//! A 32-bit register may be read or written 8, 16 or 32 bits at a time, at
//! an offset aligned to the access size. A narrower access reads (or
//! replaces) the bytes of the register it covers, as if the bus had byte
//! strobes. 64-bit accesses, misaligned ones and offsets outside the
//! device's window are [`Fault::Unsupported`].

use crate::Fault;

/// Offset of the first PrimeCell identification register (`PeriphID0`).
pub const PRIMECELL_ID_BASE: u64 = 0xFE0;
/// The PrimeCell component ID (`PCellID3..0` = 0xB1, 0x05, 0xF0, 0x0D) that
/// every ARM PrimeCell reports at `0xFF0..=0xFFC`.
pub const PRIMECELL_CELL_ID: u32 = 0xB105_F00D;

/// The register and byte lane one access covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lane {
    /// Offset of the 32-bit register (a multiple of 4).
    pub reg: u64,
    /// Bit position of the access within the register (0, 8, 16 or 24).
    pub shift: u32,
    /// Mask of the access's bits, before shifting (0xFF, 0xFFFF or all ones).
    pub mask: u32,
}

impl Lane {
    /// Checks an access of `size` bytes at `offset` against a window of
    /// `window` bytes of 32-bit registers and splits it.
    pub fn of32(offset: u64, size: usize, window: u64) -> Result<Self, Fault> {
        let mask = match size {
            1 => 0xFF,
            2 => 0xFFFF,
            4 => u32::MAX,
            _ => return Err(Fault::Unsupported),
        };
        if !offset.is_multiple_of(size as u64) || offset >= window {
            return Err(Fault::Unsupported);
        }
        Ok(Lane {
            reg: offset & !3,
            shift: (offset & 3) as u32 * 8,
            mask,
        })
    }

    /// Whether the access covers bit 0 of the register (where data registers
    /// have their side effects).
    pub fn is_low(&self) -> bool {
        self.shift == 0
    }

    /// The part of the register value `reg_value` this access reads.
    pub fn extract(&self, reg_value: u32) -> u64 {
        u64::from((reg_value >> self.shift) & self.mask)
    }

    /// The register value after this access writes `value` into `old`.
    pub fn merge(&self, old: u32, value: u64) -> u32 {
        let bits = self.mask << self.shift;
        (old & !bits) | (((value as u32) & self.mask) << self.shift)
    }
}

/// The value of a PrimeCell identification register at register offset
/// `reg` (`0xFE0..=0xFFC`: `PeriphID0..3`, then `PCellID0..3`), one byte of
/// `periph_id` or of [`PRIMECELL_CELL_ID`] per register; `None` elsewhere.
pub fn primecell_id(reg: u64, periph_id: u32) -> Option<u32> {
    let index = reg.checked_sub(PRIMECELL_ID_BASE)? / 4;
    let id = match index {
        0..4 => periph_id,
        4..8 => PRIMECELL_CELL_ID,
        _ => return None,
    };
    Some((id >> ((index % 4) * 8)) & 0xFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes() {
        let l = Lane::of32(0x31, 1, 0x1000).unwrap();
        assert_eq!((l.reg, l.shift, l.mask), (0x30, 8, 0xFF));
        assert_eq!(l.extract(0x1234), 0x12);
        assert_eq!(l.merge(0xAAAA_AAAA, 0x155), 0xAAAA_55AA);
        let l = Lane::of32(0x32, 2, 0x1000).unwrap();
        assert_eq!((l.reg, l.shift, l.mask), (0x30, 16, 0xFFFF));
        assert!(!l.is_low());
        assert!(Lane::of32(0x30, 4, 0x1000).unwrap().is_low());
    }

    #[test]
    fn bad_lanes() {
        for (offset, size) in [(0, 8), (0, 3), (0, 0), (1, 2), (2, 4), (0x1000, 4)] {
            assert_eq!(Lane::of32(offset, size, 0x1000), Err(Fault::Unsupported));
        }
    }

    #[test]
    fn primecell_ids() {
        let got: [Option<u32>; 8] =
            core::array::from_fn(|i| primecell_id(0xFE0 + 4 * i as u64, 0x0034_1011));
        let want = [0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1].map(Some);
        assert_eq!(got, want);
        assert_eq!(primecell_id(0xFDC, 0), None);
        assert_eq!(primecell_id(0x1000, 0), None);
    }
}
