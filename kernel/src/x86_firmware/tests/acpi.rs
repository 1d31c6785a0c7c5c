//! Finding the ACPI tables: the RSDP (v1 and v2, handed off or found by
//! the legacy scan), its checksums, the XSDT or RSDT, and broken tables.

use super::Image;
use super::build_acpi::{
    Acpi, SDT_CHECKSUM, SDT_LENGTH, TABLE_ALIGN, install, madt, qemu_entries, rsdp_v1, rsdp_v2,
    rsdt,
};
use super::build_boot::{PvhSpec, QEMU_MEMMAP, pvh};
use super::pvh::{BASE, SIZE};
use crate::x86_firmware::{FirmwareError, Handoff, MAX_TABLE_LEN, X86Board, read};

/// RSDP field offsets.
const RSDP_CHECKSUM: u64 = 8;
const RSDP_LENGTH: u64 = 20;
const RSDP_EXT_CHECKSUM: u64 = 32;
/// An SDT header byte no checksum fixes up (in the OEM ID).
const SDT_OEM_ID: u64 = 10;
/// The BIOS data area word holding the EBDA segment.
const EBDA_SEGMENT_PTR: u64 = 0x40e;

/// A start_info with QEMU's memory map naming `rsdp` (0: none).
fn start_info(img: &mut Image, rsdp: u64) -> u64 {
    let spec = PvhSpec {
        version: 1,
        cmdline: None,
        modules: &[],
        memmap: &QEMU_MEMMAP,
        rsdp,
    };
    pvh(img, &spec).start_info
}

fn tables(use_xsdt: bool) -> (Image, Acpi) {
    let mut img = Image::new(BASE, SIZE);
    let acpi = install(
        &mut img,
        &madt(0xfee0_0000, 1, &qemu_entries(2)),
        None,
        use_xsdt,
    );
    (img, acpi)
}

fn read_with(img: &mut Image, rsdp: u64) -> Result<X86Board, FirmwareError> {
    let si = start_info(img, rsdp);
    read(Handoff::Pvh(si), &img.mem())
}

#[test]
fn rsdp_v1_and_rsdt() {
    let (mut img, acpi) = tables(false);
    let b = read_with(&mut img, acpi.rsdp).unwrap();
    assert_eq!((b.rsdp, b.root_table), (acpi.rsdp, acpi.root));
    assert_eq!(b.cpus.len(), 2);
    assert_eq!((b.reset, b.pm_timer, acpi.fadt), (None, None, None));
}

#[test]
fn rsdp_v2_prefers_the_xsdt_unless_null() {
    let (mut img, acpi) = tables(true);
    let b = read_with(&mut img, acpi.rsdp).unwrap();
    assert_eq!(b.root_table, acpi.root);
    // An RSDT next to it, and an RSDP v2 with a null XSDT address.
    let rt = img.place(&rsdt(&[0, acpi.madt as u32]), TABLE_ALIGN);
    let rsdp = img.place(&rsdp_v2(rt as u32, 0), TABLE_ALIGN);
    let b = read_with(&mut img, rsdp).unwrap();
    assert_eq!(b.root_table, rt);
    assert_eq!(b.cpus.len(), 2);
}

#[test]
fn rsdp_checksums_signature_and_length() {
    let (img, acpi) = tables(true);
    let err = |f: &dyn Fn(&mut Image)| {
        let mut i = img.clone();
        f(&mut i);
        read_with(&mut i, acpi.rsdp).unwrap_err()
    };
    let a = acpi.rsdp;
    let bad = |what| FirmwareError::BadChecksum { what, addr: a };
    assert_eq!(err(&|i| i.bump(a + RSDP_CHECKSUM, 1)), bad("RSDP"));
    assert_eq!(
        err(&|i| i.bump(a + RSDP_EXT_CHECKSUM, 1)),
        bad("RSDP (extended)")
    );
    assert_eq!(
        err(&|i| i.set_u32(a + RSDP_LENGTH, u32::MAX)),
        FirmwareError::BadLength {
            what: "RSDP",
            addr: a,
            len: u32::MAX.into()
        }
    );
    let e = err(&|i| i.put(a, b"RSD PTX "));
    assert!(
        matches!(e, FirmwareError::BadMagic { what: "RSDP", .. }),
        "{e}"
    );
    let e = err(&|i| i.set_u64(a + RSDP_LENGTH + 4, 0x7000_0000));
    assert!(matches!(e, FirmwareError::BadChecksum { .. }), "{e}");
}

