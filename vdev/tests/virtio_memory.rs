//! `GuestMemory`'s typed accesses (`read_u16` ... `write_u64`): their
//! default bodies over `read`/`write`, on `VecMemory`: little-endian, at
//! any alignment, bounds-checked like the byte copies.

use vdev::virtio::{GuestMemory, MemError, VecMemory};

const BASE: u64 = 0x4000_0000;

#[test]
fn typed_accesses_are_little_endian() {
    let mut m = VecMemory::new(BASE, 64);
    m.write_u16(BASE, 0x1234).unwrap();
    m.write_u32(BASE + 4, 0xdead_beef).unwrap();
    m.write_u64(BASE + 8, 0x0102_0304_0506_0708).unwrap();
    assert_eq!(&m.bytes[..4], &[0x34, 0x12, 0, 0]);
    assert_eq!(&m.bytes[4..8], &[0xef, 0xbe, 0xad, 0xde]);
    assert_eq!(&m.bytes[8..16], &[8, 7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(m.read_u16(BASE), Ok(0x1234));
    assert_eq!(m.read_u32(BASE + 4), Ok(0xdead_beef));
    assert_eq!(m.read_u64(BASE + 8), Ok(0x0102_0304_0506_0708));
    // Fields inside a wider value, as a descriptor is read.
    assert_eq!(m.read_u16(BASE + 6), Ok(0xdead));
    assert_eq!(m.read_u32(BASE + 8), Ok(0x0506_0708));
}

#[test]
fn typed_accesses_at_any_alignment() {
    let mut m = VecMemory::new(BASE, 64);
    for off in 0..16 {
        let gpa = BASE + off;
        m.write_u16(gpa, 0xa55a).unwrap();
        assert_eq!(m.read_u16(gpa), Ok(0xa55a));
        m.write_u32(gpa, 0x1357_9bdf).unwrap();
        assert_eq!(m.read_u32(gpa), Ok(0x1357_9bdf));
        m.write_u64(gpa, u64::MAX - off).unwrap();
        assert_eq!(m.read_u64(gpa), Ok(u64::MAX - off));
    }
}

#[test]
fn typed_accesses_are_bounds_checked() {
    let mut m = VecMemory::new(BASE, 16);
    assert_eq!(m.read_u64(BASE + 8), Ok(0));
    assert_eq!(m.read_u64(BASE + 9), Err(MemError { gpa: BASE + 9 }));
    assert_eq!(m.read_u32(BASE + 13), Err(MemError { gpa: BASE + 13 }));
    assert_eq!(m.read_u16(BASE + 15), Err(MemError { gpa: BASE + 15 }));
    assert_eq!(m.read_u16(BASE - 1), Err(MemError { gpa: BASE - 1 }));
    assert_eq!(m.read_u16(u64::MAX), Err(MemError { gpa: u64::MAX }));
    assert_eq!(m.write_u16(BASE + 15, 1), Err(MemError { gpa: BASE + 15 }));
    assert_eq!(m.write_u32(BASE + 14, 1), Err(MemError { gpa: BASE + 14 }));
    assert_eq!(
        m.write_u64(u64::MAX - 3, 1),
        Err(MemError { gpa: u64::MAX - 3 })
    );
    assert!(
        m.bytes.iter().all(|&b| b == 0),
        "refused writes change nothing"
    );
}
