//! Unit tests of flattening and header patching, on ELF64 files built by hand.

use super::*;

/// A loadable segment for [`elf64`]: address, file bytes, memory size.
struct Seg {
    vaddr: u64,
    data: Vec<u8>,
    memsz: u64,
}

fn seg(vaddr: u64, data: &[u8], memsz: u64) -> Seg {
    Seg {
        vaddr,
        data: data.to_vec(),
        memsz,
    }
}

/// A little-endian aarch64 ELF64 `ET_DYN` file with `segments` as `PT_LOAD`
/// program headers and `symbols` (absolute) in a `.symtab`.
fn elf64(segments: &[Seg], symbols: &[(&str, u64)]) -> Vec<u8> {
    fn align(v: &mut Vec<u8>, to: usize) {
        v.resize(v.len().next_multiple_of(to), 0);
    }
    let phoff = 64;
    let mut out = vec![0u8; phoff + 56 * segments.len()];

    // Segment data.
    let mut offsets = Vec::new();
    for s in segments {
        align(&mut out, 16);
        offsets.push(out.len() as u64);
        out.extend_from_slice(&s.data);
    }

    // .strtab and .symtab.
    let mut strtab = vec![0u8];
    let mut symtab = vec![0u8; 24];
    for (name, value) in symbols {
        let name_off = strtab.len() as u32;
        strtab.extend_from_slice(name.as_bytes());
        strtab.push(0);
        symtab.extend_from_slice(&name_off.to_le_bytes());
        symtab.push(0x10); // STB_GLOBAL, STT_NOTYPE
        symtab.push(0);
        symtab.extend_from_slice(&0xfff1u16.to_le_bytes()); // SHN_ABS
        symtab.extend_from_slice(&value.to_le_bytes());
        symtab.extend_from_slice(&0u64.to_le_bytes());
    }
    let shstrtab = b"\0.strtab\0.symtab\0.shstrtab\0".to_vec();
    align(&mut out, 8);
    let strtab_off = out.len() as u64;
    out.extend_from_slice(&strtab);
    align(&mut out, 8);
    let symtab_off = out.len() as u64;
    out.extend_from_slice(&symtab);
    let shstrtab_off = out.len() as u64;
    out.extend_from_slice(&shstrtab);
    align(&mut out, 8);
    let shoff = out.len() as u64;

    // Section headers: null, .strtab, .symtab (link 1), .shstrtab.
    let sections = [
        (0u32, 0u32, 0u64, 0u64, 0u32, 0u64),
        (1, 3, strtab_off, strtab.len() as u64, 0, 0),
        (9, 2, symtab_off, symtab.len() as u64, 1, 24),
        (17, 3, shstrtab_off, shstrtab.len() as u64, 0, 0),
    ];
    for (name, kind, offset, size, link, entsize) in sections {
        out.extend_from_slice(&name.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes()); // flags
        out.extend_from_slice(&0u64.to_le_bytes()); // addr
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&link.to_le_bytes());
        out.extend_from_slice(&(if kind == 2 { 1u32 } else { 0 }).to_le_bytes()); // info
        out.extend_from_slice(&8u64.to_le_bytes()); // addralign
        out.extend_from_slice(&entsize.to_le_bytes());
    }

    // File header.
    let mut h = Vec::new();
    h.extend_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    h.extend_from_slice(&3u16.to_le_bytes()); // ET_DYN
    h.extend_from_slice(&EM_AARCH64.to_le_bytes());
    h.extend_from_slice(&1u32.to_le_bytes());
    h.extend_from_slice(&0u64.to_le_bytes()); // entry
    h.extend_from_slice(&(phoff as u64).to_le_bytes());
    h.extend_from_slice(&shoff.to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes()); // flags
    for half in [
        64u16,
        56,
        segments.len() as u16,
        64,
        sections.len() as u16,
        3,
    ] {
        h.extend_from_slice(&half.to_le_bytes());
    }
    out[..64].copy_from_slice(&h);

    // Program headers.
    for (i, (s, offset)) in segments.iter().zip(offsets).enumerate() {
        let mut p = Vec::new();
        p.extend_from_slice(&PT_LOAD.to_le_bytes());
        p.extend_from_slice(&5u32.to_le_bytes()); // R+X
        for v in [offset, s.vaddr, s.vaddr, s.data.len() as u64, s.memsz, 4096] {
            p.extend_from_slice(&v.to_le_bytes());
        }
        out[phoff + 56 * i..phoff + 56 * (i + 1)].copy_from_slice(&p);
    }
    out
}

/// 0x40 bytes of a fake arm64 Image header with the magic at 0x38.
fn header() -> Vec<u8> {
    let mut h = vec![0xaa; 0x40];
    h[0x10..0x18].fill(0);
    h[0x38..0x3c].copy_from_slice(ARM64_MAGIC);
    h
}

