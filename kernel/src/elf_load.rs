//! Checks an ELF executable for a host process and lists what to map.

use abi::{
    PAGE_SIZE, USER_ELF_MACHINE, USER_LOWEST, USER_STACK_MIN, USER_STACK_SIZE, USER_STACK_TOP,
};
use alloc::vec::Vec;
use elf::ElfBytes;
use elf::abi::{ET_EXEC, PF_W, PF_X, PT_GNU_STACK, PT_LOAD};
use elf::endian::LittleEndian;

/// One loadable segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Virtual address of the first byte.
    pub vaddr: usize,
    /// Bytes in memory.
    pub mem_size: usize,
    /// Offset of the file bytes.
    pub file_offset: usize,
    /// Bytes from the file (the rest is zero).
    pub file_size: usize,
    /// Writable.
    pub write: bool,
    /// Executable.
    pub exec: bool,
}

/// A checked executable.
#[derive(Debug)]
pub struct Executable {
    /// Entry point.
    pub entry: usize,
    /// Segments to load.
    pub segments: Vec<Segment>,
    /// Bytes of the first thread's stack (see [`stack_size`]).
    pub stack_size: usize,
}

/// The first thread's stack for a `PT_GNU_STACK` of `p_memsz` bytes (none:
/// 0): [`USER_STACK_SIZE`] for 0, else `p_memsz` in whole pages, at least
/// [`USER_STACK_MIN`] and at most [`USER_STACK_SIZE`].
pub fn stack_size(p_memsz: u64) -> usize {
    match usize::try_from(p_memsz) {
        Ok(0) | Err(_) => USER_STACK_SIZE,
        Ok(n) => n
            .min(USER_STACK_SIZE)
            .next_multiple_of(PAGE_SIZE)
            .max(USER_STACK_MIN),
    }
}

/// Why an image is not loadable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// Not a little-endian ELF64 file.
    NotElf,
    /// Not an AArch64 executable (ET_EXEC).
    WrongKind,
    /// A segment's file bytes lie outside the file, or sizes don't fit.
    BadSegment,
    /// A segment is outside user space, overlaps another, or the stack.
    BadAddress,
    /// The entry point is not in an executable segment.
    BadEntry,
}

