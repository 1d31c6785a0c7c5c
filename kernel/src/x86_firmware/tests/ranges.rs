//! The memory map: sorting, merging, the 1 MiB split, reserved ranges cut
//! out of RAM, capacity and wrap-around errors, and the trampoline page.

use alloc::vec::Vec;

use super::Image;
use super::build_acpi::{install, madt, qemu_entries};
use super::build_boot::{ACPI, PvhSpec, RAM, RESERVED, pvh};
use super::pvh::{BASE, SIZE};
use crate::board::{MAX_RANGES, Range};
use crate::x86_firmware::{FirmwareError, Handoff, Module, X86Board, read};

const MIB: u64 = 0x10_0000;

fn r(start: u64, end: u64) -> Range {
    Range {
        start: start as usize,
        end: end as usize,
    }
}

fn board(memmap: &[(u64, u64, u32)]) -> Result<X86Board, FirmwareError> {
    let mut img = Image::new(BASE, SIZE);
    let acpi = install(
        &mut img,
        &madt(0xfee0_0000, 1, &qemu_entries(1)),
        None,
        true,
    );
    let spec = PvhSpec {
        version: 1,
        cmdline: None,
        modules: &[],
        memmap,
        rsdp: acpi.rsdp,
    };
    let si = pvh(&mut img, &spec).start_info;
    read(Handoff::Pvh(si), &img.mem())
}

#[test]
fn sorted_and_merged() {
    let b = board(&[
        (0x40_0000, 0x1000, RESERVED),
        (2 * MIB, MIB, RAM),
        (MIB, MIB, RAM),
        (0x25_0000, MIB, RAM),
        (0x40_1000, 0x1000, ACPI),
        (0x50_0000, 0, RAM),
        (0x8_0000, 0x1_0000, RAM),
        (0x9_0000, 0x8000, RAM),
    ])
    .unwrap();
    assert_eq!(b.ram.as_slice(), &[r(MIB, 0x35_0000)]);
    assert_eq!(b.reserved.as_slice(), &[r(0x40_0000, 0x40_2000)]);
    assert_eq!(b.low_ram.as_slice(), &[r(0x8_0000, 0x9_8000)]);
}

#[test]
fn split_at_one_mib_and_reserved_cut_out() {
    let b = board(&[(0x8_0000, MIB, RAM), (0x14_0000, 0x1000, RESERVED)]).unwrap();
    assert_eq!(b.low_ram.as_slice(), &[r(0x8_0000, MIB)]);
    assert_eq!(
        b.ram.as_slice(),
        &[r(MIB, 0x14_0000), r(0x14_1000, 0x18_0000)]
    );
    let b = board(&[(0, 4 * MIB, RAM), (0x9_f000, 0x6_1000, RESERVED)]).unwrap();
    assert_eq!(b.low_ram.as_slice(), &[r(0, 0x9_f000)]);
    assert_eq!(b.ram.as_slice(), &[r(MIB, 4 * MIB)]);
}

#[test]
fn capacity_wrap_and_no_ram() {
    let many = |kind| -> Vec<(u64, u64, u32)> {
        (0..=MAX_RANGES as u64)
            .map(|i| ((2 + 2 * i) * MIB, MIB, kind))
            .collect()
    };
    let ram = FirmwareError::TooMany {
        what: "RAM ranges",
        max: MAX_RANGES,
    };
    assert_eq!(board(&many(RAM)).unwrap_err(), ram);
    let e = board(&many(RESERVED)).unwrap_err();
    assert_eq!(
        e,
        FirmwareError::TooMany {
            what: "reserved ranges",
            max: MAX_RANGES
        }
    );
    // A full RAM list that a reserved range would split.
    let mut full = many(RAM);
    full.pop();
    full.push((2 * MIB + 0x8_0000, 0x1000, RESERVED));
    assert_eq!(board(&full).unwrap_err(), ram);
    let e = board(&[(u64::MAX - 0xfff, 0x2000, RAM)]).unwrap_err();
    assert_eq!(
        e,
        FirmwareError::BadRange {
            what: "PVH memory map entry",
            addr: u64::MAX - 0xfff,
            size: 0x2000
        }
    );
    assert_eq!(
        board(&[(0, 0x9_fc00, RAM)]).unwrap_err(),
        FirmwareError::NoRam
    );
    assert_eq!(
        board(&[(MIB, MIB, RESERVED)]).unwrap_err(),
        FirmwareError::NoRam
    );
}

#[test]
fn low_page() {
    let mut b = X86Board::empty(Handoff::Pvh(0));
    let set = |b: &mut X86Board, low: &[Range]| {
        b.low_ram.clear();
        b.low_ram.extend(low.iter().copied());
    };
    set(&mut b, &[r(0, 0x9_fc00)]);
    assert_eq!(b.low_page(), Some(0x9_e000));
    b.reserved.push(r(0x9_e800, 0x9_e801)).unwrap();
    assert_eq!(b.low_page(), Some(0x9_d000));
    let module = Module {
        start: 0x9_d000,
        end: 0x9_d001,
        cmdline: None,
    };
    b.modules.push(module).unwrap();
    assert_eq!(b.low_page(), Some(0x9_c000));
    b.boot_data.push(r(0x1000, 0x9_c001)).unwrap();
    assert_eq!(b.low_page(), None);
    b.boot_data.clear();
    set(&mut b, &[r(0x1100, 0x3000)]);
    assert_eq!(b.low_page(), Some(0x2000));
    set(&mut b, &[r(0x1100, 0x2fff)]);
    assert_eq!(b.low_page(), None);
    set(&mut b, &[r(0, 0x1000)]);
    assert_eq!(b.low_page(), None);
    set(&mut b, &[r(0, 0x2000), r(0x5000, 0x5fff)]);
    assert_eq!(b.low_page(), Some(0x1000));
}
