//! The image byte by byte: where each table is, alignment, headers and
//! checksums, the RSDP's fields and the FADT's fields at the byte
//! offsets of ACPI 6.4 §5.2.9.

use super::*;
use crate::arch::x86_64::acpi::fadt::{
    FADT_LEN, FADT_MINOR, FADT_REVISION, FIX_RTC, HW_REDUCED_ACPI, PROC_C1, PWR_BUTTON,
    RESET_REG_SUP, SLP_BUTTON, TMR_VAL_EXT, WBINVD,
};
use crate::arch::x86_64::acpi::sdt::{CREATOR_ID, CREATOR_REVISION, checksum};

/// Every table with a header: (address, signature, revision).
fn headed(image: &AcpiImage) -> [(u64, &'static [u8; 4], u8); 5] {
    let a = &image.addrs;
    [
        (a.dsdt, b"DSDT", 2),
        (a.fadt, b"FACP", 6),
        (a.madt, b"APIC", 5),
        (a.rsdt, b"RSDT", 1),
        (a.xsdt, b"XSDT", 1),
    ]
}

#[test]
fn every_header_is_complete_and_sums_to_zero() {
    for cpus in [1, 16, MAX_CPUS] {
        let (m, image) = pc(cpus);
        for (addr, sig, revision) in headed(&image) {
            let t = table(&image, addr);
            let name = core::str::from_utf8(sig).unwrap();
            assert_eq!(&t[0..4], sig);
            assert!(t.len() >= 36, "{name}");
            assert_eq!(t[8], revision, "{name} revision");
            assert_eq!(sum(t), 0, "{name} checksum");
            assert_eq!(&t[10..16], &m.oem_id, "{name}");
            assert_eq!(&t[16..24], &m.oem_table_id, "{name}");
            assert_eq!(u32_at(t, 24), m.oem_revision, "{name}");
            assert_eq!(&t[28..32], &CREATOR_ID, "{name}");
            assert_eq!(u32_at(t, 32), CREATOR_REVISION, "{name}");
        }
    }
}

#[test]
fn rsdp_fields_and_both_checksums() {
    let (_, image) = pc(2);
    let at = (image.rsdp() - image.base) as usize;
    let r = &image.bytes[at..at + 36];
    assert_eq!(&r[..8], b"RSD PTR ");
    assert_eq!(sum(&r[..20]), 0, "ACPI 1.0 checksum");
    assert_eq!(sum(r), 0, "extended checksum");
    assert_eq!(&r[9..15], b"QHV   ");
    assert_eq!(r[15], 2);
    assert_eq!(u64::from(u32_at(r, 16)), image.addrs.rsdt);
    assert_eq!(u32_at(r, 20), 36);
    assert_eq!(u64_at(r, 24), image.addrs.xsdt);
    assert_eq!(&r[33..36], &[0, 0, 0]);
    // Changing any byte breaks a checksum.
    let mut bad = r.to_vec();
    bad[16] ^= 1;
    assert_ne!(sum(&bad), 0);
}

#[test]
fn tables_are_aligned_disjoint_and_inside_the_window() {
    for cpus in [1, 5, MAX_CPUS] {
        let (_, image) = pc(cpus);
        let a = image.addrs;
        assert_eq!(a.rsdp, BASE);
        assert_eq!(a.rsdp % 16, 0);
        assert!((0xE_0000..0x10_0000 - 36).contains(&a.rsdp));
        assert_eq!(a.facs % 64, 0, "FACS 64-byte aligned");
        let mut spans = vec![(a.rsdp, 36), (a.facs, 64)];
        for (addr, _, _) in headed(&image) {
            assert_eq!(addr % 8, 0);
            spans.push((addr, table(&image, addr).len() as u64));
        }
        spans.sort();
        for w in spans.windows(2) {
            assert!(w[0].0 + w[0].1 <= w[1].0, "{w:?} overlap");
        }
        let (last, len) = spans[spans.len() - 1];
        assert_eq!(last + len, image.base + image.bytes.len() as u64);
        assert!(image.bytes.len() as u64 <= WINDOW);
    }
}

#[test]
fn root_tables_point_at_the_fadt_and_madt() {
    let (_, image) = pc(3);
    let rsdt = table(&image, image.addrs.rsdt);
    let xsdt = table(&image, image.addrs.xsdt);
    assert_eq!(rsdt.len(), 36 + 2 * 4);
    assert_eq!(xsdt.len(), 36 + 2 * 8);
    let a = image.addrs;
    assert_eq!(
        [u32_at(rsdt, 36), u32_at(rsdt, 40)],
        [a.fadt as u32, a.madt as u32]
    );
    assert_eq!([u64_at(xsdt, 36), u64_at(xsdt, 44)], [a.fadt, a.madt]);
}

#[test]
fn facs_has_its_signature_length_and_version() {
    let (_, image) = pc(1);
    let at = (image.addrs.facs - image.base) as usize;
    let f = &image.bytes[at..at + 64];
    assert_eq!(&f[..4], b"FACS");
    assert_eq!(u32_at(f, 4), 64);
    assert_eq!(f[32], 2, "version");
    assert!(
        f[8..32].iter().all(|&b| b == 0),
        "no waking vector, lock free"
    );
}

#[test]
fn fadt_fields_at_their_offsets() {
    let (m, image) = pc(2);
    let f = table(&image, image.addrs.fadt);
    assert_eq!(f.len(), FADT_LEN);
    assert_eq!(f[8], FADT_REVISION);
    assert_eq!(f[131], FADT_MINOR);
    assert_eq!(u64::from(u32_at(f, 36)), image.addrs.facs, "FIRMWARE_CTRL");
    assert_eq!(u64::from(u32_at(f, 40)), image.addrs.dsdt, "DSDT");
    assert_eq!(u64_at(f, 132), 0, "X_FIRMWARE_CTRL: FIRMWARE_CTRL is used");
    assert_eq!(u64_at(f, 140), image.addrs.dsdt, "X_DSDT");
    assert_eq!(u16_at(f, 46), 9, "SCI_INT");
    assert_eq!(u32_at(f, 48), 0, "SMI_CMD");
    assert_eq!(u32_at(f, 56), 0x600, "PM1a_EVT_BLK");
    assert_eq!(u32_at(f, 64), 0x604, "PM1a_CNT_BLK");
    assert_eq!(u32_at(f, 76), 0x608, "PM_TMR_BLK");
    assert_eq!(&f[88..94], &[4, 2, 0, 4, 0, 0], "block lengths");
    assert!(u16_at(f, 96) > 100 && u16_at(f, 98) > 1000, "no C2, no C3");
    assert_eq!(f[108], m.century);
    assert_eq!(u16_at(f, 109), 0b0000_1111, "ISA, 8042, no VGA, no MSI");
    let flags = u32_at(f, 112);
    let want = WBINVD | PROC_C1 | SLP_BUTTON | FIX_RTC | TMR_VAL_EXT | RESET_REG_SUP;
    assert_eq!(flags, want);
    assert_eq!(flags & (HW_REDUCED_ACPI | PWR_BUTTON), 0);
    // RESET_REG: system I/O, 8 bits at offset 0, byte access, port 0xCF9.
    assert_eq!(&f[116..120], &[1, 8, 0, 1]);
    assert_eq!(u64_at(f, 120), 0xCF9);
    assert_eq!(f[128], 0x06, "RESET_VALUE");
    // X_PM1a_EVT_BLK, X_PM1a_CNT_BLK, X_PM_TMR_BLK.
    assert_eq!(&f[148..152], &[1, 32, 0, 2]);
    assert_eq!(u64_at(f, 152), 0x600);
    assert_eq!(&f[172..176], &[1, 16, 0, 2]);
    assert_eq!(u64_at(f, 176), 0x604);
    assert_eq!(&f[208..212], &[1, 32, 0, 3]);
    assert_eq!(u64_at(f, 212), 0x608);
    assert_eq!(&f[268..276], b"qhv\0\0\0\0\0");
}

#[test]
fn checksum_completes_any_sum() {
    assert_eq!(checksum(&[]), 0);
    assert_eq!(checksum(&[1]), 0xFF);
    assert_eq!(checksum(&[0x80, 0x80]), 0);
    let bytes = [0x12u8, 0xF0, 0x33, 0x01];
    let c = checksum(&bytes);
    assert_eq!(sum(&bytes).wrapping_add(c), 0);
}
