//! Multiboot2 3.1.4 "Multiboot2 information request": which required
//! requests qvm accepts.
//!
//! The specification: a loader must fail on a required request it does not
//! understand; one it supports but whose information is not available is
//! simply left out of the boot information ("on a videoless system even if
//! you requested tag 8 and the bootloader supports it, no tags of type 8
//! will be present"). So qvm accepts required requests for
//!
//! - what it provides: command line, boot loader name, modules, basic
//!   memory information, memory map, and the ACPI RSDP tags (present when
//!   the VM has ACPI tables; [`super::BootInfo::rsdp`]);
//! - information its VMs never have: a BIOS boot device, VBE, a
//!   framebuffer, APM, EFI tables and handles, SMBIOS, network boot (each
//!   noted in [`Header::ignored`]);
//!
//! and refuses required requests for information that exists but qvm does
//! not pass (the kernel's ELF section headers, the load base of a
//! relocatable image: qvm does not relocate) and for types Multiboot2 2.0
//! does not define.

use alloc::format;
use alloc::string::String;

use super::header::Header;
use super::spec::*;

/// What qvm does with a required request for boot information tag `kind`.
enum Answer {
    /// Provided (when the VM has it).
    Provided,
    /// Understood, never available in qvm's VMs (what, why): left out, as
    /// 3.1.4 allows.
    Unavailable(&'static str, &'static str),
    /// Refused, with the reason.
    Refused(&'static str),
}

fn answer(kind: u32, relocatable: bool) -> Answer {
    use Answer::*;
    match kind {
        MULTIBOOT_TAG_TYPE_END
        | MULTIBOOT_TAG_TYPE_CMDLINE
        | MULTIBOOT_TAG_TYPE_BOOT_LOADER_NAME
        | MULTIBOOT_TAG_TYPE_MODULE
        | MULTIBOOT_TAG_TYPE_BASIC_MEMINFO
        | MULTIBOOT_TAG_TYPE_MMAP
        | MULTIBOOT_TAG_TYPE_ACPI_OLD
        | MULTIBOOT_TAG_TYPE_ACPI_NEW => Provided,
        MULTIBOOT_TAG_TYPE_BOOTDEV => Unavailable("the BIOS boot device", "there is no BIOS"),
        MULTIBOOT_TAG_TYPE_VBE => Unavailable("VBE information", "there is no display"),
        MULTIBOOT_TAG_TYPE_FRAMEBUFFER => {
            Unavailable("framebuffer information", "there is no display")
        }
        MULTIBOOT_TAG_TYPE_APM => Unavailable("the APM table", "there is no BIOS"),
        MULTIBOOT_TAG_TYPE_EFI32
        | MULTIBOOT_TAG_TYPE_EFI64
        | MULTIBOOT_TAG_TYPE_EFI_MMAP
        | MULTIBOOT_TAG_TYPE_EFI_BS
        | MULTIBOOT_TAG_TYPE_EFI32_IH
        | MULTIBOOT_TAG_TYPE_EFI64_IH => Unavailable("EFI information", "there is no EFI"),
        MULTIBOOT_TAG_TYPE_SMBIOS => Unavailable("SMBIOS tables", "the VM has none"),
        MULTIBOOT_TAG_TYPE_NETWORK => Unavailable(
            "network boot information",
            "it is not booted from the network",
        ),
        MULTIBOOT_TAG_TYPE_ELF_SECTIONS => {
            Refused("qvm does not pass the kernel's ELF section headers")
        }
        MULTIBOOT_TAG_TYPE_LOAD_BASE_ADDR if relocatable => {
            Refused("qvm does not relocate images and does not pass their load base address")
        }
        // 3.6.23: "provided only if image has relocatable header tag".
        MULTIBOOT_TAG_TYPE_LOAD_BASE_ADDR => Unavailable(
            "the image load base address",
            "it is given only for relocatable images",
        ),
        _ => Refused("Multiboot2 2.0 does not define it"),
    }
}

/// Checks `h.info_requests` (the required ones), noting what is left out
/// in `h.ignored` and setting `h.memory_info_required`.
pub(super) fn check_requests(h: &mut Header) -> Result<(), String> {
    let relocatable = h.relocatable.is_some();
    for i in 0..h.info_requests.len() {
        let kind = h.info_requests[i];
        match answer(kind, relocatable) {
            Answer::Provided => {}
            Answer::Unavailable(what, why) => h.ignored.push(format!(
                "the kernel requires {what} (Multiboot2 information request for tag type \
                 {kind}) but {why}: it gets none, as Multiboot2 3.1.4 allows for information \
                 that is not available"
            )),
            Answer::Refused(why) => {
                return Err(format!(
                    "the kernel's Multiboot2 header requires boot information tag type {kind} \
                     (information request not marked optional), and {why}: mark the request \
                     optional or build the kernel without it"
                ));
            }
        }
    }
    h.memory_info_required = h
        .info_requests
        .iter()
        .any(|&t| t == MULTIBOOT_TAG_TYPE_BASIC_MEMINFO || t == MULTIBOOT_TAG_TYPE_MMAP);
    Ok(())
}
