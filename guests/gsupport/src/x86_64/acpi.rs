//! Finding the ACPI tables in memory: the RSDP where the Multiboot2
//! information's copy lies ([`root_at`]), else by scanning the EBDA's
//! first KiB and 0xE0000–0xFFFFF on 16-byte boundaries (ACPI 6.5,
//! 5.2.5.1; Multiboot v1 passes no pointer), then the tables the RSDT or
//! XSDT lists. A table is used only if its length is bounded
//! ([`MAX_TABLE`]), it lies below 4 GiB (the guest's map) and its
//! checksum is right; the bytes go to [`crate::acpi`]'s parsers.

use crate::acpi::{self, HEADER_LEN, RSDP_V2_LEN, Rsdp};

/// The real-mode segment of the EBDA is at this BDA word (5.2.5.1).
const EBDA_SEGMENT_PTR: u64 = 0x40E;
/// The BIOS read-only area searched after the EBDA.
const BIOS_AREA: (u64, u64) = (0xE_0000, 0x10_0000);
/// Longest table read.
pub const MAX_TABLE: usize = 1 << 20;
/// The guest's identity map ends here.
const MAP_END: u64 = 1 << 32;

/// `len` bytes of physical memory at `addr`, if they are below 4 GiB.
fn phys(addr: u64, len: usize) -> Option<&'static [u8]> {
    if addr == 0 || addr.checked_add(len as u64)? > MAP_END {
        return None;
    }
    // SAFETY: the range lies in the identity map of the first 4 GiB; the
    // firmware's tables and the BIOS area are only read.
    Some(unsafe { core::slice::from_raw_parts(addr as usize as *const u8, len) })
}

/// The table at `addr`, whole, if its length is sane and its checksum
/// right.
pub fn table_at(addr: u64) -> Option<&'static [u8]> {
    let len = acpi::table_len(phys(addr, HEADER_LEN)?)?;
    let bytes = phys(addr, len).filter(|_| len <= MAX_TABLE)?;
    acpi::sums_to_zero(bytes).then_some(bytes)
}

/// The ACPI root: the RSDP and the RSDT or XSDT it leads to.
#[derive(Clone, Copy, Debug)]
pub struct Root {
    /// The RSDP.
    pub rsdp: Rsdp,
    /// The XSDT if there is a good one, else the RSDT (whole tables).
    sdt: &'static [u8],
    extended: bool,
}

impl Root {
    /// The first table the RSDT or XSDT lists with `signature`, whole.
    pub fn find(&self, signature: &[u8; 4]) -> Option<&'static [u8]> {
        acpi::sdt_entries(&self.sdt[HEADER_LEN..], self.extended)
            .filter_map(table_at)
            .find(|t| &t[..4] == signature)
    }
}

/// The ACPI root whose RSDP (checked) is at `addr`.
pub fn root_at(addr: u64) -> Option<Root> {
    let rsdp = acpi::parse_rsdp(phys(addr, RSDP_V2_LEN)?)?;
    let xsdt = rsdp.xsdt.and_then(table_at).filter(|t| &t[..4] == b"XSDT");
    let (sdt, extended) = match xsdt {
        Some(t) => (t, true),
        None => (
            table_at(u64::from(rsdp.rsdt)).filter(|t| &t[..4] == b"RSDT")?,
            false,
        ),
    };
    Some(Root {
        rsdp,
        sdt,
        extended,
    })
}

fn scan(start: u64, end: u64) -> Option<Root> {
    (start..end - RSDP_V2_LEN as u64)
        .step_by(16)
        .find_map(root_at)
}

/// Finds the ACPI root: in the EBDA's first KiB, then the BIOS area.
pub fn discover() -> Option<Root> {
    let ebda = phys(EBDA_SEGMENT_PTR, 2)
        .and_then(|b| acpi::le16(b, 0))
        .map(|segment| u64::from(segment) << 4);
    ebda.filter(|&e| (0x400..BIOS_AREA.0).contains(&e))
        .and_then(|e| scan(e, e + 1024))
        .or_else(|| scan(BIOS_AREA.0, BIOS_AREA.1))
}
