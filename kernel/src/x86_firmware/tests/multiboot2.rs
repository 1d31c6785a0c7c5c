//! The Multiboot2 hand-off: a GRUB-like boot information read field by
//! field, and each way it can be wrong.

use alloc::vec;

use super::build_acpi::{install, madt, qemu_entries, qemu_fadt, rsdp_v1, rsdp_v2};
use super::build_boot::{QEMU_MEMMAP, Tag, mbi, multiboot2};
use super::pvh::{BASE, SIZE};
use super::{Image, Le};
use crate::board::Range;
use crate::x86_firmware::{FirmwareError, Handoff, MAX_MODULES, Module, Text, read};

/// Offset of a tag's size field.
const TAG_SIZE: u64 = 4;
/// Offset of the memory map tag's entry size.
const MMAP_ENTRY_SIZE: u64 = 8;
/// Offset of a module tag's end.
const MOD_END: u64 = 12;
/// Bootloader name and basic memory information tags (skipped).
const TAG_LOADER_NAME: u32 = 2;
const TAG_BASIC_MEMINFO: u32 = 4;

/// An arena with QEMU's ACPI tables behind an XSDT, two modules and a
/// boot information like GRUB's; returns it, the boot information's
/// address, its tags' addresses and the modules'.
pub(super) fn grub() -> (Image, u64, alloc::vec::Vec<u64>, [u64; 2]) {
    let mut img = Image::new(BASE, SIZE);
    let acpi = install(
        &mut img,
        &madt(0xfee0_0000, 1, &qemu_entries(2)),
        Some(&qemu_fadt()),
        true,
    );
    let rsdp = img.bytes[(acpi.rsdp - BASE) as usize..][..36].to_vec();
    let m0 = img.place(&[1; 0x200], 0x1000);
    let m1 = img.place(&[2; 0x300], 0x1000);
    let tags = [
        Tag::Cmdline("console=ttyS0"),
        Tag::Raw(TAG_LOADER_NAME, b"GRUB 2.12\0".to_vec()),
        Tag::Module {
            start: m0 as u32,
            end: m0 as u32 + 0x200,
            s: "/boot/qvm.img arg",
        },
        Tag::Module {
            start: m1 as u32,
            end: m1 as u32 + 0x300,
            s: "",
        },
        Tag::Raw(TAG_BASIC_MEMINFO, Le::default().u32(639).u32(130_048).0),
        Tag::Mmap(&QEMU_MEMMAP),
        Tag::AcpiOld(rsdp[..20].to_vec()),
        Tag::AcpiNew(rsdp),
    ];
    let (addr, tags) = multiboot2(&mut img, &tags);
    (img, addr, tags, [m0, m1])
}

#[test]
fn grub_boot_information_every_field() {
    let (img, addr, tags, [m0, m1]) = grub();
    let b = read(Handoff::Multiboot2(addr), &img.mem()).unwrap();
    assert_eq!(
        b.cmdline,
        Some(Text {
            addr: tags[0] + 8,
            len: 13
        })
    );
    assert_eq!(
        b.modules.as_slice(),
        &[
            Module {
                start: m0,
                end: m0 + 0x200,
                cmdline: Some(Text {
                    addr: tags[2] + 16,
                    len: 17
                })
            },
            Module {
                start: m1,
                end: m1 + 0x300,
                cmdline: Some(Text {
                    addr: tags[3] + 16,
                    len: 0
                })
            },
        ]
    );
    let mbi_len = img.bytes[(addr - BASE) as usize..][..4].to_vec();
    let total = u32::from_le_bytes(mbi_len.try_into().unwrap()) as usize;
    assert_eq!(
        b.boot_data.as_slice(),
        &[Range {
            start: addr as usize,
            end: addr as usize + total
        }]
    );
    assert_eq!(b.ram_bytes(), 0x7ee_0000);
    assert_eq!(b.reserved.len(), 4);
    // The RSDP read is the new tag's copy.
    assert_eq!(b.rsdp, tags[7] + 8);
    assert_eq!(b.cpus.len(), 2);
}

#[test]
fn old_acpi_tag_alone() {
    let mut img = Image::new(BASE, SIZE);
    let acpi = install(
        &mut img,
        &madt(0xfee0_0000, 1, &qemu_entries(1)),
        None,
        false,
    );
    let tags = [
        Tag::Mmap(&QEMU_MEMMAP),
        Tag::AcpiOld(rsdp_v1(acpi.root as u32)),
    ];
    let (addr, tags) = multiboot2(&mut img, &tags);
    let b = read(Handoff::Multiboot2(addr), &img.mem()).unwrap();
    assert_eq!((b.rsdp, b.root_table), (tags[1] + 8, acpi.root));
    assert_eq!(b.cmdline, None);
}

