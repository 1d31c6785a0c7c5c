//! The Multiboot2 (2.0) header: section 3.1 "OS image format", its tags
//! 3.1.3 to 3.1.13.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::Version;
use super::bytes::{u16_at, u32_at};
use super::header::{AddressFields, Header, Relocatable, magic_offsets};
use super::requests::check_requests;
use super::spec::*;

/// Finds and checks the Multiboot2 header (see [`super::find_header`]).
///
/// 3.1 "OS image format": completely within the first
/// [`MULTIBOOT2_SEARCH`] bytes, 64-bit aligned. As for version 1, a magic
/// value with a wrong checksum is skipped, and reported only if no good
/// header follows.
pub(super) fn find(image: &[u8]) -> Result<Option<Header>, String> {
    let mut bad = None;
    for off in magic_offsets(
        image,
        MULTIBOOT2_HEADER_MAGIC,
        MULTIBOOT2_HEADER_ALIGN,
        MULTIBOOT2_SEARCH,
        MULTIBOOT2_HEADER_MAGIC_LEN,
    ) {
        let field = |i: usize| u32_at(image, off + 4 * i).unwrap_or(0);
        let (arch, length, checksum) = (field(1), field(2), field(3));
        // 3.1.2 "The magic fields of Multiboot2 header": magic,
        // architecture, header_length and checksum sum to 0 (mod 2^32).
        let sum = MULTIBOOT2_HEADER_MAGIC
            .wrapping_add(arch)
            .wrapping_add(length)
            .wrapping_add(checksum);
        if sum != 0 {
            bad.get_or_insert(off);
            continue;
        }
        return parse(image, off, arch, length).map(Some);
    }
    match bad {
        Some(off) => Err(format!(
            "the image has the Multiboot2 header magic {MULTIBOOT2_HEADER_MAGIC:#010x} at offset \
             {off:#x} but a wrong checksum (magic + architecture + header_length + checksum must \
             be 0 modulo 2^32): the header is damaged, or the file is not a multiboot kernel"
        )),
        None => Ok(None),
    }
}

/// Checks the header at `off` and walks its tags.
fn parse(image: &[u8], off: usize, arch: u32, header_length: u32) -> Result<Header, String> {
    match arch {
        MULTIBOOT_ARCHITECTURE_I386 => {}
        MULTIBOOT_ARCHITECTURE_MIPS32 => {
            return Err(
                "the kernel's Multiboot2 header is for 32-bit MIPS (architecture 4), \
                        not i386: it cannot run in an x86 VM"
                    .into(),
            );
        }
        other => {
            return Err(format!(
                "the kernel's Multiboot2 header names architecture {other}, which Multiboot2 2.0 \
                 does not define (0 is i386): the header is damaged"
            ));
        }
    }
    let length = header_length as usize;
    let min = MULTIBOOT2_HEADER_MAGIC_LEN + 8;
    if length < min {
        return Err(format!(
            "the kernel's Multiboot2 header_length is {length}, too short for the magic fields \
             and the end tag ({min} bytes): the header is damaged"
        ));
    }
    let end = off.saturating_add(length);
    if end > MULTIBOOT2_SEARCH {
        return Err(format!(
            "the kernel's Multiboot2 header at offset {off:#x} ends at {end:#x}, past the first \
             {MULTIBOOT2_SEARCH} bytes of the image where it must lie completely"
        ));
    }
    let Some(bytes) = image.get(off..end) else {
        return Err(format!(
            "the image ends at {:#x}, inside its Multiboot2 header (offset {off:#x}, {length} \
             bytes)",
            image.len()
        ));
    };
    let mut header = Header {
        version: Version::V2,
        offset: off,
        length,
        addresses: None,
        entry: None,
        page_align_modules: false,
        memory_info_required: false,
        info_requests: Vec::new(),
        relocatable: None,
        ignored: Vec::new(),
    };
    // 3.1.3 "General tag structure": u16 type, u16 flags, u32 size (with
    // the 8 header bytes), each tag 8-byte aligned, up to the end tag.
    let mut pos = MULTIBOOT2_HEADER_MAGIC_LEN;
    loop {
        let (Some(kind), Some(flags), Some(size)) = (
            u16_at(bytes, pos),
            u16_at(bytes, pos + 2),
            u32_at(bytes, pos + 4),
        ) else {
            return Err(format!(
                "the kernel's Multiboot2 header has no end tag within its header_length \
                 ({length} bytes): the header is damaged"
            ));
        };
        let size = size as usize;
        let Some(body) = pos
            .checked_add(size)
            .filter(|_| size >= 8)
            .and_then(|tag_end| bytes.get(pos + 8..tag_end))
        else {
            return Err(format!(
                "the kernel's Multiboot2 header has a tag (type {kind}) at offset {:#x} whose \
                 size {size} is below 8 or runs past header_length: the header is damaged",
                off + pos
            ));
        };
        if kind == MULTIBOOT_HEADER_TAG_END {
            break;
        }
        let optional = flags & MULTIBOOT_HEADER_TAG_OPTIONAL != 0;
        tag(&mut header, kind, optional, body)?;
        // Size is at least 8 and the tag lies in `bytes`: no overflow.
        pos = (pos + size).next_multiple_of(MULTIBOOT_TAG_ALIGN);
    }
    check_requests(&mut header)?;
    Ok(header)
}

