//! The AML encodings (ACPI 6.4 §20.2) and the DSDT read back by a small
//! decoder of its own: `\_S5_` found by scanning, its package decoded.

use super::*;
use crate::arch::x86_64::acpi::aml::{
    BYTE_PREFIX, DWORD_PREFIX, NAME_OP, PACKAGE_OP, QWORD_PREFIX, WORD_PREFIX, integer,
    is_name_seg, pkg_length,
};
use crate::arch::x86_64::acpi::sdt::Bytes;

/// Decodes the PkgLength at the start of `b`: (its value, its bytes).
fn read_pkg_length(b: &[u8]) -> (usize, usize) {
    let extra = usize::from(b[0] >> 6);
    if extra == 0 {
        return (usize::from(b[0] & 0x3F), 1);
    }
    assert_eq!(b[0] & 0x30, 0, "bits 5:4 of a multi-byte lead are reserved");
    let mut v = usize::from(b[0] & 0x0F);
    for i in 0..extra {
        v |= usize::from(b[1 + i]) << (4 + 8 * i);
    }
    (v, 1 + extra)
}

/// Decodes the integer at the start of `b`: (value, bytes).
fn read_integer(b: &[u8]) -> (u64, usize) {
    let le = |n: usize| {
        let mut v = [0u8; 8];
        v[..n].copy_from_slice(&b[1..1 + n]);
        (u64::from_le_bytes(v), 1 + n)
    };
    match b[0] {
        0x00 => (0, 1),
        0x01 => (1, 1),
        BYTE_PREFIX => le(1),
        WORD_PREFIX => le(2),
        DWORD_PREFIX => le(4),
        QWORD_PREFIX => le(8),
        op => panic!("not an integer: {op:#x}"),
    }
}

/// Decodes `Name(seg, Package(){...})` at the start of `b`: the name,
/// the integers, and the bytes taken.
pub(super) fn read_name_package(b: &[u8]) -> ([u8; 4], Vec<u64>, usize) {
    assert_eq!(b[0], NAME_OP);
    let seg: [u8; 4] = b[1..5].try_into().unwrap();
    assert_eq!(b[5], PACKAGE_OP);
    let (len, used) = read_pkg_length(&b[6..]);
    let pkg = &b[6..6 + len];
    let count = pkg[used];
    let mut at = used + 1;
    let mut values = Vec::new();
    for _ in 0..count {
        let (v, n) = read_integer(&pkg[at..]);
        values.push(v);
        at += n;
    }
    assert_eq!(at, len, "the PkgLength covers exactly the package");
    (seg, values, 6 + len)
}

fn dsdt_aml(image: &AcpiImage) -> &[u8] {
    &table(image, image.addrs.dsdt)[36..]
}

#[test]
fn s5_is_found_by_scanning_the_dsdt_and_carries_slp_typ_s5() {
    let (_, image) = pc(2);
    let aml = dsdt_aml(&image);
    let at = aml
        .windows(4)
        .position(|w| w == b"_S5_")
        .expect("_S5_ in the DSDT");
    let (seg, values, _) = read_name_package(&aml[at - 1..]);
    assert_eq!(&seg, b"_S5_");
    assert_eq!(values[0], u64::from(SLP_TYP_S5), "SLP_TYPa");
    assert_eq!(values, [5, 5, 0, 0]);
}

#[test]
fn the_dsdt_is_s0_s5_then_the_system_bus() {
    let (_, image) = pc(1);
    let aml = dsdt_aml(&image);
    let (s0, v0, n0) = read_name_package(aml);
    let (s5, v5, n5) = read_name_package(&aml[n0..]);
    assert_eq!((&s0, v0), (b"_S0_", vec![0, 0, 0, 0]));
    assert_eq!(&s5, b"_S5_");
    assert_eq!(v5[0], u64::from(SLP_TYP_S5));
    // The PC has an 8042: Scope (\_SB) { Device (KBD_) ... } ends it.
    let rest = &aml[n0 + n5..];
    assert_eq!(rest[0], 0x10, "ScopeOp");
    assert_eq!(usize::from(rest[1]), rest.len() - 1, "one scope to the end");
    assert_eq!(&rest[2..7], b"\\_SB_");
    assert!(rest.windows(4).any(|w| w == b"KBD_"));
}

#[test]
fn pkg_length_uses_the_fewest_bytes_and_counts_itself() {
    assert_eq!(pkg_length(0), Some(vec![0x01]));
    assert_eq!(pkg_length(62), Some(vec![0x3F]));
    // 63 bytes + 2 of PkgLength = 65 = 0x041.
    assert_eq!(pkg_length(63), Some(vec![0x41, 0x04]));
    assert_eq!(pkg_length(4093), Some(vec![0x4F, 0xFF]));
    // 4094 + 3 = 0x1001.
    assert_eq!(pkg_length(4094), Some(vec![0x81, 0x00, 0x01]));
    let max = (1 << 28) - 1;
    assert_eq!(pkg_length(max - 4), Some(vec![0xCF, 0xFF, 0xFF, 0xFF]));
    assert_eq!(pkg_length(max - 3), None);
    for rest in (0..70_000).step_by(7).chain([1 << 20, (1 << 20) + 13]) {
        let enc = pkg_length(rest).unwrap();
        let (value, used) = read_pkg_length(&enc);
        assert_eq!((value, used), (rest + enc.len(), enc.len()), "rest {rest}");
    }
}

#[test]
fn integers_take_their_shortest_encoding() {
    let cases: [(u64, &[u8]); 8] = [
        (0, &[0x00]),
        (1, &[0x01]),
        (5, &[0x0A, 5]),
        (0xFF, &[0x0A, 0xFF]),
        (0x100, &[0x0B, 0x00, 0x01]),
        (0x1_0000, &[0x0C, 0, 0, 1, 0]),
        (0x1_0000_0000, &[0x0E, 0, 0, 0, 0, 1, 0, 0, 0]),
        (
            u64::MAX,
            &[0x0E, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
        ),
    ];
    for (v, want) in cases {
        let mut b = Bytes::default();
        integer(&mut b, v);
        assert_eq!(b.0, want, "{v:#x}");
        assert_eq!(read_integer(&b.0), (v, want.len()));
    }
}

#[test]
fn name_segs_follow_the_grammar() {
    assert!(is_name_seg(b"_S5_"));
    assert!(is_name_seg(b"PCI0"));
    assert!(!is_name_seg(b"0ABC"), "a digit cannot lead");
    assert!(!is_name_seg(b"_s5_"), "lower case");
    assert!(!is_name_seg(b"_S5 "));
}
