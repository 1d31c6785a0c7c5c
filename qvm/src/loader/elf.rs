//! ELF guest images: `PT_LOAD` segments at their physical addresses, for
//! the classes and machines the guest architecture runs (`crate::arch`'s
//! `ELF_KINDS`: ELF64 AArch64 and ELF32 ARM images on ARM; ELF64 x86-64
//! and ELF32 i386 images on x86, where most multiboot kernels are ELF32). Both classes
//! are read with the `elf` crate (file header of 64 or 52 bytes, program
//! headers of 56 or 32). Only the file header and the program headers are
//! read (the start of the file up to [`head_len`]); section headers are
//! not needed to load an image.

use alloc::string::String;
use alloc::vec::Vec;
use elf::abi::{EI_CLASS, EI_NIDENT, ELFCLASS32, PN_XNUM, PT_LOAD};
use elf::endian::AnyEndian;
use elf::file::{Class, ELF32_EHDR_TAILSIZE, ELF64_EHDR_TAILSIZE, FileHeader, parse_ident};
use elf::segment::SegmentTable;

use super::placed::{ElfKind, Format, Piece, Placed, Ram};

/// Bytes of an ELF64 file header, the longer of the two.
const EHDR64_LEN: usize = EI_NIDENT + ELF64_EHDR_TAILSIZE;
/// Bytes of an ELF32 file header.
const EHDR32_LEN: usize = EI_NIDENT + ELF32_EHDR_TAILSIZE;
/// Bytes of an ELF64 and of an ELF32 program header.
const PHDR64_LEN: usize = 56;
const PHDR32_LEN: usize = 32;

/// Bytes of the file header and of one program header of `class`.
fn header_sizes(class: Class) -> (usize, usize) {
    match class {
        Class::ELF64 => (EHDR64_LEN, PHDR64_LEN),
        Class::ELF32 => (EHDR32_LEN, PHDR32_LEN),
    }
}

/// "ELF32" or "ELF64".
fn class_name(class: Class) -> &'static str {
    match class {
        Class::ELF32 => "ELF32",
        Class::ELF64 => "ELF64",
    }
}

/// The file header of the ELF file starting with `head`.
fn file_header(head: &[u8]) -> Result<FileHeader<AnyEndian>, String> {
    let malformed = |e: elf::ParseError| alloc::format!("a malformed ELF file ({e})");
    let truncated = || String::from("a malformed ELF file (truncated header)");
    // `parse_ident` reads its 16 bytes without checking they are there.
    let ident = head.get(..EI_NIDENT).ok_or_else(truncated)?;
    let ident = parse_ident::<AnyEndian>(ident).map_err(malformed)?;
    let (ehdr_len, _) = header_sizes(ident.1);
    let tail = head.get(EI_NIDENT..ehdr_len).ok_or_else(truncated)?;
    FileHeader::parse_tail(ident, tail).map_err(malformed)
}

/// Where the program headers end (`e_phoff` + their size), if the file
/// header says so without overflowing.
fn program_headers_end(ehdr: &FileHeader<AnyEndian>) -> Option<usize> {
    let size = usize::from(ehdr.e_phnum).checked_mul(usize::from(ehdr.e_phentsize))?;
    usize::try_from(ehdr.e_phoff).ok()?.checked_add(size)
}

/// How many bytes from the start of the ELF file beginning with `start`
/// [`place_elf`] reads: through the end of its program headers (the
/// longer file header alone if it cannot be read).
pub fn head_len(start: &[u8]) -> usize {
    file_header(start)
        .ok()
        .and_then(|ehdr| program_headers_end(&ehdr))
        .unwrap_or(EHDR64_LEN)
        .max(EHDR64_LEN)
}

/// The format of an ELF file starting with `start` by its class byte
/// (the rest is checked when it is placed): [`Format::Elf32`] if it says
/// ELF32 and one of `kinds` is, refused with [`check_kind`]'s sentence if
/// none is, else [`Format::Elf`].
pub fn detect(start: &[u8], kinds: &[ElfKind]) -> Result<Format, String> {
    if start.get(EI_CLASS) != Some(&ELFCLASS32) {
        return Ok(Format::Elf);
    }
    if kinds.iter().any(|k| k.class == Class::ELF32) {
        return Ok(Format::Elf32);
    }
    Err(class_refused(Class::ELF32, kinds))
}

/// Why an image of `class` cannot be loaded when no kind has it.
fn class_refused(class: Class, kinds: &[ElfKind]) -> String {
    let bits = if class == Class::ELF32 { 32 } else { 64 };
    let mut allowed: Vec<&str> = kinds.iter().map(|k| class_name(k.class)).collect();
    allowed.dedup();
    alloc::format!(
        "a {bits}-bit ELF file: only {} images can be loaded",
        allowed.join(" and ")
    )
}

