//! The Multiboot2 boot information (Multiboot2 Specification 2.0, §3.6
//! "Boot information format"), which GRUB hands the kernel in `%ebx`
//! (with 0x36d76289 in `%eax`, which the kernel's entry checks): a
//! `total_size`, a reserved word, then 8-byte aligned tags up to the end
//! tag. Read here: the command line (1), modules (3), the memory map (6)
//! and the ACPI RSDP copies (14 old, 15 new); others are skipped. Of
//! repeated tags, the first counts (the specification lists only
//! modules as repeatable).

use super::board::{MAX_MODULES, Module, Text};
use super::view::View;
use super::{FirmwareError, PhysMem, X86Board, ranges};

/// Largest boot information read (GRUB's are a few KiB, more with an EFI
/// memory map or ELF section headers).
pub const MAX_INFO_SIZE: u32 = 1 << 20;

/// The boot information and every tag are 8-byte aligned.
const ALIGN: u64 = 8;
// Boot information header.
const TOTAL_SIZE: u64 = 0;
const HEADER_SIZE: u64 = 8;
// Tag header.
const TAG_TYPE: u64 = 0;
const TAG_SIZE: u64 = 4;
const TAG_HEADER_SIZE: u64 = 8;
// Tag types.
const TAG_END: u32 = 0;
const TAG_CMDLINE: u32 = 1;
const TAG_MODULE: u32 = 3;
const TAG_MMAP: u32 = 6;
const TAG_ACPI_OLD: u32 = 14;
const TAG_ACPI_NEW: u32 = 15;
// Module tag.
const MOD_START: u64 = 8;
const MOD_END: u64 = 12;
const MOD_STRING: u64 = 16;
// Memory map tag and entries.
const MMAP_ENTRY_SIZE: u64 = 8;
const MMAP_ENTRIES: u64 = 16;
const MMAP_MIN_ENTRY_SIZE: u32 = 24;
const ENTRY_BASE: u64 = 0;
const ENTRY_LENGTH: u64 = 8;
const ENTRY_TYPE: u64 = 16;
// The RSDP copies: ACPI 1.0's 20 bytes, ACPI 2.0's 36.
const RSDP_V1_SIZE: u64 = 20;
const RSDP_V2_SIZE: u64 = 36;

/// Reads the boot information at `addr` into `board`; returns the address
/// of the RSDP copy it holds (the new one preferred), if any.
pub(crate) fn read(
    mem: &dyn PhysMem,
    addr: u64,
    board: &mut X86Board,
) -> Result<Option<u64>, FirmwareError> {
    const WHAT: &str = "multiboot2 boot information";
    if !addr.is_multiple_of(ALIGN) {
        return Err(FirmwareError::Misaligned { what: WHAT, addr });
    }
    let total = View::new(mem, addr, HEADER_SIZE, WHAT)?.u32(TOTAL_SIZE)?;
    if !(HEADER_SIZE + TAG_HEADER_SIZE..=MAX_INFO_SIZE.into()).contains(&u64::from(total)) {
        return Err(FirmwareError::BadLength {
            what: WHAT,
            addr,
            len: total.into(),
        });
    }
    let info = View::new(mem, addr, total.into(), WHAT)?;
    info.check_present()?;
    ranges::boot_data(board, addr, info.len)?;

    let (mut old_rsdp, mut new_rsdp, mut mmap) = (None, None, false);
    let mut off = HEADER_SIZE;
    loop {
        // Each pass moves at least one tag header on, inside `total`.
        let head = info.sub(off, TAG_HEADER_SIZE, "multiboot2 tag (no end tag)")?;
        let (kind, size) = (head.u32(TAG_TYPE)?, head.u32(TAG_SIZE)?);
        if u64::from(size) < TAG_HEADER_SIZE {
            return Err(FirmwareError::BadLength {
                what: "multiboot2 tag",
                addr: head.addr,
                len: size.into(),
            });
        }
        let tag = info.sub(off, size.into(), "multiboot2 tag")?;
        match kind {
            TAG_END => break,
            TAG_CMDLINE if board.cmdline.is_none() => {
                let s = tag.sub(
                    TAG_HEADER_SIZE,
                    tag.len - TAG_HEADER_SIZE,
                    "multiboot2 command line",
                )?;
                board.cmdline = Some(Text {
                    addr: s.addr,
                    len: s.c_str_len(0)?,
                });
            }
            TAG_MODULE => read_module(mem, &tag, board)?,
            TAG_MMAP if !mmap => {
                read_mmap(&tag, board)?;
                mmap = true;
            }
            TAG_ACPI_OLD if old_rsdp.is_none() => {
                old_rsdp = Some(
                    tag.sub(TAG_HEADER_SIZE, RSDP_V1_SIZE, "multiboot2 ACPI tag")?
                        .addr,
                );
            }
            TAG_ACPI_NEW if new_rsdp.is_none() => {
                new_rsdp = Some(
                    tag.sub(TAG_HEADER_SIZE, RSDP_V2_SIZE, "multiboot2 ACPI tag")?
                        .addr,
                );
            }
            _ => {}
        }
        off = (off + tag.len).next_multiple_of(ALIGN);
    }
    if !mmap {
        return Err(FirmwareError::NoMemoryMap);
    }
    Ok(new_rsdp.or(old_rsdp))
}

/// A module tag.
fn read_module(mem: &dyn PhysMem, tag: &View, board: &mut X86Board) -> Result<(), FirmwareError> {
    const WHAT: &str = "multiboot2 module tag";
    let tag = tag.named(WHAT);
    let (start, end) = (tag.u32(MOD_START)?.into(), tag.u32(MOD_END)?.into());
    let size = u64::checked_sub(end, start).ok_or(FirmwareError::BadRange {
        what: "multiboot2 module",
        addr: start,
        size: end.wrapping_sub(start),
    })?;
    View::new(mem, start, size, "multiboot2 module")?.check_present()?;
    let s = tag.sub(
        MOD_STRING,
        tag.len.saturating_sub(MOD_STRING),
        "multiboot2 module string",
    )?;
    let module = Module {
        start,
        end,
        cmdline: Some(Text {
            addr: s.addr,
            len: s.c_str_len(0)?,
        }),
    };
    board
        .modules
        .push(module)
        .map_err(|_| FirmwareError::TooMany {
            what: "multiboot2 modules",
            max: MAX_MODULES,
        })
}

/// The memory map tag.
fn read_mmap(tag: &View, board: &mut X86Board) -> Result<(), FirmwareError> {
    const WHAT: &str = "multiboot2 memory map";
    let tag = tag.named(WHAT);
    let entry_size = tag.u32(MMAP_ENTRY_SIZE)?;
    if entry_size < MMAP_MIN_ENTRY_SIZE || !u64::from(entry_size).is_multiple_of(ALIGN) {
        return Err(FirmwareError::BadLength {
            what: "multiboot2 memory map entry",
            addr: tag.addr,
            len: entry_size.into(),
        });
    }
    let entry_size = u64::from(entry_size);
    let count = tag.len.saturating_sub(MMAP_ENTRIES) / entry_size;
    for i in 0..count {
        let e = tag.sub(MMAP_ENTRIES + i * entry_size, entry_size, WHAT)?;
        let (base, len, kind) = (e.u64(ENTRY_BASE)?, e.u64(ENTRY_LENGTH)?, e.u32(ENTRY_TYPE)?);
        ranges::add(board, base, len, kind, "multiboot2 memory map entry")?;
    }
    Ok(())
}
