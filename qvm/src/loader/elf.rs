//! ELF64 guest images: `PT_LOAD` segments at their physical addresses,
//! for the guest architecture's machine (`crate::arch`). Only the file
//! header and the program headers are read (the start of the file up to
//! [`head_len`]); section headers are not needed to load an image.

use alloc::string::String;
use alloc::vec::Vec;
use elf::abi::{EI_NIDENT, PN_XNUM, PT_LOAD};
use elf::endian::AnyEndian;
use elf::file::{Class, ELF64_EHDR_TAILSIZE, FileHeader, parse_ident};
use elf::segment::SegmentTable;

use super::placed::{Format, Piece, Placed, Ram};
use crate::arch::guest;

/// Bytes of an ELF64 header.
const EHDR_LEN: usize = EI_NIDENT + ELF64_EHDR_TAILSIZE;
/// Bytes of an ELF64 program header.
const PHDR_LEN: usize = 56;

/// The file header of the ELF file starting with `head`.
fn file_header(head: &[u8]) -> Result<FileHeader<AnyEndian>, String> {
    let malformed = |e: elf::ParseError| alloc::format!("a malformed ELF file ({e})");
    let truncated = || String::from("a malformed ELF file (truncated header)");
    // `parse_ident` reads its 16 bytes without checking they are there.
    let ident = head.get(..EI_NIDENT).ok_or_else(truncated)?;
    let ident = parse_ident::<AnyEndian>(ident).map_err(malformed)?;
    let tail = head.get(EI_NIDENT..EHDR_LEN).ok_or_else(truncated)?;
    FileHeader::parse_tail(ident, tail).map_err(malformed)
}

/// Where the program headers end (`e_phoff` + their size), if the file
/// header says so without overflowing.
fn program_headers_end(ehdr: &FileHeader<AnyEndian>) -> Option<usize> {
    let size = usize::from(ehdr.e_phnum).checked_mul(usize::from(ehdr.e_phentsize))?;
    usize::try_from(ehdr.e_phoff).ok()?.checked_add(size)
}

/// How many bytes from the start of the ELF file beginning with `start`
/// [`place_elf`] reads: through the end of its program headers (the file
/// header alone if it cannot be read).
pub fn head_len(start: &[u8]) -> usize {
    file_header(start)
        .ok()
        .and_then(|ehdr| program_headers_end(&ehdr))
        .unwrap_or(EHDR_LEN)
        .max(EHDR_LEN)
}

/// Places the `PT_LOAD` segments of the ELF64 file of `file_bytes` bytes
/// that `head` starts (through its program headers) at their physical
/// addresses (their virtual ones when those are 0).
pub fn place_elf(head: &[u8], file_bytes: usize, ram: Ram) -> Result<Placed, String> {
    let ehdr = file_header(head)?;
    if ehdr.endianness != elf::endian::AnyEndian::Little {
        return Err("a big-endian ELF file: only little-endian images can be loaded".into());
    }
    if ehdr.class != Class::ELF64 {
        return Err("a 32-bit ELF file: only ELF64 images can be loaded".into());
    }
    if ehdr.e_machine != guest::ELF_MACHINE {
        return Err(alloc::format!(
            "an ELF file for another machine than {}",
            guest::MACHINE
        ));
    }
    let entry = ehdr.e_entry;
    if ehdr.e_phoff == 0 || ehdr.e_phnum == 0 {
        return Err("an ELF file with no program headers".into());
    }
    if ehdr.e_phnum == PN_XNUM {
        return Err("an ELF file with too many program headers".into());
    }
    if usize::from(ehdr.e_phentsize) != PHDR_LEN {
        return Err(alloc::format!(
            "a malformed ELF file (program headers of {} bytes, not {PHDR_LEN})",
            ehdr.e_phentsize
        ));
    }
    let table = program_headers_end(&ehdr)
        .filter(|&end| end <= file_bytes)
        .and_then(|end| head.get(ehdr.e_phoff as usize..end))
        .ok_or_else(|| String::from("a malformed ELF file (program headers past the end)"))?;
    let headers = SegmentTable::new(ehdr.endianness, ehdr.class, table);
    let mut pieces = Vec::new();
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
    }
    if pieces.is_empty() {
        return Err("an ELF file with nothing to load".into());
    }
    let span = (
        pieces.iter().map(|p| p.gpa).min().unwrap_or(0),
        pieces.iter().map(|p| p.gpa + p.mem_len).max().unwrap_or(0),
    );
    if !pieces
        .iter()
        .any(|p| (p.gpa..p.gpa + p.mem_len).contains(&entry))
    {
        return Err(alloc::format!(
            "the ELF entry point {entry:#x} is not in a loaded segment"
        ));
    }
    Ok(Placed {
        format: Format::Elf,
        pieces,
        entry,
        span,
    })
}