/// Bytes after the tag's 8-byte head that each header tag has (3.1.4 to
/// 3.1.13), and its name in the specification.
fn layout(kind: u16) -> Option<(usize, &'static str)> {
    Some(match kind {
        MULTIBOOT_HEADER_TAG_INFORMATION_REQUEST => (0, "information request"),
        MULTIBOOT_HEADER_TAG_ADDRESS => (16, "address"),
        MULTIBOOT_HEADER_TAG_ENTRY_ADDRESS => (4, "entry address"),
        MULTIBOOT_HEADER_TAG_CONSOLE_FLAGS => (4, "flags (console flags)"),
        MULTIBOOT_HEADER_TAG_FRAMEBUFFER => (12, "framebuffer"),
        MULTIBOOT_HEADER_TAG_MODULE_ALIGN => (0, "module alignment"),
        MULTIBOOT_HEADER_TAG_EFI_BS => (0, "EFI boot services"),
        MULTIBOOT_HEADER_TAG_ENTRY_ADDRESS_EFI32 => (4, "EFI i386 entry address"),
        MULTIBOOT_HEADER_TAG_ENTRY_ADDRESS_EFI64 => (4, "EFI amd64 entry address"),
        MULTIBOOT_HEADER_TAG_RELOCATABLE => (16, "relocatable"),
        _ => return None,
    })
}

/// Takes in one header tag (not the end tag).
fn tag(h: &mut Header, kind: u16, optional: bool, body: &[u8]) -> Result<(), String> {
    let Some((min, name)) = layout(kind) else {
        if optional {
            h.ignored.push(format!(
                "the kernel's Multiboot2 header has an optional tag of type {kind}, which \
                 Multiboot2 2.0 does not define; qvm ignores it"
            ));
            return Ok(());
        }
        return Err(format!(
            "the kernel's Multiboot2 header has a required tag of type {kind}, which Multiboot2 \
             2.0 does not define, so qvm cannot honour it"
        ));
    };
    if body.len() < min {
        return Err(format!(
            "the kernel's Multiboot2 {name} tag is {} bytes, shorter than the {} the \
             specification gives it: the header is damaged",
            body.len() + 8,
            min + 8
        ));
    }
    let field = |i: usize| u32_at(body, 4 * i).unwrap_or(0);
    let twice = |what: &str| {
        Err(format!(
            "the kernel's Multiboot2 header has two {what} tags: qvm cannot tell which applies"
        ))
    };
    match kind {
        MULTIBOOT_HEADER_TAG_INFORMATION_REQUEST => {
            // 3.1.4: an optional request is a wish; required ones are
            // checked once all tags are read (check_requests).
            if !optional {
                h.info_requests
                    .extend(body.chunks_exact(4).map(|c| u32_at(c, 0).unwrap_or(0)));
            }
        }
        MULTIBOOT_HEADER_TAG_ADDRESS => {
            if h.addresses.is_some() {
                return twice("address");
            }
            h.addresses = Some(AddressFields {
                header_addr: field(0),
                load_addr: field(1),
                load_end_addr: field(2),
                bss_end_addr: field(3),
            });
        }
        MULTIBOOT_HEADER_TAG_ENTRY_ADDRESS => {
            if h.entry.is_some() {
                return twice("entry address");
            }
            h.entry = Some(field(0));
        }
        MULTIBOOT_HEADER_TAG_MODULE_ALIGN => h.page_align_modules = true,
        MULTIBOOT_HEADER_TAG_RELOCATABLE => {
            if h.relocatable.is_some() {
                return twice("relocatable");
            }
            h.relocatable = Some(Relocatable {
                min_addr: field(0),
                max_addr: field(1),
                align: field(2),
                preference: field(3),
            });
            h.ignored.push(
                "the kernel is relocatable (Multiboot2 relocatable tag); qvm loads it at its \
                 linked address"
                    .into(),
            );
        }
        MULTIBOOT_HEADER_TAG_CONSOLE_FLAGS => {
            let console = field(0);
            if console & MULTIBOOT_CONSOLE_FLAGS_CONSOLE_REQUIRED != 0 && !optional {
                return Err(
                    "the kernel's Multiboot2 header requires a console described in the \
                            boot information (flags tag, console_flags bit 0), and qvm's x86 VMs \
                            have no framebuffer or EGA text screen to describe (their console is \
                            a serial port): mark the tag optional or drop the requirement"
                        .into(),
                );
            }
            if console != 0 {
                h.ignored.push(format!(
                    "the kernel's Multiboot2 console flags {console:#x} are ignored: qvm's VMs \
                     have no framebuffer or EGA text screen"
                ));
            }
        }
        MULTIBOOT_HEADER_TAG_FRAMEBUFFER => {
            let (w, ht, d) = (field(0), field(1), field(2));
            if !optional {
                return Err(format!(
                    "the kernel's Multiboot2 header requires a framebuffer ({w}x{ht}, depth {d}; \
                     framebuffer tag not marked optional), and qvm's x86 VMs have no display: \
                     mark the tag optional or build the kernel without it"
                ));
            }
            h.ignored.push(format!(
                "the kernel's preferred graphics mode ({w}x{ht}, depth {d}) is ignored: qvm's \
                 VMs have no display"
            ));
        }
        // EFI boot services, EFI i386 and amd64 entry addresses (3.1.7,
        // 3.1.8, 3.1.12): there is no EFI firmware in qvm's VMs.
        _ => {
            if !optional {
                return Err(format!(
                    "the kernel's Multiboot2 header requires EFI (a required {name} tag), and \
                     qvm starts x86 kernels without firmware: there is no EFI. Mark the tag \
                     optional or build the kernel without it"
                ));
            }
            h.ignored.push(format!(
                "the kernel's optional Multiboot2 {name} tag is ignored: there is no EFI"
            ));
        }
    }
    Ok(())
}
