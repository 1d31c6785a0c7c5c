//! Laying the tables out in their window and linking them: the RSDP
//! (ACPI 6.4 §5.2.5.3) at the window's base, then the FACS (64-byte
//! aligned, §5.2.10), the DSDT, the FADT, the MADT, the RSDT (§5.2.7)
//! and the XSDT (§5.2.8), each 8-byte aligned.

use alloc::vec::Vec;

use super::check::{AcpiError, RSDP_LEN, check_base, check_fits, check_machine};
use super::dsdt::dsdt;
use super::fadt::{FACS_LEN, FADT_LEN, facs, fadt};
use super::machine::AcpiMachine;
use super::madt::{madt, madt_len};
use super::sdt::{Bytes, HEADER_LEN, Oem, Sdt, checksum};

/// RSDT and XSDT revision.
pub const RSDT_REVISION: u8 = 1;
/// RSDP revision: 2, with the XSDT address (ACPI 2.0 and later).
pub const RSDP_REVISION: u8 = 2;
/// Bytes of the RSDP the first checksum covers (the ACPI 1.0 fields).
pub const RSDP_V1_LEN: usize = 20;
/// Offset of the RSDP's Checksum (of its first 20 bytes).
const RSDP_CHECKSUM_AT: usize = 8;
/// Offset of the RSDP's Extended Checksum (of all its bytes).
const RSDP_EXT_CHECKSUM_AT: usize = 32;
/// The FACS's alignment.
pub const FACS_ALIGN: u64 = 64;
/// Every other table's alignment.
pub const TABLE_ALIGN: u64 = 8;
/// Tables the RSDT and XSDT list: the FADT and the MADT.
const ROOT_ENTRIES: u64 = 2;

/// Guest-physical addresses of the tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableAddrs {
    /// The RSDP.
    pub rsdp: u64,
    /// The FACS.
    pub facs: u64,
    /// The DSDT.
    pub dsdt: u64,
    /// The FADT.
    pub fadt: u64,
    /// The MADT.
    pub madt: u64,
    /// The RSDT.
    pub rsdt: u64,
    /// The XSDT.
    pub xsdt: u64,
}

/// The tables of a VM, ready to copy into guest memory at `base`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcpiImage {
    /// Guest-physical address of `bytes[0]`.
    pub base: u64,
    /// Every table at its place (zero padding between them).
    pub bytes: Vec<u8>,
    /// Where each table is.
    pub addrs: TableAddrs,
}

impl AcpiImage {
    /// Where the RSDP is: what a guest finds by scanning, and what a
    /// boot protocol that passes it gives.
    pub fn rsdp(&self) -> u64 {
        self.addrs.rsdp
    }
}

fn align(x: u64, to: u64) -> u64 {
    x.next_multiple_of(to)
}

/// The tables of `m` laid out at `base` (the RSDP's address: 16-byte
/// aligned, inside 0xE0000-0xFFFFF), in at most `window` bytes.
pub fn build(m: &AcpiMachine, base: u64, window: u64) -> Result<AcpiImage, AcpiError> {
    check_machine(m)?;
    check_base(base)?;
    let oem = Oem {
        id: m.oem_id,
        table_id: m.oem_table_id,
        revision: m.oem_revision,
    };
    let dsdt_bytes = dsdt(&oem, &m.virtio, &m.shmem, m.legacy.i8042);
    let head = HEADER_LEN as u64;
    let facs_at = align(base + RSDP_LEN, FACS_ALIGN);
    let dsdt_at = align(facs_at + FACS_LEN as u64, TABLE_ALIGN);
    let fadt_at = align(dsdt_at + dsdt_bytes.len() as u64, TABLE_ALIGN);
    let madt_at = align(fadt_at + FADT_LEN as u64, TABLE_ALIGN);
    let madt_size = madt_len(m.cpus, m.overrides.len());
    let rsdt_at = align(madt_at + madt_size, TABLE_ALIGN);
    let xsdt_at = align(rsdt_at + head + 4 * ROOT_ENTRIES, TABLE_ALIGN);
    let end = xsdt_at + head + 8 * ROOT_ENTRIES;
    check_fits(end - base, window)?;
    // The RSDP is below 1 MiB and the tables take a few KiB after it:
    // every address fits the RSDT's and FADT's 32-bit fields.
    let low = |a: u64| u32::try_from(a).unwrap_or(0);

    let mut rsdt = Sdt::new(b"RSDT", RSDT_REVISION, &oem);
    rsdt.body().u32(low(fadt_at)).u32(low(madt_at));
    let mut xsdt = Sdt::new(b"XSDT", RSDT_REVISION, &oem);
    xsdt.body().u64(fadt_at).u64(madt_at);

    let addrs = TableAddrs {
        rsdp: base,
        facs: facs_at,
        dsdt: dsdt_at,
        fadt: fadt_at,
        madt: madt_at,
        rsdt: rsdt_at,
        xsdt: xsdt_at,
    };
    let mut bytes = alloc::vec![0; (end - base) as usize];
    let parts = [
        (base, rsdp(&oem, low(rsdt_at), xsdt_at)),
        (facs_at, facs()),
        (dsdt_at, dsdt_bytes),
        (fadt_at, fadt(m, &oem, low(facs_at), low(dsdt_at))),
        (madt_at, madt(m, &oem)),
        (rsdt_at, rsdt.finish()),
        (xsdt_at, xsdt.finish()),
    ];
    for (at, table) in parts {
        let off = (at - base) as usize;
        bytes[off..off + table.len()].copy_from_slice(&table);
    }
    Ok(AcpiImage { base, bytes, addrs })
}

/// The RSDP: "RSD PTR ", the checksum of its first 20 bytes, OEM ID,
/// revision 2, the RSDT's 32-bit address, its length (36), the XSDT's
/// 64-bit address and the extended checksum of all 36 bytes.
fn rsdp(oem: &Oem, rsdt: u32, xsdt: u64) -> Vec<u8> {
    let mut b = Bytes::default();
    b.raw(b"RSD PTR ")
        .u8(0)
        .raw(&oem.id)
        .u8(RSDP_REVISION)
        .u32(rsdt)
        .u32(RSDP_LEN as u32)
        .u64(xsdt)
        .u8(0)
        .zeros(3);
    let mut bytes = b.0;
    bytes[RSDP_CHECKSUM_AT] = checksum(&bytes[..RSDP_V1_LEN]);
    bytes[RSDP_EXT_CHECKSUM_AT] = checksum(&bytes);
    bytes
}
