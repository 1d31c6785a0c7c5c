//! The bzImage's header, its placing and its zero page, on made-up
//! headers with the values of a Debian 6.1 kernel.

use alloc::vec::Vec;

use super::setup_header::*;
use super::*;
use crate::multiboot::{MemoryKind, MemoryRegion};

const MIB: u64 = 1 << 20;

/// The first 4 KiB of a bzImage like Debian's linux-image-6.1.0-47-amd64:
/// 39 setup sectors, protocol 2.15, relocatable at 2 MiB multiples,
/// preferring 16 MiB, init_size 0x3F98000, xloadflags 0x7F.
fn head() -> Vec<u8> {
    let mut h = alloc::vec![0u8; 4096];
    h[SETUP_SECTS] = 39;
    h[JUMP_LEN] = 0x6A;
    h[HEADER_MAGIC..HEADER_MAGIC + 4].copy_from_slice(b"HdrS");
    h[VERSION..VERSION + 2].copy_from_slice(&0x020Fu16.to_le_bytes());
    h[LOADFLAGS] = LOADED_HIGH;
    h[KERNEL_ALIGNMENT..KERNEL_ALIGNMENT + 4].copy_from_slice(&0x20_0000u32.to_le_bytes());
    h[RELOCATABLE] = 1;
    h[XLOADFLAGS..XLOADFLAGS + 2].copy_from_slice(&0x7Fu16.to_le_bytes());
    h[CMDLINE_SIZE..CMDLINE_SIZE + 4].copy_from_slice(&0x7FFu32.to_le_bytes());
    h[INITRD_ADDR_MAX..INITRD_ADDR_MAX + 4].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
    h[PREF_ADDRESS..PREF_ADDRESS + 8].copy_from_slice(&0x100_0000u64.to_le_bytes());
    h[INIT_SIZE..INIT_SIZE + 4].copy_from_slice(&0x3F9_8000u32.to_le_bytes());
    h
}

const FILE_LEN: usize = 8_234_944;

#[test]
fn a_debian_header_reads_back() {
    let h = SetupHeader::parse(&head(), FILE_LEN).unwrap();
    assert_eq!(h.version, 0x020F);
    assert_eq!(h.kernel_offset, 40 * 512);
    assert_eq!(h.header_len, 0x202 + 0x6A - 0x1F1);
    assert!(h.relocatable && h.above_4g());
    assert_eq!((h.kernel_alignment, h.pref_address), (2 * MIB, 16 * MIB));
    assert_eq!((h.init_size, h.cmdline_size), (0x3F9_8000, 0x7FF));
    assert_eq!(h.code_len(FILE_LEN), FILE_LEN - 40 * 512);
}

#[test]
fn kernels_qvm_cannot_start_are_refused_with_the_reason() {
    let refuse = |edit: &dyn Fn(&mut Vec<u8>), why: &str| {
        let mut h = head();
        edit(&mut h);
        let e = SetupHeader::parse(&h, FILE_LEN).unwrap_err();
        assert!(e.contains(why), "{e}");
    };
    refuse(&|h| h[HEADER_MAGIC] = b'X', "HdrS");
    refuse(&|h| h[VERSION] = 0x0B, "2.12");
    refuse(&|h| h[XLOADFLAGS] = 0x7E, "64-bit entry");
    refuse(&|h| h[LOADFLAGS] = 0, "zImage");
    refuse(&|h| h.truncate(0x240), "cut short");
    refuse(&|h| h[KERNEL_ALIGNMENT] = 3, "power of two");
    assert!(
        SetupHeader::parse(&head(), 40 * 512)
            .unwrap_err()
            .contains("all of its")
    );
    // setup_sects 0 means 4.
    let mut h = head();
    h[SETUP_SECTS] = 0;
    assert_eq!(
        SetupHeader::parse(&h, FILE_LEN).unwrap().kernel_offset,
        5 * 512
    );
}

#[test]
fn the_kernel_loads_where_it_prefers_else_low_else_not_at_all() {
    let h = SetupHeader::parse(&head(), FILE_LEN).unwrap();
    assert_eq!(h.load_address(0, 256 * MIB, None), Ok(16 * MIB));
    // 64 MiB from 2 MiB: pref_address + init_size does not fit.
    assert_eq!(h.load_address(0, 66 * MIB, None), Ok(2 * MIB));
    let e = h.load_address(0, 64 * MIB, None).unwrap_err();
    assert!(e.contains("more RAM"), "{e}");
    assert_eq!(h.load_address(0, 256 * MIB, Some(32 * MIB)), Ok(32 * MIB));
    assert!(
        h.load_address(0, 256 * MIB, Some(33 * MIB))
            .unwrap_err()
            .contains("multiples of 0x200000")
    );
    assert!(
        h.load_address(0, 80 * MIB, Some(32 * MIB))
            .unwrap_err()
            .contains("init_size")
    );
    let mut fixed = head();
    fixed[RELOCATABLE] = 0;
    let fixed = SetupHeader::parse(&fixed, FILE_LEN).unwrap();
    assert_eq!(fixed.load_address(0, 80 * MIB, None), Ok(16 * MIB));
    assert!(fixed.load_address(0, 66 * MIB, None).is_err());
    assert!(
        fixed
            .load_address(0, 256 * MIB, Some(32 * MIB))
            .unwrap_err()
            .contains("not relocatable")
    );
}

