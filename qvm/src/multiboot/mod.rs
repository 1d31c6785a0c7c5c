//! Multiboot kernels for x86 VMs: finding and checking the header, placing
//! images by its address fields, and building the boot information the
//! kernel gets.
//!
//! A *multiboot kernel* is an x86 kernel image (usually ELF, or a raw
//! binary that describes its own placement) carrying a header that asks a
//! multiboot loader (GRUB, QEMU's `-kernel`, and here `qvm`) to load it and
//! start it in 32-bit protected mode without paging, with EAX holding a
//! magic value and EBX the guest-physical address of a structure that
//! describes the machine: memory map, command line, modules. Two
//! specifications are followed:
//!
//! - *Multiboot Specification version 0.6.96* ("v1"): header magic
//!   `0x1BADB002` within the first 8192 bytes, 4-byte aligned (3.1); EAX
//!   `0x2BADB002` (3.2 "Machine state"); the information structure of 3.3
//!   "Boot information format".
//! - *Multiboot2 Specification version 2.0* ("v2"): header magic
//!   `0xE85250D6` within the first 32768 bytes, 8-byte aligned, followed by
//!   tags (3.1); EAX `0x36D76289` (3.3 "I386 machine state"); the tagged
//!   boot information of 3.6.
//!
//! An image with both headers is booted as Multiboot2 (whose information
//! carries the ACPI RSDP), falling back to Multiboot if only the Multiboot2
//! header is refused.
//!
//! # What is supported, ignored and refused
//!
//! Supported: ELF kernels (placed by `qvm`'s ELF loader, the header's entry
//! address overriding the ELF one) and images placed by the header's
//! address fields (v1 flags bit 16, v2 address tag: the "a.out kludge",
//! [`kludge_layout`]); page-aligned modules (v1 flags bit 0, v2 module
//! alignment tag, [`Header::check_modules`]); memory information (v1 flags
//! bit 1, always given anyway: `mem_lower`/`mem_upper` and the memory map);
//! v2 information requests for what `qvm` provides (see `requests.rs`).
//!
//! Ignored, with a sentence in [`Header::ignored`] for a warning: optional
//! v2 tags `qvm` cannot honour (framebuffer, console flags, EFI tags,
//! tag types 2.0 does not define), undefined v1 optional flags (16-31), the
//! v2 relocatable tag (the image is loaded at its linked address, which
//! the tag allows), and required v2 requests for information `qvm`'s VMs
//! never have (BIOS boot device, VBE, framebuffer, APM, EFI, SMBIOS,
//! network): Multiboot2 3.1.4 lets a loader that understands a request
//! leave out information that is not available.
//!
//! Refused, with a sentence the user can act on: a header with a wrong
//! checksum; v1 flags bit 2 (video mode): bits 0-15 are requirements
//! (3.1.2) and there is no display adapter to describe (GRUB is lenient
//! here; `qvm` follows the specification); undefined v1 requirement bits;
//! a v2 architecture other than i386; required v2 framebuffer, EFI boot
//! services or EFI entry address tags (there is no display and no EFI);
//! a required console (v2 flags tag, `console_flags` bit 0); required
//! tags and information requests `qvm` does not know or does not provide
//! (ELF section headers, a relocated load base); inconsistent or truncated
//! headers and address fields; boot information that would lie above 4 GiB.
//!
//! Not provided in the boot information: v1 boot device, a.out/ELF
//! symbols, drives, config table, APM, VBE and framebuffer fields; v2 tags
//! other than 1, 2, 3, 4, 6, 14, 15 and the end tag.
//!
//! # API
//!
//! - [`find_header`]`(image)`: `Ok(Some(`[`Header`]`))`, `Ok(None)` (not a
//!   multiboot kernel) or `Err(reason)`.
//! - [`kludge_layout`]`(&header, image_len)`: the [`Layout`] of an image
//!   placed by its address fields (file offset, guest address, length,
//!   BSS, entry).
//! - [`BootInfo`] (memory map of [`MemoryRegion`]s, command line, loader
//!   name [`LOADER_NAME`], [`Module`]s, RSDP) and [`build_v1`]`(&info, at)` /
//!   [`build_v2`]`(&info, at)`: the information structure's bytes as they
//!   must lie at guest-physical `at`; [`mem_lower_upper`] for the values
//!   they report.
//! - [`entry_state`]`(version, entry, info_addr)`: EIP, EAX, EBX for the
//!   boot vCPU; the magic values are [`MULTIBOOT_BOOTLOADER_MAGIC`] and
//!   [`MULTIBOOT2_BOOTLOADER_MAGIC`]. The rest of the machine state is
//!   described at [`EntryState`].
//! - [`spec`]: every number of both specifications used here, by name.

