//! Finding the ACPI root (ACPI 6.5 §5.2.5): the RSDP the hand-off names,
//! or the one the legacy scan finds (§5.2.5.1: on a 16-byte boundary in
//! the first KiB of the EBDA, whose real-mode segment is the word at
//! 0x40E, then in 0xE0000–0xFFFFF); its checksums (§5.2.5.3: the first 20
//! bytes, and for revision 2 and later all `Length` bytes); and which root
//! table to use: the XSDT when the revision is 2 or more and its address
//! is not zero, else the RSDT.

use super::view::View;
use super::{FirmwareError, PhysMem};

/// `"RSD PTR "`.
pub const RSDP_SIGNATURE: [u8; 8] = *b"RSD PTR ";
/// Bytes the ACPI 1.0 checksum covers.
pub const RSDP_V1_LEN: u64 = 20;
/// Size of the ACPI 2.0 RSDP.
pub const RSDP_V2_LEN: u64 = 36;
/// Longest RSDP accepted (`Length` is 36 to this day).
pub const RSDP_MAX_LEN: u32 = 4096;
/// Where the BIOS data area keeps the EBDA's real-mode segment.
pub const EBDA_SEGMENT_PTR: u64 = 0x40e;
/// Size of that segment word.
const EBDA_SEGMENT_LEN: u64 = 2;
/// Bytes of the EBDA scanned.
pub const EBDA_SCAN_LEN: u64 = 1024;
/// The BIOS read-only area scanned.
pub const BIOS_AREA: core::ops::Range<u64> = 0xe_0000..0x10_0000;
/// The RSDP is on a 16-byte boundary.
pub const SCAN_STEP: u64 = 16;

// RSDP field offsets.
const SIGNATURE: u64 = 0;
const REVISION: u64 = 15;
const RSDT_ADDRESS: u64 = 16;
const LENGTH: u64 = 20;
const XSDT_ADDRESS: u64 = 24;
/// First revision with `Length` and the XSDT.
const REVISION_2: u8 = 2;
/// A real-mode segment times this is its address.
const PARAGRAPH: u64 = 16;

/// The ACPI root found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Root {
    /// The RSDP's address.
    pub rsdp: u64,
    /// The root table's address.
    pub table: u64,
    /// The root table is the XSDT (64-bit entries), not the RSDT.
    pub xsdt: bool,
}

/// The root from the RSDP at `hint`, or from the legacy scan if `None`.
pub(crate) fn locate(mem: &dyn PhysMem, hint: Option<u64>) -> Result<Root, FirmwareError> {
    if let Some(addr) = hint {
        return parse(mem, addr);
    }
    let ebda = View::new(mem, EBDA_SEGMENT_PTR, EBDA_SEGMENT_LEN, "EBDA pointer")
        .and_then(|v| v.u16(0))
        .map(|seg| u64::from(seg) * PARAGRAPH)
        .ok()
        .filter(|&a| a != 0);
    let areas = ebda
        .map(|a| a..a + EBDA_SCAN_LEN)
        .into_iter()
        .chain(core::iter::once(BIOS_AREA));
    for area in areas {
        for addr in area.step_by(SCAN_STEP as usize) {
            // Unreadable places and bad candidates are skipped.
            if let Ok(root) = parse(mem, addr) {
                return Ok(root);
            }
        }
    }
    Err(FirmwareError::NoRsdp)
}

/// The RSDP at `addr`, checked.
pub(crate) fn parse(mem: &dyn PhysMem, addr: u64) -> Result<Root, FirmwareError> {
    const WHAT: &str = "RSDP";
    let v1 = View::new(mem, addr, RSDP_V1_LEN, WHAT)?;
    let sig: [u8; 8] = v1.bytes(SIGNATURE)?;
    if sig != RSDP_SIGNATURE {
        return Err(FirmwareError::BadMagic {
            what: WHAT,
            addr,
            found: u64::from_le_bytes(sig),
        });
    }
    if !v1.checksum_ok()? {
        return Err(FirmwareError::BadChecksum { what: WHAT, addr });
    }
    let rsdt = u64::from(v1.u32(RSDT_ADDRESS)?);
    if v1.u8(REVISION)? < REVISION_2 {
        return Ok(Root {
            rsdp: addr,
            table: rsdt,
            xsdt: false,
        });
    }
    let len = View::new(mem, addr, RSDP_V2_LEN, WHAT)?.u32(LENGTH)?;
    if !(RSDP_V2_LEN..=RSDP_MAX_LEN.into()).contains(&u64::from(len)) {
        return Err(FirmwareError::BadLength {
            what: WHAT,
            addr,
            len: len.into(),
        });
    }
    let v2 = View::new(mem, addr, len.into(), "RSDP (extended)")?;
    if !v2.checksum_ok()? {
        return Err(FirmwareError::BadChecksum {
            what: "RSDP (extended)",
            addr,
        });
    }
    let xsdt = v2.u64(XSDT_ADDRESS)?;
    Ok(Root {
        rsdp: addr,
        table: if xsdt != 0 { xsdt } else { rsdt },
        xsdt: xsdt != 0,
    })
}