#[test]
fn placing_copies_the_protected_mode_kernel_and_starts_at_its_64_bit_entry() {
    let ram = Ram {
        base: 0,
        size: 256 * MIB,
    };
    let p = place(&head(), FILE_LEN, ram, None).unwrap();
    assert_eq!(p.entry, 16 * MIB + 0x200);
    assert_eq!(p.span, (16 * MIB, 16 * MIB + 0x3F9_8000));
    assert_eq!(
        p.pieces,
        [Piece {
            gpa: 16 * MIB,
            offset: 40 * 512,
            file_len: FILE_LEN - 40 * 512,
            mem_len: 0x3F9_8000,
        }]
    );
    // Through the loader of x86 guests: a bzImage is their kernel image.
    #[cfg(feature = "guest-x86_64")]
    assert_eq!(
        crate::loader::place_head(&head(), FILE_LEN, ram, None).unwrap(),
        p
    );
}

fn memory() -> Vec<MemoryRegion> {
    alloc::vec![
        MemoryRegion {
            base: 0,
            length: 0xA_0000,
            kind: MemoryKind::Ram,
        },
        MemoryRegion {
            base: 0x1_0000_0000,
            length: MIB,
            kind: MemoryKind::Reserved,
        },
    ]
}

#[test]
fn the_zero_page_holds_the_header_and_what_the_loader_says() {
    let head = head();
    let header = SetupHeader::parse(&head, FILE_LEN).unwrap();
    let map = memory();
    let p = BootParams {
        head: &head,
        header: &header,
        load_address: 16 * MIB,
        cmdline: 0x1_2345_6000,
        initrd: Some((0x7F00_0000, 0x12_3456)),
        memory: &map,
        rsdp: Some(0xE_0000),
    };
    let z = zero_page(&p).unwrap();
    let u32_at = |a: usize| u32::from_le_bytes(z[a..a + 4].try_into().unwrap());
    let u64_at = |a: usize| u64::from_le_bytes(z[a..a + 8].try_into().unwrap());
    assert_eq!(z.len(), ZERO_PAGE_LEN);
    assert_eq!(&z[0x202..0x206], b"HdrS");
    assert_eq!(z[0x1F1], 39);
    assert_eq!(z[0x210], 0xFF, "type_of_loader");
    assert_eq!(u32_at(0x214), 16 << 20, "code32_start");
    assert_eq!(
        (u32_at(0x228), u32_at(0x0C8)),
        (0x2345_6000, 1),
        "cmd_line_ptr"
    );
    assert_eq!((u32_at(0x218), u32_at(0x0C0)), (0x7F00_0000, 0));
    assert_eq!((u32_at(0x21C), u32_at(0x0C4)), (0x12_3456, 0));
    assert_eq!(u64_at(0x070), 0xE_0000, "acpi_rsdp_addr");
    assert_eq!(z[0x1E8], 2, "e820_entries");
    assert_eq!(
        (u64_at(0x2D0), u64_at(0x2D8), u32_at(0x2E0)),
        (0, 0xA_0000, 1)
    );
    assert_eq!(
        (u64_at(0x2E4), u64_at(0x2EC), u32_at(0x2F4)),
        (0x1_0000_0000, MIB, 2)
    );
    assert_eq!(z[0x1EF], 0, "sentinel");
    // Nothing past the header but the e820 table.
    assert!(z[0x1F1 + header.header_len..0x2D0].iter().all(|&b| b == 0));

    // A kernel that stays below 4 GiB refuses a command line above.
    let mut low_head = head.clone();
    low_head[XLOADFLAGS] = 0x01;
    let low = SetupHeader::parse(&low_head, FILE_LEN).unwrap();
    let e = zero_page(&BootParams {
        head: &low_head,
        header: &low,
        ..p
    })
    .unwrap_err();
    assert!(e.contains("above 4 GiB"), "{e}");
    // More e820 entries than the page holds.
    let many = alloc::vec![map[0]; zero_page::E820_MAX + 1];
    assert!(
        zero_page(&BootParams { memory: &many, ..p })
            .unwrap_err()
            .contains("holds 128")
    );
}

#[test]
fn the_command_line_must_fit_the_kernels_limit() {
    assert_eq!(
        kernel_cmdline("  console=ttyS0 ", 0x7FF),
        Ok("console=ttyS0")
    );
    let long = "x".repeat(0x800);
    assert!(
        kernel_cmdline(&long, 0x7FF)
            .unwrap_err()
            .contains("at most 2047")
    );
}