/// Refuses a class or machine that is none of `kinds`. A class none of
/// them has is named with the classes that can be loaded (kinds of ELF64
/// only: "a 32-bit ELF file: only ELF64 images can be loaded").
fn check_kind(ehdr: &FileHeader<AnyEndian>, kinds: &[ElfKind]) -> Result<(), String> {
    let class = class_name(ehdr.class);
    let mut same_class = kinds.iter().filter(|k| k.class == ehdr.class).peekable();
    if same_class.peek().is_none() {
        return Err(class_refused(ehdr.class, kinds));
    }
    let want: Vec<&ElfKind> = same_class.collect();
    if want.iter().any(|k| k.machine == ehdr.e_machine) {
        return Ok(());
    }
    let names: Vec<&str> = want.iter().map(|k| k.name).collect();
    let machines: Vec<String> = want
        .iter()
        .map(|k| alloc::format!("{}", k.machine))
        .collect();
    Err(alloc::format!(
        "an {class} file for another machine than {} (e_machine {}, not {})",
        names.join(" or "),
        ehdr.e_machine,
        machines.join(" or ")
    ))
}

/// Where the entry point `entry` is in guest-physical memory, as GRUB
/// finds it (grub-core/loader/multiboot_elfxx.c): inside a loaded
/// segment's virtual range (`vaddrs`, in the order of `pieces`), the
/// same offset into where that segment is loaded (for a kernel linked at
/// virtual addresses other than where it loads); else inside a segment's
/// physical range, as it is.
fn physical_entry(entry: u64, pieces: &[Piece], vaddrs: &[u64]) -> Option<u64> {
    let virtual_hit = pieces.iter().zip(vaddrs).find_map(|(p, &v)| {
        let offset = entry.checked_sub(v)?;
        (offset < p.mem_len).then(|| p.gpa + offset)
    });
    virtual_hit.or_else(|| {
        pieces
            .iter()
            .any(|p| (p.gpa..p.gpa + p.mem_len).contains(&entry))
            .then_some(entry)
    })
}

/// Places the `PT_LOAD` segments of the ELF file of `file_bytes` bytes
/// that `head` starts (through its program headers) at their physical
/// addresses (their virtual ones when those are 0), if its class and
/// machine are one of `kinds`; the entry point translated as GRUB does
/// ([`physical_entry`]).
pub fn place_elf(
    head: &[u8],
    file_bytes: usize,
    ram: Ram,
    kinds: &[ElfKind],
) -> Result<Placed, String> {
    let ehdr = file_header(head)?;
    if ehdr.endianness != elf::endian::AnyEndian::Little {
        return Err("a big-endian ELF file: only little-endian images can be loaded".into());
    }
    check_kind(&ehdr, kinds)?;
    let entry = ehdr.e_entry;
    if ehdr.e_phoff == 0 || ehdr.e_phnum == 0 {
        return Err("an ELF file with no program headers".into());
    }
    if ehdr.e_phnum == PN_XNUM {
        return Err("an ELF file with too many program headers".into());
    }
    let (_, phdr_len) = header_sizes(ehdr.class);
    if usize::from(ehdr.e_phentsize) != phdr_len {
        return Err(alloc::format!(
            "a malformed {} file (program headers of {} bytes, not {phdr_len})",
            class_name(ehdr.class),
            ehdr.e_phentsize
        ));
    }
    let table = program_headers_end(&ehdr)
        .filter(|&end| end <= file_bytes)
        .and_then(|end| head.get(ehdr.e_phoff as usize..end))
        .ok_or_else(|| String::from("a malformed ELF file (program headers past the end)"))?;
    let headers = SegmentTable::new(ehdr.endianness, ehdr.class, table);
    let mut pieces = Vec::new();
    // Each loaded segment's virtual start, for an entry point given as a
    // virtual address.
    let mut vaddrs = Vec::new();
    for (i, ph) in headers.iter().enumerate() {
        if ph.p_type != PT_LOAD {
            continue;
        }
        let gpa = if ph.p_paddr != 0 {
            ph.p_paddr
        } else {
            ph.p_vaddr
        };
        let (offset, file_len, mem_len) = (ph.p_offset, ph.p_filesz, ph.p_memsz);
        let in_file = offset
            .checked_add(file_len)
            .is_some_and(|end| end <= file_bytes as u64);
        if !in_file || file_len > mem_len {
            return Err(alloc::format!("ELF segment {i} lies outside the file"));
        }
        if !ram.fits(gpa, mem_len) {
            return Err(alloc::format!(
                "ELF segment {i} ({mem_len:#x} bytes at {gpa:#x}) is not inside guest RAM"
            ));
        }
        pieces.push(Piece {
            gpa,
            offset: offset as usize,
            file_len: file_len as usize,
            mem_len,
        });
        vaddrs.push(ph.p_vaddr);
    }
    if pieces.is_empty() {
        return Err("an ELF file with nothing to load".into());
    }
    let span = (
        pieces.iter().map(|p| p.gpa).min().unwrap_or(0),
        pieces.iter().map(|p| p.gpa + p.mem_len).max().unwrap_or(0),
    );
    let entry = physical_entry(entry, &pieces, &vaddrs).ok_or_else(|| {
        alloc::format!("the ELF entry point {entry:#x} is not in a loaded segment")
    })?;
    Ok(Placed {
        format: match ehdr.class {
            Class::ELF64 => Format::Elf,
            Class::ELF32 => Format::Elf32,
        },
        pieces,
        entry,
        span,
    })
}
