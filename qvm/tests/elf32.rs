//! ELF32 guest images (`qvm::loader`): i386 images, the container of most
//! multiboot kernels, placed at `p_paddr` by the x86 guest's ELF kinds
//! (`qvm::arch::x86_64::ELF_KINDS`), and every malformed or foreign one
//! refused with a sentence that says what is wrong; ARM guests take ELF32
//! ARM images only (`tests/zimage.rs`). The x86 kinds are passed to `place_elf` directly, so
//! these run in both feature builds; `place` itself (the guest's kinds)
//! is checked by feature.

use elf::abi::{EM_386, EM_ARM, EM_X86_64, PT_LOAD, PT_NOTE};
use qvm::arch::x86_64::ELF_KINDS as X86;
use qvm::loader::{Format, Piece, Placed, Ram, head_len, place_elf};

/// 64 MiB from 0, as an x86 VM's first RAM.
const RAM: Ram = Ram {
    base: 0,
    size: 64 << 20,
};

/// A segment: type, file offset, virtual and physical address, bytes in
/// the file and in memory.
#[derive(Clone, Copy)]
struct Seg {
    kind: u32,
    offset: u32,
    vaddr: u32,
    paddr: u32,
    filesz: u32,
    memsz: u32,
}

fn load(offset: u32, paddr: u32, filesz: u32, memsz: u32) -> Seg {
    Seg {
        kind: PT_LOAD,
        offset,
        vaddr: paddr,
        paddr,
        filesz,
        memsz,
    }
}