#[test]
fn broken_tags() {
    let (img, addr, tags, [m0, _]) = grub();
    let truncated = FirmwareError::Truncated {
        what: "multiboot2 tag",
        addr: tags[0],
    };
    for (at, value, err) in [
        (
            tags[0] + TAG_SIZE,
            0,
            FirmwareError::BadLength {
                what: "multiboot2 tag",
                addr: tags[0],
                len: 0,
            },
        ),
        (tags[0] + TAG_SIZE, 0x10_0000, truncated),
        (
            tags[5] + MMAP_ENTRY_SIZE,
            20,
            FirmwareError::BadLength {
                what: "multiboot2 memory map entry",
                addr: tags[5],
                len: 20,
            },
        ),
        (
            tags[2] + MOD_END,
            1,
            FirmwareError::BadRange {
                what: "multiboot2 module",
                addr: m0,
                size: 1u64.wrapping_sub(m0),
            },
        ),
    ] {
        let mut img = img.clone();
        img.set_u32(at, value);
        let e = read(Handoff::Multiboot2(addr), &img.mem()).unwrap_err();
        assert_eq!(e, err, "{at:#x} = {value:#x}");
    }
}

#[test]
fn bad_sizes_and_places() {
    let mut img = Image::new(BASE, SIZE);
    let (mut b, _) = mbi(&[Tag::Mmap(&QEMU_MEMMAP)], false);
    // No end tag.
    let no_end = img.place(&b, 8);
    let e = read(Handoff::Multiboot2(no_end), &img.mem()).unwrap_err();
    assert_eq!(
        e,
        FirmwareError::Truncated {
            what: "multiboot2 tag (no end tag)",
            addr: no_end + b.len() as u64
        }
    );
    // Absurd and too small total sizes.
    for total in [u32::MAX, 8] {
        b[..4].copy_from_slice(&total.to_le_bytes());
        let at = img.place(&b, 8);
        let e = read(Handoff::Multiboot2(at), &img.mem()).unwrap_err();
        assert_eq!(
            e,
            FirmwareError::BadLength {
                what: "multiboot2 boot information",
                addr: at,
                len: total.into()
            }
        );
    }
    // Misaligned, and outside memory.
    let e = read(Handoff::Multiboot2(no_end + 4), &img.mem()).unwrap_err();
    assert!(matches!(e, FirmwareError::Misaligned { .. }), "{e}");
    let e = read(Handoff::Multiboot2(0x1000), &img.mem()).unwrap_err();
    assert!(
        matches!(e, FirmwareError::Unreadable { addr: 0x1000, .. }),
        "{e}"
    );
    // The total size runs past memory.
    let (mut b, _) = mbi(&[Tag::Mmap(&QEMU_MEMMAP)], true);
    b[..4].copy_from_slice(&0x8_0000u32.to_le_bytes());
    let at = img.place(&b, 8);
    let e = read(Handoff::Multiboot2(at), &img.mem()).unwrap_err();
    assert!(matches!(e, FirmwareError::Unreadable { .. }), "{e}");
}

#[test]
fn missing_and_too_many() {
    let mut img = Image::new(BASE, SIZE);
    let (at, _) = multiboot2(&mut img, &[Tag::Cmdline("x")]);
    let e = read(Handoff::Multiboot2(at), &img.mem()).unwrap_err();
    assert_eq!(e, FirmwareError::NoMemoryMap);

    let m = img.place(&[0; 16], 8) as u32;
    let mut tags = vec![Tag::Mmap(&QEMU_MEMMAP)];
    for _ in 0..=MAX_MODULES {
        tags.push(Tag::Module {
            start: m,
            end: m + 16,
            s: "m",
        });
    }
    let (at, _) = multiboot2(&mut img, &tags);
    let e = read(Handoff::Multiboot2(at), &img.mem()).unwrap_err();
    assert_eq!(
        e,
        FirmwareError::TooMany {
            what: "multiboot2 modules",
            max: MAX_MODULES
        }
    );
}

#[test]
fn unterminated_strings_and_short_acpi_tags() {
    let mut img = Image::new(BASE, SIZE);
    let tags = [Tag::Mmap(&QEMU_MEMMAP), Tag::Raw(1, b"no nul".to_vec())];
    let (at, t) = multiboot2(&mut img, &tags);
    let e = read(Handoff::Multiboot2(at), &img.mem()).unwrap_err();
    assert_eq!(
        e,
        FirmwareError::Unterminated {
            what: "multiboot2 command line",
            addr: t[1] + 8
        }
    );
    let tags = [
        Tag::Mmap(&QEMU_MEMMAP),
        Tag::AcpiNew(rsdp_v2(0, 0)[..20].to_vec()),
    ];
    let (at, t) = multiboot2(&mut img, &tags);
    let e = read(Handoff::Multiboot2(at), &img.mem()).unwrap_err();
    assert_eq!(
        e,
        FirmwareError::Truncated {
            what: "multiboot2 ACPI tag",
            addr: t[1] + 8
        }
    );
}
