//! The FADT (ACPI 6.5, 5.2.9): the PM1a control block, for S5 (soft off),
//! and the reset register; and the `\_S5_` object of the DSDT, whose
//! package's first element is SLP_TYPa for S5 (7.4.2).
//!
//! The DSDT is AML, and no interpreter is needed for this one value: the
//! search finds the name `_S5_` followed by PackageOp, skips the package
//! length (its first byte's bits 7:6 count the bytes that follow, 20.2.4)
//! and the element count, and reads the first element: ZeroOp, OneOp or
//! BytePrefix and a byte (20.2.3). Any other encoding is not understood
//! and the guest does without ACPI power-off.

use super::{le32, le64};

/// Byte offsets in the FADT (table 5.9).
const DSDT: usize = 40;
const PM1A_CNT_BLK: usize = 64;
const FLAGS: usize = 112;
const RESET_REG: usize = 116;
const RESET_VALUE: usize = 128;
const X_DSDT: usize = 140;
/// FADT flags bit 10: RESET_REG_SUP (table 5.10).
const RESET_REG_SUP: u32 = 1 << 10;
/// Generic address structure address space IDs (table 5.25).
pub const SPACE_MEMORY: u8 = 0;
/// See [`SPACE_MEMORY`].
pub const SPACE_IO: u8 = 1;
/// AML opcodes (20.2.3, 20.2.5.4).
const PACKAGE_OP: u8 = 0x12;
const ZERO_OP: u8 = 0x00;
const ONE_OP: u8 = 0x01;
const BYTE_PREFIX: u8 = 0x0A;

/// The reset register (a generic address) and the value to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetReg {
    /// [`SPACE_MEMORY`] or [`SPACE_IO`] (others are not used).
    pub space: u8,
    /// Its address.
    pub addr: u64,
    /// What to write.
    pub value: u8,
}

/// What the FADT gives for power control.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Power {
    /// The PM1a control block's I/O port.
    pub pm1a_cnt: Option<u16>,
    /// SLP_TYPa of S5, from the DSDT's `\_S5_` (filled in by the caller,
    /// who reads the DSDT).
    pub slp_typ_s5: Option<u8>,
    /// The DSDT's physical address (X_DSDT if set, else DSDT).
    pub dsdt: Option<u64>,
    /// The reset register, if the FADT says it is supported.
    pub reset: Option<ResetReg>,
}

/// Reads a FADT (`b`: the whole table, header included).
pub fn parse(b: &[u8]) -> Power {
    let pm1a_cnt = le32(b, PM1A_CNT_BLK)
        .and_then(|p| u16::try_from(p).ok())
        .filter(|&p| p != 0);
    let reset = match le32(b, FLAGS) {
        Some(flags) if flags & RESET_REG_SUP != 0 && b.len() > RESET_VALUE => {
            let addr = le64(b, RESET_REG + 4).unwrap_or(0);
            Some(ResetReg {
                space: b[RESET_REG],
                addr,
                value: b[RESET_VALUE],
            })
            .filter(|r| r.addr != 0 && matches!(r.space, SPACE_MEMORY | SPACE_IO))
        }
        _ => None,
    };
    let dsdt = le64(b, X_DSDT)
        .filter(|&a| a != 0)
        .or_else(|| le32(b, DSDT).map(u64::from))
        .filter(|&a| a != 0);
    Power {
        pm1a_cnt,
        slp_typ_s5: None,
        dsdt,
        reset,
    }
}

/// SLP_TYPa from the `_S5_` package in `aml`, if it is encoded simply.
pub fn s5_slp_typ(aml: &[u8]) -> Option<u8> {
    let at = aml
        .windows(5)
        .position(|w| &w[..4] == b"_S5_" && w[4] == PACKAGE_OP)?
        + 5;
    let follow = usize::from(aml.get(at)? >> 6);
    let first = at + 1 + follow + 1;
    match *aml.get(first)? {
        ZERO_OP => Some(0),
        ONE_OP => Some(1),
        BYTE_PREFIX => aml.get(first + 1).copied(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_slp_typ_of_s5() {
        // Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero }) as iasl
        // compiles it, after other bytes.
        let zero = b"\x10\x08_SB_\x08_S5_\x12\x06\x04\x00\x00\x00\x00";
        assert_eq!(s5_slp_typ(zero), Some(0));
        let byte = b"\x08\\_S5_\x12\x08\x04\x0a\x05\x0a\x05\x00\x00";
        assert_eq!(s5_slp_typ(byte), Some(5));
        let long_length = b"\x08_S5_\x12\x40\x01\x02\x01\x01";
        assert_eq!(s5_slp_typ(long_length), Some(1));
        assert_eq!(s5_slp_typ(b"\x08_S5_\x12\x06\x04\x0b\x00\x00"), None);
        assert_eq!(s5_slp_typ(b"\x08_S4_\x12\x06\x04\x00"), None);
        assert_eq!(s5_slp_typ(b"\x08_S5_\x12\x06"), None);
    }
}
