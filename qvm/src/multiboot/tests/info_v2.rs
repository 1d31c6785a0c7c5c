//! The Multiboot2 boot information, read back tag by tag; the entry state.

use super::info_v1::{MODULES, PC, pc_info};
use super::*;
use crate::multiboot::{BootInfo, Version, build_v2, entry_state};

/// The tags of a boot information blob: (type, body), checking the fixed
/// part, 8-byte alignment, sizes and the end tag on the way.
fn tags(b: &[u8]) -> Vec<(u32, &[u8])> {
    assert_eq!(u32_at(b, 0) as usize, b.len(), "total_size");
    assert_eq!(u32_at(b, 4), 0, "reserved");
    let mut out = Vec::new();
    let mut pos = 8;
    loop {
        assert_eq!(pos % 8, 0, "tag at {pos} not 8-byte aligned");
        let (kind, size) = (u32_at(b, pos), u32_at(b, pos + 4) as usize);
        assert!(size >= 8);
        if kind == 0 {
            assert_eq!(size, 8, "end tag size");
            assert_eq!(pos + 8, b.len(), "end tag last");
            return out;
        }
        out.push((kind, &b[pos + 8..pos + size]));
        // Padding is zero.
        let next = (pos + size).next_multiple_of(8);
        assert!(b[pos + size..next].iter().all(|&x| x == 0));
        pos = next;
    }
}

fn rsdp(revision: u8) -> Vec<u8> {
    let mut r = alloc::vec![0u8; 36];
    r[..8].copy_from_slice(b"RSD PTR ");
    r[9..15].copy_from_slice(b"QVMOEM");
    r[15] = revision;
    r[16..20].copy_from_slice(&0xE_1000u32.to_le_bytes());
    r[20..24].copy_from_slice(&36u32.to_le_bytes());
    r[24..32].copy_from_slice(&0xE_2000u64.to_le_bytes());
    r
}

#[test]
fn v2_information_read_back() {
    let r = rsdp(2);
    let info = BootInfo {
        rsdp: Some(&r),
        ..pc_info(&MODULES)
    };
    let b = build_v2(&info, 0x9000).unwrap();
    let t = tags(&b);
    let kinds: Vec<u32> = t.iter().map(|&(k, _)| k).collect();
    assert_eq!(kinds, [1, 2, 3, 3, 4, 6, 14, 15]);
    assert_eq!(t[0].1, b"console=ttyS0 root=/dev/vda\0");
    assert_eq!(t[1].1, b"qvm\0");
    for (i, m) in MODULES.iter().enumerate() {
        let body = t[2 + i].1;
        assert_eq!(
            (u32_at(body, 0) as u64, u32_at(body, 4) as u64),
            (m.start, m.end)
        );
        assert_eq!(cstr_at(body, 8), m.string);
        assert_eq!(body.len(), 8 + m.string.len() + 1);
    }
    assert_eq!(t[4].1, &words(&[639, 261_120])[..]);
    let mmap = t[5].1;
    assert_eq!((u32_at(mmap, 0), u32_at(mmap, 4)), (24, 0)); // entry_size, entry_version
    assert_eq!(mmap.len(), 8 + 24 * PC.len());
    for (i, reg) in PC.iter().enumerate() {
        let e = &mmap[8 + 24 * i..];
        assert_eq!((u64_at(e, 0), u64_at(e, 8)), (reg.base, reg.length));
        assert_eq!((u32_at(e, 16), u32_at(e, 20)), (reg.kind.code(), 0));
    }
    // ACPI 1.0 part (20 bytes) and the whole ACPI 2.0 RSDP.
    assert_eq!((t[6].1, t[7].1), (&r[..20], &r[..]));
}

#[test]
fn v2_rsdp_and_modules_are_optional() {
    let r = rsdp(0);
    let info = BootInfo {
        rsdp: Some(&r[..20]),
        ..pc_info(&[])
    };
    let b = build_v2(&info, 0x1_0000).unwrap();
    let kinds: Vec<u32> = tags(&b).iter().map(|&(k, _)| k).collect();
    assert_eq!(kinds, [1, 2, 4, 6, 14]);
    let b = build_v2(&pc_info(&[]), 0x1_0000).unwrap();
    assert_eq!(tags(&b).len(), 4);
    // Not an RSDP, or an ACPI 2.0 one cut short.
    let bad = BootInfo {
        rsdp: Some(b"RSD PTX 0123456789ab"),
        ..pc_info(&[])
    };
    assert!(
        build_v2(&bad, 0x1_0000)
            .unwrap_err()
            .contains("not an RSDP")
    );
    let r2 = rsdp(2);
    let short = BootInfo {
        rsdp: Some(&r2[..30]),
        ..pc_info(&[])
    };
    assert!(
        build_v2(&short, 0x1_0000)
            .unwrap_err()
            .contains("length 36")
    );
}

#[test]
fn v2_placement_is_checked() {
    let info = pc_info(&MODULES);
    assert!(
        build_v2(&info, 0x9004)
            .unwrap_err()
            .contains("8-byte aligned")
    );
    assert!(
        build_v2(&info, 0x1_0000_0000)
            .unwrap_err()
            .contains("below 4 GiB")
    );
    assert!(build_v2(&info, 0x30_0008).unwrap_err().contains("fs.img"));
}

#[test]
fn entry_registers() {
    let s = entry_state(Version::V1, 0x10_000C, 0x9000).unwrap();
    assert_eq!((s.eip, s.eax, s.ebx), (0x10_000C, 0x2BAD_B002, 0x9000));
    let s = entry_state(Version::V2, 0x10_000C, 0x9008).unwrap();
    assert_eq!((s.eip, s.eax, s.ebx), (0x10_000C, 0x36D7_6289, 0x9008));
    assert!(entry_state(Version::V2, 0x10_0000, 0x9004).is_err());
    assert!(entry_state(Version::V1, 0x10_0000, 0x9004).is_ok());
    assert!(entry_state(Version::V1, 0x1_0000_0000, 0x9000).is_err());
    assert!(entry_state(Version::V1, 0x1000, 0x1_0000_0000).is_err());
}
