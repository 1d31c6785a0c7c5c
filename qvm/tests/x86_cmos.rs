//! The CMOS bytes of `qvm::arch::x86_64::cmos` (x86 guests only).
#![cfg(feature = "guest-x86_64")]

use qvm::arch::x86_64::cmos::bytes;

fn get(b: &[(u8, u8)], at: u8) -> u8 {
    b.iter().find(|(i, _)| *i == at).map(|&(_, v)| v).unwrap()
}

#[test]
fn sixty_four_mib_from_zero() {
    let b = bytes(&[(0, 64 << 20)], 2);
    assert_eq!((get(&b, 0x15), get(&b, 0x16)), (0x80, 0x02), "640 KiB");
    // 63 MiB above 1 MiB = 64512 KiB = 0xFC00.
    assert_eq!((get(&b, 0x17), get(&b, 0x18)), (0x00, 0xFC));
    assert_eq!((get(&b, 0x30), get(&b, 0x31)), (0x00, 0xFC));
    // 48 MiB above 16 MiB = 768 units of 64 KiB = 0x300.
    assert_eq!((get(&b, 0x34), get(&b, 0x35)), (0x00, 0x03));
    assert_eq!((get(&b, 0x5B), get(&b, 0x5C), get(&b, 0x5D)), (0, 0, 0));
    assert_eq!(get(&b, 0x5F), 1, "two CPUs");
    assert_eq!(get(&b, 0x14), 0x02, "a coprocessor, no diskette");
    let sum: u16 = b
        .iter()
        .filter(|(i, _)| (0x10..=0x2D).contains(i))
        .map(|&(_, v)| u16::from(v))
        .sum();
    assert_eq!(
        (get(&b, 0x2E), get(&b, 0x2F)),
        ((sum >> 8) as u8, sum as u8)
    );
}

#[test]
fn large_memory_is_clamped_and_split_at_4_gib() {
    // 3 GiB below the PCI hole, 5 GiB above 4 GiB.
    let b = bytes(&[(0, 3 << 30), (1 << 32, 5 << 30)], 1);
    assert_eq!((get(&b, 0x17), get(&b, 0x18)), (0xFF, 0xFF), "clamped");
    // (3 GiB - 16 MiB) / 64 KiB = 48896 = 0xBF00.
    assert_eq!((get(&b, 0x34), get(&b, 0x35)), (0x00, 0xBF));
    // 5 GiB / 64 KiB = 81920 = 0x014000.
    assert_eq!(
        (get(&b, 0x5B), get(&b, 0x5C), get(&b, 0x5D)),
        (0x00, 0x40, 0x01)
    );
    assert_eq!(get(&b, 0x5F), 0);
}

#[test]
fn ram_not_from_zero_reports_no_base_memory() {
    let b = bytes(&[(1 << 20, 1 << 20)], 1);
    assert_eq!((get(&b, 0x15), get(&b, 0x16)), (0, 0));
    assert_eq!((get(&b, 0x17), get(&b, 0x18)), (0x00, 0x04), "1024 KiB");
}
