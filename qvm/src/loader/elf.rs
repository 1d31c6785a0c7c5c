//! ELF64 guest images: `PT_LOAD` segments at their physical addresses,
//! for the guest architecture's machine (`crate::arch`).

use alloc::string::String;
use alloc::vec::Vec;
use elf::ElfBytes;
use elf::abi::PT_LOAD;
use elf::endian::AnyEndian;

use super::placed::{Format, Piece, Placed, Ram};
use crate::arch::guest;

/// Places the `PT_LOAD` segments of the ELF64 file `data` at their physical
/// addresses (their virtual ones when those are 0).
pub fn place_elf(data: &[u8], ram: Ram) -> Result<Placed, String> {
    let file = ElfBytes::<AnyEndian>::minimal_parse(data)
        .map_err(|e| alloc::format!("a malformed ELF file ({e})"))?;
    if file.ehdr.endianness != elf::endian::AnyEndian::Little {
        return Err("a big-endian ELF file: only little-endian images can be loaded".into());
    }
    if file.ehdr.e_machine != guest::ELF_MACHINE {
        return Err(alloc::format!(
            "an ELF file for another machine than {}",
            guest::MACHINE
        ));
    }
    let entry = file.ehdr.e_entry;
    let headers = file
        .segments()
        .ok_or_else(|| String::from("an ELF file with no program headers"))?;
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
            .is_some_and(|end| end <= data.len() as u64);
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
