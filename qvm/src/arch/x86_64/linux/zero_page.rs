//! `struct boot_params`, the "zero page" a 64-bit Linux kernel finds at
//! RSI (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol", and
//! Documentation/arch/x86/zero-page.rst): all zero but the kernel's own
//! setup header, copied from its file with the fields a boot loader
//! writes ("Details of Header Fields": `type_of_loader`, `cmd_line_ptr`,
//! `ramdisk_image`, `ramdisk_size`, and their `ext_` upper halves), the
//! e820 memory map, and the ACPI RSDP's address.

use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::setup_header::{SETUP_SECTS, SetupHeader};
use crate::multiboot::MemoryRegion;

/// Bytes of `boot_params`.
pub const ZERO_PAGE_LEN: usize = 4096;
/// `acpi_rsdp_addr` (u64).
const ACPI_RSDP_ADDR: usize = 0x070;
/// `ext_ramdisk_image`, `ext_ramdisk_size`, `ext_cmd_line_ptr` (u32
/// each): bits 63:32 of the header's fields.
const EXT_RAMDISK_IMAGE: usize = 0x0C0;
const EXT_RAMDISK_SIZE: usize = 0x0C4;
const EXT_CMD_LINE_PTR: usize = 0x0C8;
/// `e820_entries` (u8) and `e820_table` (up to 128 entries of 20 bytes:
/// address u64, size u64, type u32).
const E820_ENTRIES: usize = 0x1E8;
const E820_TABLE: usize = 0x2D0;
/// Entries `e820_table` holds.
pub const E820_MAX: usize = 128;
const E820_ENTRY_LEN: usize = 20;
/// `type_of_loader` (u8): 0xFF, a loader with no assigned ID.
const TYPE_OF_LOADER: usize = 0x210;
const LOADER_UNDEFINED: u8 = 0xFF;
/// `ramdisk_image`, `ramdisk_size`, `cmd_line_ptr` (u32 each).
const RAMDISK_IMAGE: usize = 0x218;
const RAMDISK_SIZE: usize = 0x21C;
const CMD_LINE_PTR: usize = 0x228;
/// `code32_start` (u32): where the protected-mode kernel was loaded.
const CODE32_START: usize = 0x214;

/// What the zero page tells the kernel.
#[derive(Clone, Copy, Debug)]
pub struct BootParams<'a> {
    /// The kernel's file, at least its setup header.
    pub head: &'a [u8],
    /// Its header.
    pub header: &'a SetupHeader,
    /// Where its protected-mode code was loaded.
    pub load_address: u64,
    /// The NUL-terminated command line's address.
    pub cmdline: u64,
    /// The initrd's address and length, if there is one.
    pub initrd: Option<(u64, u64)>,
    /// The memory map, in address order.
    pub memory: &'a [MemoryRegion],
    /// The ACPI RSDP's address, if the VM has ACPI tables.
    pub rsdp: Option<u64>,
}

fn put32(page: &mut [u8], at: usize, v: u32) {
    page[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// Writes a 64-bit address as a header field and its `ext_` upper half.
fn put_split(page: &mut [u8], low: usize, high: usize, v: u64) {
    put32(page, low, v as u32);
    put32(page, high, (v >> 32) as u32);
}

/// The zero page's bytes.
pub fn zero_page(p: &BootParams<'_>) -> Result<Vec<u8>, String> {
    let header_end = SETUP_SECTS + p.header.header_len;
    let header = p
        .head
        .get(SETUP_SECTS..header_end)
        .filter(|_| header_end <= ZERO_PAGE_LEN)
        .ok_or("the bzImage's setup header runs past its first page")?;
    let above_4g = p.header.above_4g();
    let low = |what: &str, v: u64| {
        if v >> 32 != 0 && !above_4g {
            Err(format!(
                "the {what} at {v:#x} lies above 4 GiB, which this kernel cannot take"
            ))
        } else {
            Ok(v)
        }
    };
    if p.memory.len() > E820_MAX {
        return Err(format!(
            "the memory map has {} entries; the zero page holds {E820_MAX}",
            p.memory.len()
        ));
    }
    let mut page = vec![0u8; ZERO_PAGE_LEN];
    page[SETUP_SECTS..header_end].copy_from_slice(header);
    page[TYPE_OF_LOADER] = LOADER_UNDEFINED;
    put32(&mut page, CODE32_START, p.load_address as u32);
    let cmdline = low("command line", p.cmdline)?;
    put_split(&mut page, CMD_LINE_PTR, EXT_CMD_LINE_PTR, cmdline);
    if let Some((base, len)) = p.initrd {
        let base = low("initrd", base)?;
        put_split(&mut page, RAMDISK_IMAGE, EXT_RAMDISK_IMAGE, base);
        put_split(&mut page, RAMDISK_SIZE, EXT_RAMDISK_SIZE, len);
    }
    if let Some(rsdp) = p.rsdp {
        page[ACPI_RSDP_ADDR..ACPI_RSDP_ADDR + 8].copy_from_slice(&rsdp.to_le_bytes());
    }
    page[E820_ENTRIES] = p.memory.len() as u8;
    for (i, r) in p.memory.iter().enumerate() {
        let at = E820_TABLE + i * E820_ENTRY_LEN;
        page[at..at + 8].copy_from_slice(&r.base.to_le_bytes());
        page[at + 8..at + 16].copy_from_slice(&r.length.to_le_bytes());
        put32(&mut page, at + 16, r.kind.code());
    }
    Ok(page)
}
