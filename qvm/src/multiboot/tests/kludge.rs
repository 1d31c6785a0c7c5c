//! Placing images by the header's address fields.

use super::*;
use crate::loader::Piece;
use crate::multiboot::{Layout, find_header, kludge_layout};

/// A raw v1 kernel with its header at file offset 0x40 and the given
/// address fields (header_addr, load_addr, load_end, bss_end, entry).
fn v1_kernel(fields: [u32; 5], file_len: usize) -> (Vec<u8>, crate::multiboot::Header) {
    let img = image_with(
        &v1_header(MULTIBOOT_AOUT_KLUDGE, Some(fields)),
        0x40,
        file_len,
    );
    let h = find_header(&img).unwrap().unwrap();
    (img, h)
}

fn layout(fields: [u32; 5], file_len: usize) -> Result<Layout, alloc::string::String> {
    kludge_layout(&v1_kernel(fields, file_len).1, file_len)
}

#[test]
fn a_raw_kernel_is_placed_by_its_address_fields() {
    // Loaded from the file's start: header_addr - load_addr = 0x40.
    let l = layout(
        [0x10_0040, 0x10_0000, 0x10_1000, 0x10_3000, 0x10_0080],
        0x1800,
    )
    .unwrap();
    assert_eq!(
        l,
        Layout {
            file_offset: 0,
            load_addr: 0x10_0000,
            load_len: 0x1000,
            bss_end: 0x10_3000,
            entry: 0x10_0080,
        }
    );
    assert_eq!(l.load_end(), 0x10_1000);
    assert_eq!(
        l.piece(),
        Piece {
            gpa: 0x10_0000,
            offset: 0,
            file_len: 0x1000,
            mem_len: 0x3000
        }
    );
    // Loading starts at the header itself (file offset 0x40); load_end 0
    // takes the rest of the file, bss_end 0 means no BSS.
    let l = layout([0x20_0000, 0x20_0000, 0, 0, 0x20_0020], 0x1000).unwrap();
    assert_eq!((l.file_offset, l.load_len), (0x40, 0x1000 - 0x40));
    assert_eq!((l.bss_end, l.piece().mem_len), (0x20_0FC0, 0xFC0));
}

#[test]
fn the_address_fields_are_checked() {
    let err = |fields, len| layout(fields, len).unwrap_err();
    let e = err([0x10_0000, 0x10_0040, 0x10_1000, 0, 0x10_0080], 0x2000);
    assert!(e.contains("load_addr <= header_addr"), "{e}");
    let e = err([0x10_0100, 0x10_0000, 0x10_1000, 0, 0x10_0080], 0x2000);
    assert!(e.contains("0x100 bytes before the header"), "{e}");
    let e = err([0x10_0040, 0x10_0000, 0xF_0000, 0, 0x10_0080], 0x2000);
    assert!(e.contains("below its load_addr"), "{e}");
    let e = err([0x10_0040, 0x10_0000, 0x10_3000, 0, 0x10_0080], 0x2000);
    assert!(e.contains("the file is only 0x2000 bytes"), "{e}");
    let e = err(
        [0x10_0040, 0x10_0000, 0x10_1000, 0x10_0800, 0x10_0080],
        0x2000,
    );
    assert!(e.contains("bss_end_addr 0x100800"), "{e}");
    // The header (0x40..0x60 in the file) must be among the loaded bytes.
    let e = err([0x10_0040, 0x10_0000, 0x10_0050, 0, 0x10_0000], 0x2000);
    assert!(e.contains("not within the loaded part"), "{e}");
    let e = err([0x10_0040, 0x10_0000, 0x10_1000, 0, 0x10_1000], 0x2000);
    assert!(e.contains("entry address 0x101000"), "{e}");
    // Everything within 4 GiB (load_end 0: the whole file).
    let e = err([0xFFFF_0040, 0xFFFF_0000, 0, 0, 0xFFFF_0080], 0x2_0000);
    assert!(e.contains("past 4 GiB"), "{e}");
    assert!(layout([0xFFFF_0040, 0xFFFF_0000, 0, 0, 0xFFFF_0080], 0x1_0000).is_ok());
}

#[test]
fn multiboot2_address_and_entry_tags() {
    let hdr = |tags: &[Tag]| {
        let img = image_with(&v2_header(tags), 0x100, 0x2000);
        (find_header(&img).unwrap().unwrap(), img.len())
    };
    let addr = |load| Tag(2, 0, words(&[0x40_0100, load, 0, 0x40_4000]));
    // load_addr -1: from the file's start.
    let (h, len) = hdr(&[addr(u32::MAX), Tag(3, 0, words(&[0x40_0200]))]);
    let l = kludge_layout(&h, len).unwrap();
    assert_eq!(
        (l.file_offset, l.load_addr, l.load_len),
        (0, 0x40_0000, 0x2000)
    );
    assert_eq!((l.bss_end, l.entry), (0x40_4000, 0x40_0200));
    // No entry address tag: nowhere to start.
    let (h, len) = hdr(&[addr(0x40_0000)]);
    assert!(
        kludge_layout(&h, len)
            .unwrap_err()
            .contains("no entry address tag")
    );
    // No address tag at all: the image must be ELF; the entry tag alone
    // overrides the ELF entry.
    let (h, len) = hdr(&[Tag(3, 0, words(&[0x40_0200]))]);
    assert!(!h.uses_kludge() && h.entry == Some(0x40_0200));
    assert!(kludge_layout(&h, len).unwrap_err().contains("ELF"));
    // -1 with header_addr below the header's file offset.
    let (h, len) = hdr(&[
        Tag(2, 0, words(&[0x80, u32::MAX, 0, 0])),
        Tag(3, 0, words(&[0x80])),
    ]);
    assert!(kludge_layout(&h, len).unwrap_err().contains("beginning"));
}
