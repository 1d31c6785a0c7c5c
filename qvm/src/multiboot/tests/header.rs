//! Finding and checking headers of both versions.

use super::*;
use crate::multiboot::{Header, Module, Version, find_header};

fn found(img: &[u8]) -> Header {
    find_header(img).unwrap().expect("a header")
}

fn refused(img: &[u8]) -> alloc::string::String {
    find_header(img).unwrap_err()
}

#[test]
fn v1_found_at_aligned_offsets_in_the_first_8192_bytes() {
    let h = v1_header(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO, None);
    for off in [0, 4, 0x40, 0x1000, MULTIBOOT_SEARCH - 12] {
        let hd = found(&image_with(&h, off, 0x3000));
        assert_eq!((hd.version, hd.offset, hd.length), (Version::V1, off, 12));
        assert!(hd.page_align_modules && hd.memory_info_required);
        assert_eq!((hd.addresses, hd.entry), (None, None));
        assert!(hd.ignored.is_empty());
    }
    // Not 4-byte aligned, or not completely in the first 8192 bytes.
    for off in [2, MULTIBOOT_SEARCH - 8, MULTIBOOT_SEARCH] {
        assert_eq!(find_header(&image_with(&h, off, 0x3000)), Ok(None));
    }
    assert_eq!(find_header(b""), Ok(None));
    assert_eq!(find_header(&[0u8; 0x9000]), Ok(None));
}

#[test]
fn v1_flags() {
    let plain = found(&v1_header(0, None));
    assert!(!plain.page_align_modules && !plain.memory_info_required);
    let e = refused(&v1_header(MULTIBOOT_VIDEO_MODE, None));
    assert!(e.contains("video mode") && e.contains("bit 2"), "{e}");
    let e = refused(&v1_header(1 << 3, None));
    assert!(e.contains("0x8") && e.contains("does not define"), "{e}");
    // Undefined optional bits (16-31) are ignored, with a note.
    let h = found(&v1_header(1 << 20, None));
    assert!(h.ignored[0].contains("0x100000"));
    // Bit 16: the address fields.
    let h = found(&v1_header(MULTIBOOT_AOUT_KLUDGE, Some([1, 2, 3, 4, 5])));
    assert_eq!(h.length, 32);
    let a = h.addresses.unwrap();
    let fields = (a.header_addr, a.load_addr, a.load_end_addr, a.bss_end_addr);
    assert_eq!((fields, h.entry), ((1, 2, 3, 4), Some(5)));
    assert!(h.uses_kludge());
    // ... which must lie within the first 8192 bytes and the file.
    let kl = v1_header(MULTIBOOT_AOUT_KLUDGE, Some([0; 5]));
    let e = refused(&image_with(&kl, MULTIBOOT_SEARCH - 16, 0x3000));
    assert!(e.contains("8192"), "{e}");
    assert!(refused(&kl[..20]).contains("ends at 0x14"));
}

#[test]
fn bad_checksums_are_refused() {
    let mut h = v1_header(0, None);
    h[8] ^= 1;
    let e = refused(&image_with(&h, 0x20, 0x100));
    assert!(e.contains("checksum") && e.contains("0x20"), "{e}");
    // A stray magic value before a good header does not hide it.
    let good = v1_header(MULTIBOOT_MEMORY_INFO, None);
    let mut img = image_with(&h, 0x20, 0x100);
    img[0x80..0x80 + 12].copy_from_slice(&good);
    assert_eq!(found(&img).offset, 0x80);

    let mut h2 = v2_header(&[]);
    h2[12] ^= 0x80;
    let e = refused(&image_with(&h2, 0x18, 0x100));
    assert!(e.contains("Multiboot2") && e.contains("checksum"), "{e}");
}

#[test]
fn v2_found_at_aligned_offsets_in_the_first_32768_bytes() {
    let h = v2_header(&[]);
    assert_eq!(h.len(), 24);
    for off in [0, 8, 0x1000, 0x2008, MULTIBOOT2_SEARCH - 24] {
        let hd = found(&image_with(&h, off, 0x9000));
        assert_eq!((hd.version, hd.offset, hd.length), (Version::V2, off, 24));
        assert!(hd.addresses.is_none() && hd.entry.is_none() && hd.info_requests.is_empty());
    }
    assert_eq!(find_header(&image_with(&h, 4, 0x100)), Ok(None));
    assert_eq!(
        find_header(&image_with(&h, MULTIBOOT2_SEARCH, 0x9000)),
        Ok(None)
    );
    // The magic fields fit but the tags cross the limit.
    let e = refused(&image_with(&h, MULTIBOOT2_SEARCH - 16, 0x9000));
    assert!(e.contains("32768"), "{e}");
}

#[test]
fn v2_tags() {
    let h = found(&v2_header(&[
        Tag(1, 0, words(&[1, 4, 6, 14])),
        Tag(1, 1, words(&[99])), // optional: a wish
        Tag(2, 0, words(&[0x10_0000, 0x10_0000, 0, 0])),
        Tag(3, 0, words(&[0x10_0020])),
        Tag(6, 0, Vec::new()),
        Tag(10, 0, words(&[0x10_0000, 0x800_0000, 0x1000, 1])),
    ]));
    assert_eq!(h.info_requests, [1, 4, 6, 14]);
    assert!(h.memory_info_required && h.page_align_modules);
    assert_eq!(h.addresses.unwrap().header_addr, 0x10_0000);
    assert_eq!(h.entry, Some(0x10_0020));
    assert_eq!(h.relocatable.unwrap().align, 0x1000);
    assert!(h.ignored[0].contains("linked address"));

    let m = |start| Module {
        start,
        end: start + 10,
        string: "m",
    };
    assert!(h.check_modules(&[m(0x20_0000), m(0x20_1000)]).is_ok());
    assert!(
        h.check_modules(&[m(0x20_0010)])
            .unwrap_err()
            .contains("0x200010")
    );
    let no_align = found(&v2_header(&[]));
    assert!(no_align.check_modules(&[m(0x20_0010)]).is_ok());
}

