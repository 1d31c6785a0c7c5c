//! The Multiboot (0.6.96) information structure: section 3.3 "Boot
//! information format".

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::info::{Blob, BootInfo, check, check_place, mem_lower_upper};
use super::spec::*;

/// The bytes of the Multiboot information structure for `info`, as they
/// must appear at guest-physical address `at` (the EBX the kernel gets).
///
/// Layout of the blob: the fixed part of 3.3 (116 bytes, padded to 120),
/// the module structures (`mod_start`, `mod_end`, `string`, `reserved` = 0),
/// the memory map (each entry `size` = 20, then `base_addr`, `length`,
/// `type`; `mmap_addr` points at the first `size`, `mmap_length` counts the
/// `size` fields too), then the NUL-terminated strings: command line, boot
/// loader name, module strings. Every pointer is `at` plus an offset in
/// the blob, so all of it must lie below 4 GiB (32-bit fields) and `at` be
/// 4-byte aligned ([`MULTIBOOT_INFO_ALIGN`]).
///
/// `flags`: bit 0 (`mem_lower`/`mem_upper`, from [`mem_lower_upper`]),
/// bit 2 (cmdline), bit 3 (mods, when there are modules), bit 6 (mmap),
/// bit 9 (boot loader name). Not given: boot device (no BIOS disk),
/// symbols, drives, config table, APM, VBE, framebuffer. The RSDP is not
/// passed (3.3 has no field for it).
pub fn build_v1(info: &BootInfo<'_>, at: u64) -> Result<Vec<u8>, String> {
    check(info)?;
    if !at.is_multiple_of(MULTIBOOT_INFO_ALIGN) {
        return Err(format!(
            "the Multiboot information must be {MULTIBOOT_INFO_ALIGN}-byte aligned; {at:#x} is not"
        ));
    }
    // Guest address of an offset in the blob; it fits in 32 bits once
    // check_place has passed (and the blob is refused otherwise).
    let addr = |off: usize| at.wrapping_add(off as u64) as u32;
    let mut b = Blob::default();
    b.0.resize(MULTIBOOT_INFO_SIZE, 0);
    b.align(8);

    let mods_off = b.0.len();
    b.0.resize(mods_off + MULTIBOOT_MOD_LIST_SIZE * info.modules.len(), 0);

    let mmap_off = b.0.len();
    for r in info.memory {
        // The `size` field precedes the entry and does not count itself.
        b.u32(MULTIBOOT_MMAP_ENTRY_SIZE);
        b.u64(r.base);
        b.u64(r.length);
        b.u32(r.kind.code());
    }
    let mmap_len = b.0.len() - mmap_off;

    let cmdline_off = b.0.len();
    b.cstr(info.cmdline);
    let name_off = b.0.len();
    b.cstr(info.loader_name);
    for (i, m) in info.modules.iter().enumerate() {
        let string = addr(b.0.len());
        b.cstr(m.string);
        let e = mods_off + MULTIBOOT_MOD_LIST_SIZE * i;
        // check() has put both below 4 GiB.
        b.set_u32(e, m.start as u32);
        b.set_u32(e + 4, m.end as u32);
        b.set_u32(e + 8, string);
    }
    b.align(4);

    let (lower, upper) = mem_lower_upper(info.memory);
    let mut flags = MULTIBOOT_INFO_MEMORY
        | MULTIBOOT_INFO_CMDLINE
        | MULTIBOOT_INFO_MEM_MAP
        | MULTIBOOT_INFO_BOOT_LOADER_NAME;
    if !info.modules.is_empty() {
        flags |= MULTIBOOT_INFO_MODS;
        b.set_u32(MULTIBOOT_INFO_MODS_COUNT, info.modules.len() as u32);
        b.set_u32(MULTIBOOT_INFO_MODS_ADDR, addr(mods_off));
    }
    b.set_u32(0, flags);
    b.set_u32(MULTIBOOT_INFO_MEM_LOWER, lower);
    b.set_u32(MULTIBOOT_INFO_MEM_UPPER, upper);
    b.set_u32(MULTIBOOT_INFO_CMDLINE_ADDR, addr(cmdline_off));
    b.set_u32(MULTIBOOT_INFO_MMAP_LENGTH, mmap_len as u32);
    b.set_u32(MULTIBOOT_INFO_MMAP_ADDR, addr(mmap_off));
    b.set_u32(MULTIBOOT_INFO_LOADER_NAME, addr(name_off));

    check_place(info, at, b.0.len())?;
    Ok(b.0)
}