#[test]
fn broken_tables() {
    let (img, acpi) = tables(true);
    let err = |f: &dyn Fn(&mut Image)| {
        let mut i = img.clone();
        f(&mut i);
        read_with(&mut i, acpi.rsdp).unwrap_err()
    };
    let (root, m) = (acpi.root, acpi.madt);
    assert_eq!(
        err(&|i| i.bump(root + SDT_OEM_ID, 1)),
        FirmwareError::BadChecksum {
            what: "XSDT",
            addr: root
        }
    );
    assert_eq!(
        err(&|i| i.bump(m + SDT_CHECKSUM as u64, 1)),
        FirmwareError::BadChecksum {
            what: "MADT",
            addr: m
        }
    );
    for len in [u32::MAX, MAX_TABLE_LEN + 1, 35, 0] {
        assert_eq!(
            err(&|i| i.set_u32(m + SDT_LENGTH, len)),
            FirmwareError::BadLength {
                what: "MADT",
                addr: m,
                len: len.into()
            }
        );
    }
    // A length inside the bound but past the end of memory.
    let e = err(&|i| i.set_u32(m + SDT_LENGTH, MAX_TABLE_LEN));
    assert!(
        matches!(e, FirmwareError::Unreadable { what: "MADT", .. }),
        "{e}"
    );
}

#[test]
fn root_entries_that_lead_nowhere() {
    let (mut img, acpi) = tables(false);
    // An RSDT that lists itself (and a null entry): no MADT, no loop.
    let me = img.alloc(36 + 8, TABLE_ALIGN);
    img.put(me, &rsdt(&[0, me as u32]));
    let rsdp = img.place(&rsdp_v1(me as u32), TABLE_ALIGN);
    assert_eq!(
        read_with(&mut img, rsdp).unwrap_err(),
        FirmwareError::NoMadt
    );
    // An entry outside memory.
    let far = img.place(&rsdt(&[0x4000_0000]), TABLE_ALIGN);
    let rsdp = img.place(&rsdp_v1(far as u32), TABLE_ALIGN);
    assert_eq!(
        read_with(&mut img, rsdp).unwrap_err(),
        FirmwareError::Unreadable {
            what: "ACPI table",
            addr: 0x4000_0000
        }
    );
    // A root that is not an RSDT.
    let rsdp = img.place(&rsdp_v1(acpi.madt as u32), TABLE_ALIGN);
    let e = read_with(&mut img, rsdp).unwrap_err();
    assert_eq!(
        e,
        FirmwareError::BadMagic {
            what: "RSDT",
            addr: acpi.madt,
            found: u32::from_le_bytes(*b"APIC").into()
        }
    );
}

/// A 1 MiB arena from 0 with the tables low, and copies of the RSDP
/// where the legacy scan looks.
#[test]
fn legacy_scan() {
    const EBDA_SEGMENT: u16 = 0x9fc0;
    const EBDA: u64 = 0x9_fc00;
    let mut img = Image::new(0, 0x10_0000);
    img.alloc(0x1000, 1);
    let acpi = install(
        &mut img,
        &madt(0xfee0_0000, 1, &qemu_entries(1)),
        None,
        true,
    );
    let rsdp = rsdp_v2(0, acpi.root);
    let mut broken = rsdp.clone();
    broken[0x10] ^= 1;
    img.put(0xe_1000, &broken);
    img.put(0xf_5a31, &rsdp);
    img.put(0xf_5a40, &rsdp);
    img.put(EBDA + 0x40, &rsdp);
    img.put(EBDA_SEGMENT_PTR, &EBDA_SEGMENT.to_le_bytes());
    let b = read_with(&mut img, 0).unwrap();
    assert_eq!(b.rsdp, EBDA + 0x40);
    assert_eq!(b.root_table, acpi.root);
    img.put(EBDA_SEGMENT_PTR, &[0, 0]);
    assert_eq!(read_with(&mut img, 0).unwrap().rsdp, 0xf_5a40);
    img.put(0xf_5a40, &[0; 8]);
    assert_eq!(read_with(&mut img, 0).unwrap_err(), FirmwareError::NoRsdp);
}