/// Checks `data` and lists its segments.
pub fn parse(data: &[u8]) -> Result<Executable, LoadError> {
    let file = ElfBytes::<LittleEndian>::minimal_parse(data).map_err(|_| LoadError::NotElf)?;
    if file.ehdr.class != elf::file::Class::ELF64 {
        return Err(LoadError::NotElf);
    }
    if file.ehdr.e_machine != USER_ELF_MACHINE || file.ehdr.e_type != ET_EXEC {
        return Err(LoadError::WrongKind);
    }
    let mut segments: Vec<Segment> = Vec::new();
    let mut stack = 0;
    // Whatever stack the program asks for, segments stay below the largest.
    let stack_bottom = USER_STACK_TOP - USER_STACK_SIZE - PAGE_SIZE;
    for ph in file.segments().ok_or(LoadError::NotElf)?.iter() {
        if ph.p_type == PT_GNU_STACK {
            stack = ph.p_memsz;
        }
        if ph.p_type != PT_LOAD || ph.p_memsz == 0 {
            continue;
        }
        let seg = Segment {
            vaddr: ph.p_vaddr as usize,
            mem_size: ph.p_memsz as usize,
            file_offset: ph.p_offset as usize,
            file_size: ph.p_filesz as usize,
            write: ph.p_flags & PF_W != 0,
            exec: ph.p_flags & PF_X != 0,
        };
        let file_end = seg
            .file_offset
            .checked_add(seg.file_size)
            .ok_or(LoadError::BadSegment)?;
        if seg.file_size > seg.mem_size || file_end > data.len() {
            return Err(LoadError::BadSegment);
        }
        let end = seg
            .vaddr
            .checked_add(seg.mem_size)
            .ok_or(LoadError::BadAddress)?;
        if seg.vaddr < USER_LOWEST || end > stack_bottom {
            return Err(LoadError::BadAddress);
        }
        // Segments may share a page (linkers do that) but not bytes.
        for other in &segments {
            if seg.vaddr < other.vaddr + other.mem_size && other.vaddr < end {
                return Err(LoadError::BadAddress);
            }
        }
        segments.push(seg);
    }
    let entry = file.ehdr.e_entry as usize;
    if !segments
        .iter()
        .any(|s| s.exec && (s.vaddr..s.vaddr + s.mem_size).contains(&entry))
    {
        return Err(LoadError::BadEntry);
    }
    Ok(Executable {
        entry,
        segments,
        stack_size: stack_size(stack),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal ELF64 AArch64 executable with the given program headers
    /// (vaddr, memsz, offset, filesz, flags).
    fn image(entry: u64, phdrs: &[(u64, u64, u64, u64, u32)], machine: u16) -> Vec<u8> {
        image_typed(
            entry,
            &phdrs.iter().map(|&p| (PT_LOAD, p)).collect::<Vec<_>>(),
            machine,
        )
    }

    /// A program header: vaddr, memsz, offset, filesz, flags.
    type Phdr = (u64, u64, u64, u64, u32);

    /// As [`image`], each program header with its type.
    fn image_typed(entry: u64, phdrs: &[(u32, Phdr)], machine: u16) -> Vec<u8> {
        let mut f = vec![0u8; 64 + 56 * phdrs.len()];
        f[..4].copy_from_slice(b"\x7fELF");
        f[4] = 2; // ELFCLASS64
        f[5] = 1; // little-endian
        f[6] = 1; // version
        f[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
        f[18..20].copy_from_slice(&machine.to_le_bytes());
        f[20..24].copy_from_slice(&1u32.to_le_bytes());
        f[24..32].copy_from_slice(&entry.to_le_bytes());
        f[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
        f[52..54].copy_from_slice(&64u16.to_le_bytes()); // e_ehsize
        f[54..56].copy_from_slice(&56u16.to_le_bytes()); // e_phentsize
        f[56..58].copy_from_slice(&(phdrs.len() as u16).to_le_bytes());
        for (i, &(kind, (vaddr, memsz, off, filesz, flags))) in phdrs.iter().enumerate() {
            let p = &mut f[64 + 56 * i..][..56];
            p[0..4].copy_from_slice(&kind.to_le_bytes());
            p[4..8].copy_from_slice(&flags.to_le_bytes());
            p[8..16].copy_from_slice(&off.to_le_bytes());
            p[16..24].copy_from_slice(&vaddr.to_le_bytes());
            p[24..32].copy_from_slice(&vaddr.to_le_bytes());
            p[32..40].copy_from_slice(&filesz.to_le_bytes());
            p[40..48].copy_from_slice(&memsz.to_le_bytes());
            p[48..56].copy_from_slice(&4096u64.to_le_bytes());
        }
        f.resize(0x2000, 0);
        f
    }

    #[test]
    fn loads_a_good_executable() {
        let data = image(
            0x20_0010,
            &[
                (0x20_0000, 0x100, 0, 0x100, PF_X | 4),
                (0x20_1000, 0x3000, 0x1000, 0x10, 6),
            ],
            183,
        );
        let exe = parse(&data).unwrap();
        assert_eq!(exe.entry, 0x20_0010);
        assert_eq!(exe.segments.len(), 2);
        assert!(exe.segments[0].exec && !exe.segments[0].write);
        assert!(exe.segments[1].write && !exe.segments[1].exec);
    }

    #[test]
    fn the_stack_size_comes_from_pt_gnu_stack() {
        let text = (PT_LOAD, (0x20_0000, 0x100, 0, 0x100, PF_X | 4));
        let plain = image_typed(0x20_0000, &[text], 183);
        assert_eq!(parse(&plain).unwrap().stack_size, USER_STACK_SIZE);
        let asks = |size: u64| {
            let stack = (PT_GNU_STACK, (0, size, 0, 0, 6));
            parse(&image_typed(0x20_0000, &[text, stack], 183))
                .unwrap()
                .stack_size
        };
        assert_eq!(asks(0), USER_STACK_SIZE);
        assert_eq!(asks(64 * 1024), 64 * 1024);
        assert_eq!(asks(64 * 1024 + 1), 68 * 1024);
        assert_eq!(asks(1), USER_STACK_MIN);
        assert_eq!(asks(1 << 30), USER_STACK_SIZE);
        assert_eq!(asks(u64::MAX), USER_STACK_SIZE);
        // The stack header maps nothing itself.
        assert_eq!(
            parse(&image_typed(
                0x20_0000,
                &[text, (PT_GNU_STACK, (0, 4096, 0, 0, 6))],
                183
            ))
            .unwrap()
            .segments
            .len(),
            1
        );
    }

    #[test]
    fn refuses_bad_executables() {
        assert_eq!(parse(b"not an elf").unwrap_err(), LoadError::NotElf);
        let x86 = image(0x20_0000, &[(0x20_0000, 0x100, 0, 0x100, PF_X)], 62);
        assert_eq!(parse(&x86).unwrap_err(), LoadError::WrongKind);
        let outside = image(0x20_0000, &[(0x20_0000, 0x4000, 0x1f00, 0x200, PF_X)], 183);
        assert_eq!(parse(&outside).unwrap_err(), LoadError::BadSegment);
        let kernel_half = image(1 << 40, &[(1 << 40, 0x100, 0, 0x100, PF_X)], 183);
        assert_eq!(parse(&kernel_half).unwrap_err(), LoadError::BadAddress);
        let overflow = image(0x1000, &[(u64::MAX - 10, 0x100, 0, 0x10, PF_X)], 183);
        assert_eq!(parse(&overflow).unwrap_err(), LoadError::BadAddress);
        let overlap = image(
            0x20_0000,
            &[
                (0x20_0000, 0x1800, 0, 0x10, PF_X),
                (0x20_1000, 0x10, 0, 0x10, 6),
            ],
            183,
        );
        assert_eq!(parse(&overlap).unwrap_err(), LoadError::BadAddress);
        let shared_page = image(
            0x20_0000,
            &[
                (0x20_0000, 0x800, 0, 0x10, PF_X | 4),
                (0x20_0800, 0x10, 0, 0x10, 6),
            ],
            183,
        );
        assert_eq!(parse(&shared_page).unwrap().segments.len(), 2);
        let no_exec_entry = image(0x20_0000, &[(0x20_0000, 0x100, 0, 0x100, 6)], 183);
        assert_eq!(parse(&no_exec_entry).unwrap_err(), LoadError::BadEntry);
        let zero_page = image(0x10, &[(0, 0x100, 0, 0x100, PF_X)], 183);
        assert_eq!(parse(&zero_page).unwrap_err(), LoadError::BadAddress);
    }
}
