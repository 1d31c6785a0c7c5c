//! The PVH boot hand-off: Xen's `struct hvm_start_info`, its module list
//! and memory map (`xen/include/public/arch-x86/hvm/start_info.h`), which
//! QEMU's `-kernel` hands an ELF with the `XEN_ELFNOTE_PHYS32_ENTRY` note
//! in `%ebx`. Version 0 ends at `rsdp_paddr`; version 1 adds the memory
//! map. Later versions keep this prefix.

use super::board::{MAX_MODULES, Module, Text};
use super::view::View;
use super::{FirmwareError, PhysMem, X86Board, ranges};

/// `hvm_start_info.magic`: `XEN_HVM_START_MAGIC_VALUE`.
pub const PVH_MAGIC: u32 = 0x336e_c578;
/// Most memory-map entries read (a larger count is refused).
pub const MAX_MEMMAP_ENTRIES: u32 = 1024;
/// Longest command line read, NUL included.
pub const MAX_CMDLINE: u64 = 4096;

// `struct hvm_start_info` field offsets.
const MAGIC: u64 = 0;
const VERSION: u64 = 4;
const NR_MODULES: u64 = 12;
const MODLIST_PADDR: u64 = 16;
const CMDLINE_PADDR: u64 = 24;
const RSDP_PADDR: u64 = 32;
const MEMMAP_PADDR: u64 = 40;
const MEMMAP_ENTRIES: u64 = 48;
/// Size of version 0 (up to `rsdp_paddr`).
const SIZE_V0: u64 = 40;
/// Size of version 1.
const SIZE_V1: u64 = 56;

// `struct hvm_modlist_entry`.
const MOD_PADDR: u64 = 0;
const MOD_SIZE: u64 = 8;
const MOD_CMDLINE_PADDR: u64 = 16;
const MOD_ENTRY_SIZE: u64 = 32;

// `struct hvm_memmap_table_entry`.
const MAP_ADDR: u64 = 0;
const MAP_SIZE: u64 = 8;
const MAP_TYPE: u64 = 16;
const MAP_ENTRY_SIZE: u64 = 24;

/// The NUL-terminated string at `addr` (0: none), at most [`MAX_CMDLINE`]
/// bytes with its NUL. It is noted as hand-off data.
fn c_string(
    mem: &dyn PhysMem,
    board: &mut X86Board,
    addr: u64,
    what: &'static str,
) -> Result<Option<Text>, FirmwareError> {
    if addr == 0 {
        return Ok(None);
    }
    // The bound may pass the end of memory; the NUL must come first.
    let bound = MAX_CMDLINE.min(u64::MAX - addr);
    let len = View::new(mem, addr, bound, what)?.c_str_len(0)?;
    ranges::boot_data(board, addr, len as u64 + 1)?;
    Ok(Some(Text { addr, len }))
}

/// Reads the start_info at `addr` into `board`; returns its RSDP address
/// (`None` if 0: the kernel must scan).
pub(crate) fn read(
    mem: &dyn PhysMem,
    addr: u64,
    board: &mut X86Board,
) -> Result<Option<u64>, FirmwareError> {
    const WHAT: &str = "PVH start_info";
    let v0 = View::new(mem, addr, SIZE_V0, WHAT)?;
    v0.check_present()?;
    let magic = v0.u32(MAGIC)?;
    if magic != PVH_MAGIC {
        return Err(FirmwareError::BadMagic {
            what: WHAT,
            addr,
            found: magic.into(),
        });
    }
    let version = v0.u32(VERSION)?;
    let info = if version >= 1 {
        View::new(mem, addr, SIZE_V1, WHAT)?
    } else {
        v0
    };
    info.check_present()?;
    ranges::boot_data(board, addr, info.len)?;

    board.cmdline = c_string(mem, board, info.u64(CMDLINE_PADDR)?, "PVH command line")?;
    read_modules(mem, &info, board)?;

    let (map, entries) = if version >= 1 {
        (info.u64(MEMMAP_PADDR)?, info.u32(MEMMAP_ENTRIES)?)
    } else {
        (0, 0)
    };
    if entries == 0 {
        return Err(FirmwareError::NoMemoryMap);
    }
    const MAP: &str = "PVH memory map";
    if entries > MAX_MEMMAP_ENTRIES {
        return Err(FirmwareError::BadLength {
            what: MAP,
            addr: map,
            len: entries.into(),
        });
    }
    let table = View::new(mem, map, u64::from(entries) * MAP_ENTRY_SIZE, MAP)?;
    table.check_present()?;
    ranges::boot_data(board, map, table.len)?;
    for i in 0..u64::from(entries) {
        let e = table.sub(i * MAP_ENTRY_SIZE, MAP_ENTRY_SIZE, MAP)?;
        let (start, size, kind) = (e.u64(MAP_ADDR)?, e.u64(MAP_SIZE)?, e.u32(MAP_TYPE)?);
        ranges::add(board, start, size, kind, "PVH memory map entry")?;
    }

    Ok(Some(info.u64(RSDP_PADDR)?).filter(|&a| a != 0))
}

/// The module list of the start_info `info`.
fn read_modules(mem: &dyn PhysMem, info: &View, board: &mut X86Board) -> Result<(), FirmwareError> {
    const WHAT: &str = "PVH module list";
    let count = info.u32(NR_MODULES)?;
    if count == 0 {
        return Ok(());
    }
    let list_addr = info.u64(MODLIST_PADDR)?;
    if count as usize > MAX_MODULES {
        return Err(FirmwareError::TooMany {
            what: "PVH modules",
            max: MAX_MODULES,
        });
    }
    let list = View::new(mem, list_addr, u64::from(count) * MOD_ENTRY_SIZE, WHAT)?;
    list.check_present()?;
    ranges::boot_data(board, list_addr, list.len)?;
    for i in 0..u64::from(count) {
        let e = list.sub(i * MOD_ENTRY_SIZE, MOD_ENTRY_SIZE, WHAT)?;
        let (start, size) = (e.u64(MOD_PADDR)?, e.u64(MOD_SIZE)?);
        View::new(mem, start, size, "PVH module")?.check_present()?;
        let cmdline = c_string(
            mem,
            board,
            e.u64(MOD_CMDLINE_PADDR)?,
            "PVH module command line",
        )?;
        let module = Module {
            start,
            end: start + size,
            cmdline,
        };
        // Fits: `count` was checked against the capacity.
        let _ = board.modules.push(module);
    }
    Ok(())
}
