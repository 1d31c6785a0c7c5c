//! The multiboot information: the Multiboot v1 structure (Multiboot
//! Specification 0.6.96, 3.3 "Boot information format") or the Multiboot2
//! one (its tags read by [`crate::multiboot2`]): the memory map and the
//! command line, copied out before the guest writes anything above its
//! image (QEMU and `qvm` put the structure right after the image's
//! `.bss`), and with Multiboot2 where the RSDP copy lies.

use crate::dt::Region;
use crate::multiboot2;

/// `flags` bit 0: `mem_lower` and `mem_upper` are valid.
pub const MULTIBOOT_INFO_MEMORY: u32 = 1 << 0;
/// `flags` bit 2: `cmdline` is valid.
pub const MULTIBOOT_INFO_CMDLINE: u32 = 1 << 2;
/// `flags` bit 6: `mmap_length` and `mmap_addr` are valid.
pub const MULTIBOOT_INFO_MEM_MAP: u32 = 1 << 6;
/// Memory map entry type of available RAM.
pub const MULTIBOOT_MEMORY_AVAILABLE: u32 = 1;

/// Byte offsets in the information structure.
const FLAGS: usize = 0;
const MEM_UPPER: usize = 8;
const CMDLINE: usize = 16;
const MMAP_LENGTH: usize = 44;
const MMAP_ADDR: usize = 48;

/// Most RAM regions kept.
pub const MAX_RAM: usize = 8;
/// Longest command line kept (longer ones are cut).
pub const MAX_CMDLINE: usize = 256;
/// Most memory map entries read (a bound against a corrupt map).
const MAX_ENTRIES: usize = 128;
/// Longest Multiboot2 information read (a bound against a corrupt
/// `total_size`).
const MAX_INFO_V2: usize = 64 << 10;

/// What the guests use of the multiboot information.
#[derive(Clone, Debug)]
pub struct BootInfo {
    ram: [Region; MAX_RAM],
    ram_count: usize,
    cmdline: [u8; MAX_CMDLINE],
    cmdline_len: usize,
    rsdp: Option<u64>,
}

impl BootInfo {
    /// The available RAM regions, in the loader's order.
    pub fn ram(&self) -> &[Region] {
        &self.ram[..self.ram_count]
    }

    /// The command line (empty without one; not UTF-8: empty).
    pub fn cmdline(&self) -> &str {
        core::str::from_utf8(&self.cmdline[..self.cmdline_len]).unwrap_or("")
    }

    /// Where the copy of the ACPI RSDP in the Multiboot2 information lies
    /// (Multiboot v1 has none: the guest scans the BIOS area).
    pub fn rsdp(&self) -> Option<u64> {
        self.rsdp
    }

    fn empty() -> BootInfo {
        BootInfo {
            ram: [Region { start: 0, end: 0 }; MAX_RAM],
            ram_count: 0,
            cmdline: [0; MAX_CMDLINE],
            cmdline_len: 0,
            rsdp: None,
        }
    }

    fn set_cmdline(&mut self, text: &[u8]) {
        self.cmdline_len = text.len().min(MAX_CMDLINE);
        self.cmdline[..self.cmdline_len].copy_from_slice(&text[..self.cmdline_len]);
    }

    fn add_ram(&mut self, start: u64, len: u64) {
        if len == 0 || self.ram_count == MAX_RAM {
            return;
        }
        let (Ok(start), Ok(end)) = (usize::try_from(start), usize::try_from(start + len)) else {
            return;
        };
        self.ram[self.ram_count] = Region { start, end };
        self.ram_count += 1;
    }
}

/// Reads a little-endian u32 at `addr`.
///
/// # Safety
/// `addr` must be mapped and readable.
unsafe fn read_u32(addr: usize) -> u32 {
    // SAFETY: the caller vouches for the address.
    unsafe { (addr as *const u32).read_unaligned() }
}

/// Reads a little-endian u64 at `addr`.
///
/// # Safety
/// As [`read_u32`].
unsafe fn read_u64(addr: usize) -> u64 {
    // SAFETY: the caller vouches for the address.
    unsafe { (addr as *const u64).read_unaligned() }
}

/// Reads the information structure at `info`. Without a memory map, RAM
/// is the 1 MiB + `mem_upper` KiB the basic fields report.
///
/// # Safety
/// `info` must be the address a Multiboot v1 loader passed, identity
/// mapped, its memory map and command line intact.
pub unsafe fn read(info: usize) -> BootInfo {
    let mut boot = BootInfo::empty();
    // SAFETY: the caller vouches for the structure; every field read is
    // one its flags say is valid, within the 4 GiB identity map.
    unsafe {
        let flags = read_u32(info + FLAGS);
        if flags & MULTIBOOT_INFO_MEM_MAP != 0 {
            let mut at = read_u32(info + MMAP_ADDR) as usize;
            let end = at + read_u32(info + MMAP_LENGTH) as usize;
            for _ in 0..MAX_ENTRIES {
                if at + 24 > end {
                    break;
                }
                // Each entry: size (of the rest), base, length, type.
                let size = read_u32(at) as usize;
                if read_u32(at + 20) == MULTIBOOT_MEMORY_AVAILABLE {
                    boot.add_ram(read_u64(at + 4), read_u64(at + 12));
                }
                at += size + 4;
            }
        } else if flags & MULTIBOOT_INFO_MEMORY != 0 {
            let upper_kib = u64::from(read_u32(info + MEM_UPPER));
            boot.add_ram(0x10_0000, upper_kib * 1024);
        }
        if flags & MULTIBOOT_INFO_CMDLINE != 0 {
            let text = read_u32(info + CMDLINE) as usize as *const u8;
            while boot.cmdline_len < MAX_CMDLINE {
                let byte = text.add(boot.cmdline_len).read();
                if byte == 0 {
                    break;
                }
                boot.cmdline[boot.cmdline_len] = byte;
                boot.cmdline_len += 1;
            }
        }
    }
    boot
}

/// Reads the Multiboot2 information at `info`: the available regions of
/// its memory map, its command line, where its RSDP copy is.
///
/// # Safety
/// `info` must be the address of Multiboot2 information, identity mapped,
/// as long as its `total_size` says (read up to 64 KiB).
pub unsafe fn read_v2(info: usize) -> BootInfo {
    let mut boot = BootInfo::empty();
    // SAFETY: the caller vouches for the structure: its fixed part, then
    // `total_size` bytes (bounded) of it.
    let bytes = unsafe {
        let fixed = core::slice::from_raw_parts(info as *const u8, multiboot2::FIXED_LEN);
        let len = multiboot2::total_size(fixed).unwrap_or(0).min(MAX_INFO_V2);
        core::slice::from_raw_parts(info as *const u8, len)
    };
    for tag in multiboot2::tags(bytes) {
        match tag.kind {
            multiboot2::MULTIBOOT_TAG_TYPE_CMDLINE => boot.set_cmdline(multiboot2::cstr(tag.body)),
            multiboot2::MULTIBOOT_TAG_TYPE_MMAP => {
                for (base, len) in multiboot2::available_ram(tag.body).take(MAX_ENTRIES) {
                    boot.add_ram(base, len);
                }
            }
            _ => {}
        }
    }
    boot.rsdp = multiboot2::rsdp_offset(bytes).map(|at| (info + at) as u64);
    boot
}