#[test]
fn flattens_segments_at_their_addresses_and_pads_to_image_end() {
    let elf = elf64(
        &[
            seg(0, &header(), 0x40),
            seg(0x1000, b"data", 0x800), // .data then .bss
        ],
        &[("_start", 0), (IMAGE_END_SYMBOL, 0x2000)],
    );
    let flat = flatten(&elf).unwrap();
    assert_eq!(flat.len(), 0x2000);
    assert_eq!(&flat[..0x40], header().as_slice());
    assert!(flat[0x40..0x1000].iter().all(|&b| b == 0));
    assert_eq!(&flat[0x1000..0x1004], b"data");
    assert!(flat[0x1004..].iter().all(|&b| b == 0));
}

#[test]
fn segments_may_come_in_any_order() {
    let elf = elf64(
        &[seg(0x1000, b"second", 6), seg(0, &header(), 0x40)],
        &[(IMAGE_END_SYMBOL, 0x2000)],
    );
    let flat = flatten(&elf).unwrap();
    assert_eq!(&flat[0x1000..0x1006], b"second");
    assert_eq!(&flat[0x38..0x3c], ARM64_MAGIC);
}

#[test]
fn rejects_overlapping_segments() {
    // The first segment's .bss runs into the second one.
    let elf = elf64(
        &[seg(0, &header(), 0x1800), seg(0x1000, b"x", 1)],
        &[(IMAGE_END_SYMBOL, 0x2000)],
    );
    let err = flatten(&elf).unwrap_err().to_string();
    assert!(err.contains("overlap"), "{err}");
}

#[test]
fn rejects_segments_far_from_zero() {
    let elf = elf64(
        &[seg(0xffff_0000_0000_0000, &header(), 0x40)],
        &[(IMAGE_END_SYMBOL, 0x1000)],
    );
    let err = flatten(&elf).unwrap_err().to_string();
    assert!(err.contains("linked at address 0"), "{err}");
}

#[test]
fn requires_an_aligned_image_end_past_the_segments() {
    let segs = || vec![seg(0, &header(), 0x40), seg(0x1000, b"d", 0x1000)];
    let missing = flatten(&elf64(&segs(), &[("other", 0x2000)])).unwrap_err();
    assert!(
        missing.to_string().contains("no symbol `__image_end`"),
        "{missing}"
    );

    let unaligned = flatten(&elf64(&segs(), &[(IMAGE_END_SYMBOL, 0x2010)])).unwrap_err();
    assert!(unaligned.to_string().contains("not aligned"), "{unaligned}");

    let short = flatten(&elf64(&segs(), &[(IMAGE_END_SYMBOL, 0x1000)])).unwrap_err();
    assert!(short.to_string().contains("before the end"), "{short}");
}

#[test]
fn rejects_files_that_are_not_elf() {
    assert!(flatten(b"MZ not an elf file at all, just some bytes").is_err());
    assert!(flatten(&[]).is_err());
}

#[test]
fn patches_image_size_and_checks_the_magic() {
    let mut image = header();
    image.resize(0x3000, 0);
    patch_header(&mut image).unwrap();
    assert_eq!(&image[0x10..0x18], &0x3000u64.to_le_bytes());
    assert_eq!(image[0x0f], 0xaa);
    assert_eq!(image[0x18], 0xaa);

    let mut bad = vec![0u8; 0x1000];
    let err = patch_header(&mut bad).unwrap_err().to_string();
    assert!(err.contains("no arm64 Image header"), "{err}");
    assert!(patch_header(&mut [0u8; 0x20]).is_err());
}

#[test]
fn assembles_kernel_then_bootfs() {
    let elf = elf64(
        &[seg(0, &header(), 0x40), seg(0x1000, b"k", 0x10)],
        &[(IMAGE_END_SYMBOL, 0x2000)],
    );
    let image = assemble(&elf, b"BOOTFS").unwrap();
    assert_eq!(image.len(), 0x2006);
    assert_eq!(&image[0x2000..], b"BOOTFS");
    assert_eq!(&image[0x10..0x18], &0x2006u64.to_le_bytes());
}

#[test]
fn assembling_needs_the_image_header() {
    let elf = elf64(
        &[seg(0, b"no header here", 14)],
        &[(IMAGE_END_SYMBOL, 0x1000)],
    );
    let err = assemble(&elf, b"").unwrap_err().to_string();
    assert!(err.contains("no arm64 Image header"), "{err}");
}

#[test]
fn finds_board_buildfiles() {
    let root = crate::build::root();
    let path = buildfile_path(&root, "qemu-virt", None).unwrap();
    assert!(path.ends_with("boot/boards/qemu-virt.build"));
    let err = buildfile_path(&root, "no-such-board", None)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown board `no-such-board`"), "{err}");
    assert!(err.contains("qemu-virt-test"), "{err}");
}
