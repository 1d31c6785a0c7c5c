//! The `_CRS` reader over devices encoded as `qvm`'s DSDT (and iasl)
//! encode them.

use super::*;

/// `Memory32Fixed (ReadWrite, base, len)`.
fn memory32(base: u32, len: u32) -> Vec<u8> {
    let mut v = vec![0x86, 9, 0, 1];
    v.extend(base.to_le_bytes());
    v.extend(len.to_le_bytes());
    v
}

/// `Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive) { gsi }`.
fn interrupt(gsi: u32) -> Vec<u8> {
    let mut v = vec![0x89, 6, 0, 1, 1];
    v.extend(gsi.to_le_bytes());
    v
}

/// A QWord (`qword`) or DWord memory range, AddressRangeReserved.
fn address(qword: bool, base: u64, len: u64) -> Vec<u8> {
    let (tag, size, field) = if qword { (0x8A, 43, 8) } else { (0x87, 23, 4) };
    let mut v = vec![tag, size, 0, 0, 0x0D, 0x0B];
    for value in [0, base, base + len - 1, 0, len] {
        v.extend(&value.to_le_bytes()[..field]);
    }
    v
}

/// `Device (name) { Name (_HID, hid) Name (_UID, 0) Name (_CRS, Buffer
/// () {template, end tag}) }`.
fn device(name: &[u8; 4], hid: &str, template: &[u8]) -> Vec<u8> {
    let mut crs = vec![0x0A, (template.len() + 2) as u8];
    crs.extend(template);
    crs.extend([0x79, 0]);
    let mut body = name.to_vec();
    body.extend(b"\x08_HID\x0d");
    body.extend(hid.as_bytes());
    body.extend(b"\0\x08_UID\x00\x08_CRS\x11");
    body.extend(pkg(crs.len()));
    body.extend(crs);
    let mut out = vec![0x5B, 0x82];
    out.extend(pkg(body.len()));
    out.extend(body);
    out
}

/// A PkgLength for `rest` bytes after it (one or two bytes).
fn pkg(rest: usize) -> Vec<u8> {
    if rest < 0x3F {
        vec![(rest + 1) as u8]
    } else {
        let total = rest + 2;
        vec![0x40 | (total & 0xF) as u8, (total >> 4) as u8]
    }
}

fn dsdt() -> Vec<u8> {
    let mut aml = b"\x10\x7f\x01\\_SB_".to_vec();
    let mut virtio = memory32(0xD000_0000, 0x200);
    virtio.extend(interrupt(16));
    aml.extend(device(b"VR00", "LNRO0005", &virtio));
    for (name, regs, gsi, region) in [
        (b"SH00", 0xD010_0000, 20, 0x40_0000_0000),
        (b"SH01", 0xD010_1000, 21, 0x40_0001_0000),
    ] {
        let mut t = memory32(regs, 0x1000);
        t.extend(interrupt(gsi));
        t.extend(address(true, region, 0x1_0000));
        aml.extend(device(name, "QHSM0001", &t));
    }
    aml
}

#[test]
fn finds_each_device_by_its_hid() {
    let aml = dsdt();
    let shmem = find_device(&aml, "QHSM0001", 0).unwrap();
    assert_eq!(
        shmem.memory(),
        [
            Range {
                base: 0xD010_0000,
                len: 0x1000
            },
            Range {
                base: 0x40_0000_0000,
                len: 0x1_0000
            },
        ]
    );
    let level_high = |number| Interrupt {
        number,
        level: true,
        active_low: false,
    };
    assert_eq!(shmem.interrupts(), [level_high(20)]);
    let second = find_device(&aml, "QHSM0001", 1).unwrap();
    assert_eq!(second.memory()[1].base, 0x40_0001_0000);
    assert_eq!(second.interrupts(), [level_high(21)]);
    assert_eq!(find_device(&aml, "QHSM0001", 2), None);
    let virtio = find_device(&aml, "LNRO0005", 0).unwrap();
    assert_eq!(virtio.memory()[0].len, 0x200);
    assert_eq!(virtio.interrupts(), [level_high(16)]);
    assert_eq!(find_device(&aml, "PNP0303", 0), None);
    assert_eq!(find_device(&aml, "QHSM000", 0), None, "a prefix of an ID");
}

#[test]
fn a_device_without_crs_does_not_take_the_next_ones() {
    let mut aml = b"\x08_HID\x0dQHSM0001\0\x08_UID\x00".to_vec();
    aml.extend(dsdt());
    assert_eq!(find_device(&aml, "QHSM0001", 0), None);
    assert!(find_device(&aml, "QHSM0001", 1).is_some());
}

#[test]
fn reads_dword_ranges_and_isa_irqs() {
    let mut t = address(false, 0xFEB0_0000, 0x1000);
    t.extend([0x22, 0x02, 0x00]); // IRQNoFlags () {1}
    t.extend([0x23, 0x00, 0x01, 0x08]); // IRQ (Level, ActiveLow) {8}
    t.extend([0x47, 1, 0x60, 0, 0x60, 0, 1, 1]); // IO, skipped
    t.extend([0x79, 0]);
    let r = parse_template(&t).unwrap();
    assert_eq!(
        r.memory(),
        [Range {
            base: 0xFEB0_0000,
            len: 0x1000
        }]
    );
    assert_eq!(
        r.interrupts(),
        [
            Interrupt {
                number: 1,
                level: false,
                active_low: false
            },
            Interrupt {
                number: 8,
                level: true,
                active_low: true
            },
        ]
    );
}

#[test]
fn truncated_or_odd_buffers_are_refused_or_cut() {
    let aml = dsdt();
    let at = aml.windows(8).position(|w| w == b"QHSM0001").unwrap();
    // Cut inside the first shmem device's template.
    assert_eq!(find_device(&aml[..at + 40], "QHSM0001", 0), None);
    // A template cut in a descriptor.
    assert_eq!(parse_template(&memory32(1, 2)[..7]), None);
    // The buffer's size bounds the template: a size of 12 leaves the
    // interrupt out.
    let mut t = memory32(0x1000, 0x1000);
    t.extend(interrupt(5));
    let mut aml = b"\x08_HID\x0dQHSM0001\0\x08_CRS\x11".to_vec();
    aml.extend(pkg(2 + t.len()));
    aml.extend([0x0A, 12]);
    aml.extend(&t);
    let r = find_device(&aml, "QHSM0001", 0).unwrap();
    assert_eq!((r.memory().len(), r.interrupts().len()), (1, 0));
    // A size that is not an integer the reader knows.
    let mut bad = aml.clone();
    let size_at = bad.len() - t.len() - 2;
    bad[size_at] = 0x5B;
    assert_eq!(find_device(&bad, "QHSM0001", 0), None);
}
