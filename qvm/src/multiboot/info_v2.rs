//! The Multiboot2 (2.0) boot information: section 3.6 "Boot information".

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::info::{Blob, BootInfo, check, check_place, mem_lower_upper, rsdp_copies};
use super::spec::*;

/// Writes one tag (3.6.2 "Basic tags structure": u32 type, u32 size
/// counting the 8 head bytes but not the padding), starting 8-byte aligned.
fn tag(b: &mut Blob, kind: u32, body: impl FnOnce(&mut Blob)) {
    b.align(MULTIBOOT_TAG_ALIGN);
    let start = b.0.len();
    b.u32(kind);
    b.u32(0);
    body(b);
    let size = (b.0.len() - start) as u32;
    b.set_u32(start + 4, size);
}

/// The bytes of the Multiboot2 boot information for `info`, as they must
/// appear at guest-physical address `at` (the EBX the kernel gets; 8-byte
/// aligned, 3.6.2, and below 4 GiB, 3.5).
///
/// `total_size` and `reserved` (0), then, each 8-byte aligned: boot command
/// line (type 1), boot loader name (2), one module tag per module (3:
/// `mod_start`, `mod_end`, string), basic memory information (4:
/// `mem_lower`, `mem_upper` from [`mem_lower_upper`]), the memory map (6:
/// `entry_size` 24, `entry_version` 0, entries of `base_addr`, `length`,
/// `type`, `reserved` 0), ACPI old RSDP (14) and, for an ACPI 2.0 RSDP, new
/// RSDP (15) if [`BootInfo::rsdp`] is given, and the end tag (type 0, size
/// 8). Strings are NUL-terminated UTF-8. `total_size` counts the end tag.
pub fn build_v2(info: &BootInfo<'_>, at: u64) -> Result<Vec<u8>, String> {
    check(info)?;
    if !at.is_multiple_of(MULTIBOOT2_INFO_ALIGN) {
        return Err(format!(
            "the Multiboot2 information must be {MULTIBOOT2_INFO_ALIGN}-byte aligned; {at:#x} is \
             not"
        ));
    }
    let rsdp = info.rsdp.map(rsdp_copies).transpose()?;
    let mut b = Blob::default();
    b.u32(0); // total_size, set below
    b.u32(0); // reserved
    tag(&mut b, MULTIBOOT_TAG_TYPE_CMDLINE, |b| b.cstr(info.cmdline));
    tag(&mut b, MULTIBOOT_TAG_TYPE_BOOT_LOADER_NAME, |b| {
        b.cstr(info.loader_name)
    });
    for m in info.modules {
        tag(&mut b, MULTIBOOT_TAG_TYPE_MODULE, |b| {
            // check() has put both below 4 GiB.
            b.u32(m.start as u32);
            b.u32(m.end as u32);
            b.cstr(m.string);
        });
    }
    let (lower, upper) = mem_lower_upper(info.memory);
    tag(&mut b, MULTIBOOT_TAG_TYPE_BASIC_MEMINFO, |b| {
        b.u32(lower);
        b.u32(upper);
    });
    tag(&mut b, MULTIBOOT_TAG_TYPE_MMAP, |b| {
        b.u32(MULTIBOOT2_MMAP_ENTRY_SIZE);
        b.u32(MULTIBOOT2_MMAP_ENTRY_VERSION);
        for r in info.memory {
            b.u64(r.base);
            b.u64(r.length);
            b.u32(r.kind.code());
            b.u32(0);
        }
    });
    if let Some((old, new)) = rsdp {
        tag(&mut b, MULTIBOOT_TAG_TYPE_ACPI_OLD, |b| {
            b.0.extend_from_slice(old)
        });
        if let Some(new) = new {
            tag(&mut b, MULTIBOOT_TAG_TYPE_ACPI_NEW, |b| {
                b.0.extend_from_slice(new)
            });
        }
    }
    tag(&mut b, MULTIBOOT_TAG_TYPE_END, |_| {});
    let total = b.0.len();
    b.set_u32(0, total as u32);
    check_place(info, at, total)?;
    Ok(b.0)
}