#[test]
fn v2_required_tags_qvm_cannot_honour() {
    let fb = |flags| v2_header(&[Tag(5, flags, words(&[1024, 768, 32]))]);
    let e = refused(&fb(0));
    assert!(e.contains("framebuffer") && e.contains("1024x768"), "{e}");
    assert!(found(&fb(1)).ignored[0].contains("graphics mode"));
    for kind in [7, 8, 9] {
        let body = if kind == 7 {
            Vec::new()
        } else {
            words(&[0x1000])
        };
        let e = refused(&v2_header(&[Tag(kind, 0, body.clone())]));
        assert!(e.contains("EFI"), "{e}");
        assert!(found(&v2_header(&[Tag(kind, 1, body)])).ignored[0].contains("no EFI"));
    }
    let e = refused(&v2_header(&[Tag(4, 0, words(&[1]))]));
    assert!(e.contains("console"), "{e}");
    assert!(found(&v2_header(&[Tag(4, 1, words(&[1]))])).ignored[0].contains("console"));
    assert!(found(&v2_header(&[Tag(4, 0, words(&[2]))])).ignored[0].contains("0x2"));
    assert!(refused(&v2_header(&[Tag(42, 0, Vec::new())])).contains("type 42"));
    assert!(found(&v2_header(&[Tag(42, 1, Vec::new())])).ignored[0].contains("type 42"));
}

#[test]
fn v2_information_requests() {
    let req = |types: &[u32]| v2_header(&[Tag(1, 0, words(types))]);
    // Provided: no notes.
    let h = found(&req(&[0, 1, 2, 3, 4, 6, 14, 15]));
    assert!(h.ignored.is_empty());
    // Understood but never available: left out, noted.
    let h = found(&req(&[5, 8]));
    assert_eq!(h.ignored.len(), 2);
    assert!(h.ignored[1].contains("framebuffer") && h.ignored[1].contains("tag type 8"));
    assert!(!h.memory_info_required);
    // Not provided, or unknown.
    assert!(refused(&req(&[1, 9])).contains("ELF section headers"));
    assert!(refused(&req(&[99])).contains("does not define"));
    assert!(found(&req(&[21])).ignored[0].contains("load base"));
    let reloc = Tag(10, 0, words(&[0, u32::MAX, 8, 0]));
    let e = refused(&v2_header(&[Tag(1, 0, words(&[21])), reloc]));
    assert!(e.contains("relocate"), "{e}");
}

#[test]
fn v2_damaged_headers() {
    let mut mips = v2_header(&[]);
    mips[4] = 4;
    let sum = u32_at(&mips, 12).wrapping_sub(4);
    mips[12..16].copy_from_slice(&sum.to_le_bytes());
    assert!(refused(&mips).contains("MIPS"));

    let with_len = |len: u32, body: &[u8]| {
        let sum = 0u32.wrapping_sub(MULTIBOOT2_HEADER_MAGIC).wrapping_sub(len);
        let mut h = words(&[MULTIBOOT2_HEADER_MAGIC, 0, len, sum]);
        h.extend_from_slice(body);
        h
    };
    assert!(refused(&with_len(16, &[0; 8])).contains("too short"));
    // No end tag: a module alignment tag, then the header ends.
    let e = refused(&with_len(24, &[6, 0, 0, 0, 8, 0, 0, 0]));
    assert!(e.contains("no end tag"), "{e}");
    // A tag whose size is below 8 or past header_length.
    assert!(refused(&with_len(24, &[6, 0, 0, 0, 4, 0, 0, 0])).contains("size 4"));
    assert!(refused(&with_len(24, &[6, 0, 0, 0, 16, 0, 0, 0])).contains("size 16"));
    // A tag too short for its fields.
    let e = refused(&v2_header(&[Tag(2, 0, words(&[1, 2]))]));
    assert!(e.contains("address tag is 16 bytes"), "{e}");
    // The image ends inside the header.
    let h = v2_header(&[Tag(3, 0, words(&[5]))]);
    assert!(refused(&h[..h.len() - 1]).contains("inside its Multiboot2 header"));
    // Two entry address tags.
    let two = v2_header(&[Tag(3, 0, words(&[5])), Tag(3, 0, words(&[6]))]);
    assert!(refused(&two).contains("two entry address tags"));
}

#[test]
fn both_versions_prefer_multiboot2() {
    let v1 = v1_header(MULTIBOOT_MEMORY_INFO, None);
    let v2 = v2_header(&[]);
    let mut img = image_with(&v1, 0, 0x100);
    img[0x10..0x10 + v2.len()].copy_from_slice(&v2);
    assert_eq!(found(&img).version, Version::V2);
    // A refused Multiboot2 header falls back to a good Multiboot one...
    let fb = v2_header(&[Tag(5, 0, words(&[0, 0, 0]))]);
    img[0x10..0x10 + fb.len()].copy_from_slice(&fb);
    assert_eq!(found(&img).version, Version::V1);
    // ...and without one the Multiboot2 reason is given.
    img[..4].fill(0);
    assert!(refused(&img).contains("framebuffer"));
}