/// An ELF32 little-endian executable for `machine`: the 52-byte header,
/// the 32-byte program headers right after it, the file padded to `len`.
fn elf32(machine: u16, entry: u32, segs: &[Seg], len: usize) -> Vec<u8> {
    let mut f = vec![0u8; len.max(52 + 32 * segs.len())];
    f[..7].copy_from_slice(b"\x7fELF\x01\x01\x01");
    f[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    f[18..20].copy_from_slice(&machine.to_le_bytes());
    f[20..24].copy_from_slice(&1u32.to_le_bytes());
    f[24..28].copy_from_slice(&entry.to_le_bytes());
    f[28..32].copy_from_slice(&52u32.to_le_bytes()); // e_phoff
    f[40..42].copy_from_slice(&52u16.to_le_bytes()); // e_ehsize
    f[42..44].copy_from_slice(&32u16.to_le_bytes()); // e_phentsize
    f[44..46].copy_from_slice(&(segs.len() as u16).to_le_bytes());
    for (i, s) in segs.iter().enumerate() {
        let p = 52 + 32 * i;
        for (j, v) in [
            s.kind, s.offset, s.vaddr, s.paddr, s.filesz, s.memsz, 7, 0x1000,
        ]
        .into_iter()
        .enumerate()
        {
            f[p + 4 * j..p + 4 * j + 4].copy_from_slice(&v.to_le_bytes());
        }
    }
    f
}

fn place32(f: &[u8]) -> Result<Placed, String> {
    place_elf(f, f.len(), RAM, X86)
}

fn refused(f: &[u8]) -> String {
    place32(f).expect_err("an image that must be refused")
}

#[test]
fn segments_go_to_their_physical_addresses() {
    // A multiboot kernel linked high: code at 3 GiB + 1 MiB virtual,
    // loaded at 1 MiB; data with BSS after it; a note that is not loaded.
    let segs = [
        Seg {
            vaddr: 0xC010_0000,
            ..load(0x1000, 0x10_0000, 0x2000, 0x2000)
        },
        Seg {
            vaddr: 0xC010_3000,
            ..load(0x3000, 0x10_3000, 0x100, 0x5000)
        },
        Seg {
            kind: PT_NOTE,
            ..load(0x3100, 0, 0x20, 0x20)
        },
    ];
    let p = place32(&elf32(EM_386, 0x10_000c, &segs, 0x3200)).unwrap();
    assert_eq!(p.format, Format::Elf32);
    assert_eq!(p.entry, 0x10_000c);
    assert_eq!(p.span, (0x10_0000, 0x10_8000));
    assert_eq!(
        p.pieces,
        [
            Piece {
                gpa: 0x10_0000,
                offset: 0x1000,
                file_len: 0x2000,
                mem_len: 0x2000
            },
            Piece {
                gpa: 0x10_3000,
                offset: 0x3000,
                file_len: 0x100,
                mem_len: 0x5000
            },
        ]
    );
    // p_paddr 0: the virtual address is the physical one.
    let low = [Seg {
        paddr: 0,
        vaddr: 0x20_0000,
        ..load(0x100, 0, 0x10, 0x10)
    }];
    let p = place32(&elf32(EM_386, 0x20_0000, &low, 0x200)).unwrap();
    assert_eq!(p.pieces[0].gpa, 0x20_0000);
}

#[test]
fn foreign_and_malformed_images_are_refused_with_the_reason() {
    let seg = [load(0x100, 0x10_0000, 0x100, 0x1000)];
    let good = elf32(EM_386, 0x10_0000, &seg, 0x200);
    assert!(place32(&good).is_ok());
    let mut wrong_size = good.clone();
    wrong_size[42..44].copy_from_slice(&56u16.to_le_bytes());
    let mut far_headers = good.clone();
    far_headers[28..32].copy_from_slice(&0x1f0u32.to_le_bytes());
    let mut none = good.clone();
    none[44..46].copy_from_slice(&0u16.to_le_bytes());
    let mut big_endian = good.clone();
    big_endian[5] = 2;
    let cases: [(Vec<u8>, &str); 10] = [
        (
            elf32(EM_X86_64, 0x10_0000, &seg, 0x200),
            "an ELF32 file for another machine than i386 (e_machine 62, not 3)",
        ),
        (
            elf32(EM_ARM, 0x10_0000, &seg, 0x200),
            "an ELF32 file for another machine than i386 (e_machine 40, not 3)",
        ),
        (
            wrong_size,
            "a malformed ELF32 file (program headers of 56 bytes, not 32)",
        ),
        (
            far_headers,
            "a malformed ELF file (program headers past the end)",
        ),
        (none, "an ELF file with no program headers"),
        (
            big_endian,
            "a big-endian ELF file: only little-endian images can be loaded",
        ),
        (
            good[..40].to_vec(),
            "a malformed ELF file (truncated header)",
        ),
        (
            elf32(
                EM_386,
                0x10_0000,
                &[load(0x100, 0x10_0000, 0x200, 0x1000)],
                0x200,
            ),
            "ELF segment 0 lies outside the file",
        ),
        (
            elf32(
                EM_386,
                0x10_0000,
                &[load(0x100, 0x10_0000, 0x100, 0x80)],
                0x200,
            ),
            "ELF segment 0 lies outside the file",
        ),
        (
            elf32(EM_386, 0x20_0000, &seg, 0x200),
            "the ELF entry point 0x200000 is not in a loaded segment",
        ),
    ];
    for (image, want) in cases {
        assert_eq!(refused(&image), want);
    }
    // Fields at the ends of their 32 bits: nothing wraps.
    let high = [load(0xFFFF_FF00, 0x10_0000, 0x200, 0x200)];
    assert_eq!(
        refused(&elf32(EM_386, 0x10_0000, &high, 0x200)),
        "ELF segment 0 lies outside the file"
    );
    let top = [load(0x100, 0xFFFF_F000, 0x100, 0xFFFF_F000)];
    assert_eq!(
        refused(&elf32(EM_386, 0xFFFF_F000, &top, 0x200)),
        "ELF segment 0 (0xfffff000 bytes at 0xfffff000) is not inside guest RAM"
    );
    let only_note = [Seg {
        kind: PT_NOTE,
        ..seg[0]
    }];
    assert_eq!(
        refused(&elf32(EM_386, 0x10_0000, &only_note, 0x200)),
        "an ELF file with nothing to load"
    );
}

#[test]
fn elf64_for_i386_is_refused() {
    let mut f = vec![0u8; 64 + 56];
    f[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    f[18..20].copy_from_slice(&EM_386.to_le_bytes());
    f[20..24].copy_from_slice(&1u32.to_le_bytes());
    f[32..40].copy_from_slice(&64u64.to_le_bytes());
    f[54..56].copy_from_slice(&56u16.to_le_bytes());
    f[56..58].copy_from_slice(&1u16.to_le_bytes());
    assert_eq!(
        place_elf(&f, f.len(), RAM, X86).unwrap_err(),
        "an ELF64 file for another machine than x86-64 (e_machine 3, not 62)"
    );
}

#[test]
fn the_head_reaches_the_program_headers() {
    let seg = [load(0x100, 0x10_0000, 0x100, 0x1000)];
    let mut f = elf32(EM_386, 0x10_0000, &seg, 0x3000);
    assert_eq!(head_len(&f), qvm::loader::HEAD_BYTES);
    // Program headers at 0x2000, past the head qvm reads first.
    let ph = f[52..84].to_vec();
    f[0x2000..0x2020].copy_from_slice(&ph);
    f[28..32].copy_from_slice(&0x2000u32.to_le_bytes());
    assert_eq!(head_len(&f[..qvm::loader::HEAD_BYTES]), 0x2020);
    let whole = place32(&f).unwrap();
    assert_eq!(whole.pieces[0].gpa, 0x10_0000);
    assert_eq!(
        place_elf(&f[..0x1000], f.len(), RAM, X86).unwrap_err(),
        "a malformed ELF file (program headers past the end)"
    );
    assert_eq!(place_elf(&f[..0x2020], f.len(), RAM, X86).unwrap(), whole);
}

/// What `load` does on each guest: x86 places ELF32 i386 images (a
/// multiboot kernel whose header has no address fields too); ARM refuses
/// an i386 one (its ELF32 images are ARM's).
#[test]
fn the_guest_decides() {
    let seg = [load(0x100, 0x10_0000, 0x100, 0x1000)];
    let mut f = elf32(EM_386, 0x10_0000, &seg, 0x200);
    // Multiboot v1 header at 0x100: magic, flags (memory info), checksum.
    let (magic, flags) = (0x1BAD_B002u32, 2u32);
    for (i, v) in [magic, flags, 0u32.wrapping_sub(magic + flags)]
        .into_iter()
        .enumerate()
    {
        f[0x100 + 4 * i..0x104 + 4 * i].copy_from_slice(&v.to_le_bytes());
    }
    let header = qvm::multiboot::find_header(&f).unwrap().unwrap();
    assert!(!header.uses_kludge());
    assert_eq!(header.entry, None);
    let placed = qvm::loader::place(&f, RAM, None);
    if cfg!(feature = "guest-x86_64") {
        assert_eq!(placed.unwrap().format, Format::Elf32);
    } else {
        assert_eq!(
            placed.unwrap_err(),
            "an ELF32 file for another machine than 32-bit ARM (e_machine 3, not 40)"
        );
    }
}