mod bytes;
mod find;
mod header;
mod header_v1;
mod header_v2;
mod info;
mod info_v1;
mod info_v2;
mod kludge;
mod requests;
pub mod spec;
#[cfg(test)]
mod tests;

use alloc::format;
use alloc::string::String;

pub use find::find_header;
pub use header::{AddressFields, Header, Relocatable};
pub use info::{BootInfo, LOADER_NAME, MemoryKind, MemoryRegion, Module, mem_lower_upper};
pub use info_v1::build_v1;
pub use info_v2::build_v2;
pub use kludge::{Layout, kludge_layout};
pub use spec::{MULTIBOOT_BOOTLOADER_MAGIC, MULTIBOOT2_BOOTLOADER_MAGIC};

/// Which specification a header follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// Multiboot Specification version 0.6.96.
    V1,
    /// Multiboot2 Specification version 2.0.
    V2,
}

impl Version {
    /// The magic value the kernel gets in EAX (v1 3.2, v2 3.3).
    pub fn bootloader_magic(self) -> u32 {
        match self {
            Version::V1 => MULTIBOOT_BOOTLOADER_MAGIC,
            Version::V2 => MULTIBOOT2_BOOTLOADER_MAGIC,
        }
    }
}

/// The registers a multiboot kernel starts with that carry values.
///
/// The rest of the state both specifications require (v1 3.2 "Machine
/// state", v2 3.3 "I386 machine state") is for the vCPU setup: CS a 32-bit
/// read/execute code segment with base 0 and limit 0xFFFFFFFF; DS, ES, FS,
/// GS and SS 32-bit read/write data segments with base 0 and limit
/// 0xFFFFFFFF; the A20 gate enabled; CR0.PG (bit 31) clear and CR0.PE
/// (bit 0) set; EFLAGS.VM (bit 17) and EFLAGS.IF (bit 9) clear. ESP, GDTR
/// and IDTR are undefined: the kernel sets up its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryState {
    /// The entry point.
    pub eip: u32,
    /// The boot loader magic ([`Version::bootloader_magic`]).
    pub eax: u32,
    /// The guest-physical address of the boot information.
    pub ebx: u32,
}

/// EIP, EAX and EBX for a kernel of `version` starting at `entry`, its
/// boot information at `info_addr` (both guest-physical). Both must be
/// below 4 GiB, and a Multiboot2 `info_addr` 8-byte aligned (3.6.2).
pub fn entry_state(version: Version, entry: u64, info_addr: u64) -> Result<EntryState, String> {
    let eip = u32::try_from(entry).map_err(|_| {
        format!("the kernel's entry point {entry:#x} is above 4 GiB: it starts in 32-bit mode")
    })?;
    let ebx = u32::try_from(info_addr).map_err(|_| {
        format!("the multiboot information at {info_addr:#x} is above 4 GiB, out of EBX's reach")
    })?;
    if version == Version::V2 && !info_addr.is_multiple_of(spec::MULTIBOOT2_INFO_ALIGN) {
        return Err(format!(
            "the Multiboot2 information at {info_addr:#x} is not 8-byte aligned"
        ));
    }
    Ok(EntryState {
        eip,
        eax: version.bootloader_magic(),
        ebx,
    })
}
