//! ACPI system description tables (ACPI 6.5 §5.2.6 "System Description
//! Table Header", §5.2.7 RSDT, §5.2.8 XSDT): a table is accepted when its
//! signature is the one looked for, its `Length` is at least the header
//! and at most [`MAX_TABLE_LEN`], it is all in memory and its bytes sum to
//! zero. Only the tables used are checked: a bad checksum elsewhere does
//! not stop the boot. Finding a table follows one pointer per root entry,
//! so there is no chain to loop on (a root that lists itself is a table
//! of the wrong signature).

use super::rsdp::Root;
use super::view::View;
use super::{FirmwareError, PhysMem};

/// Size of the common header.
pub const HEADER_LEN: u64 = 36;
/// Longest table accepted (QEMU's MADT for 288 CPUs is under 3 KiB; the
/// DSDT, never read here, can be larger).
pub const MAX_TABLE_LEN: u32 = 1 << 20;
/// The RSDT's signature.
pub const RSDT_SIGNATURE: [u8; 4] = *b"RSDT";
/// The XSDT's signature.
pub const XSDT_SIGNATURE: [u8; 4] = *b"XSDT";

// Header field offsets.
const SIGNATURE: u64 = 0;
const SIGNATURE_LEN: u64 = 4;
const LENGTH: u64 = 4;
/// Size of an RSDT entry.
const RSDT_ENTRY: u64 = 4;
/// Size of an XSDT entry.
const XSDT_ENTRY: u64 = 8;

/// The table `what` at `addr`, which must have signature `sig`.
pub(crate) fn table<'m>(
    mem: &'m dyn PhysMem,
    addr: u64,
    sig: [u8; 4],
    what: &'static str,
) -> Result<View<'m>, FirmwareError> {
    let head = View::new(mem, addr, HEADER_LEN, what)?;
    let found: [u8; 4] = head.bytes(SIGNATURE)?;
    if found != sig {
        return Err(FirmwareError::BadMagic {
            what,
            addr,
            found: u32::from_le_bytes(found).into(),
        });
    }
    let len = head.u32(LENGTH)?;
    if !(HEADER_LEN..=MAX_TABLE_LEN.into()).contains(&u64::from(len)) {
        return Err(FirmwareError::BadLength {
            what,
            addr,
            len: len.into(),
        });
    }
    let table = View::new(mem, addr, len.into(), what)?;
    if !table.checksum_ok()? {
        return Err(FirmwareError::BadChecksum { what, addr });
    }
    Ok(table)
}

/// The first table with signature `sig` the root lists, checked; `None`
/// if it lists none. Null entries are skipped; a trailing partial entry
/// is ignored.
pub(crate) fn find<'m>(
    mem: &'m dyn PhysMem,
    root: &Root,
    sig: [u8; 4],
    what: &'static str,
) -> Result<Option<View<'m>>, FirmwareError> {
    let (root_sig, root_what, entry) = if root.xsdt {
        (XSDT_SIGNATURE, "XSDT", XSDT_ENTRY)
    } else {
        (RSDT_SIGNATURE, "RSDT", RSDT_ENTRY)
    };
    let rt = table(mem, root.table, root_sig, root_what)?;
    for i in 0..(rt.len - HEADER_LEN) / entry {
        let off = HEADER_LEN + i * entry;
        let addr = if root.xsdt {
            rt.u64(off)?
        } else {
            rt.u32(off)?.into()
        };
        if addr == 0 {
            continue;
        }
        let found: [u8; 4] = View::new(mem, addr, SIGNATURE_LEN, "ACPI table")?.bytes(SIGNATURE)?;
        if found == sig {
            return table(mem, addr, sig, what).map(Some);
        }
    }
    Ok(None)
}
