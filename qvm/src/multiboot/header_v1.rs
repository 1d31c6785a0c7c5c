//! The Multiboot (0.6.96) header: section 3.1 "OS image format".

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::Version;
use super::bytes::u32_at;
use super::header::{AddressFields, Header, magic_offsets};
use super::spec::*;

/// The requirement bits (0-15) qvm fulfils: module page alignment and
/// memory information. Bit 2 (video mode) is a requirement qvm cannot
/// fulfil; the others are undefined.
const UNDERSTOOD_REQUIREMENTS: u32 = MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO;

/// Finds and checks the Multiboot header (see [`super::find_header`]).
///
/// 3.1 "OS image format": the header lies completely within the first
/// [`MULTIBOOT_SEARCH`] bytes, longword aligned. A magic value whose
/// checksum is wrong is skipped (it may be a constant that happens to
/// match), but if no good header follows, the image is refused with the
/// bad one's offset rather than taken as "not a multiboot kernel".
pub(super) fn find(image: &[u8]) -> Result<Option<Header>, String> {
    let mut bad = None;
    for off in magic_offsets(
        image,
        MULTIBOOT_HEADER_MAGIC,
        MULTIBOOT_HEADER_ALIGN,
        MULTIBOOT_SEARCH,
        MULTIBOOT_HEADER_MAGIC_LEN,
    ) {
        let (Some(flags), Some(checksum)) = (u32_at(image, off + 4), u32_at(image, off + 8)) else {
            continue;
        };
        // 3.1.2 "The magic fields of Multiboot header": checksum + magic +
        // flags is 0 in 32-bit unsigned arithmetic.
        if MULTIBOOT_HEADER_MAGIC
            .wrapping_add(flags)
            .wrapping_add(checksum)
            != 0
        {
            bad.get_or_insert(off);
            continue;
        }
        return parse(image, off, flags).map(Some);
    }
    match bad {
        Some(off) => Err(format!(
            "the image has the Multiboot header magic {MULTIBOOT_HEADER_MAGIC:#010x} at offset \
             {off:#x} but a wrong checksum (magic + flags + checksum must be 0 modulo 2^32): \
             the header is damaged, or the file is not a multiboot kernel"
        )),
        None => Ok(None),
    }
}

/// Checks the flags of the header at `off` and reads its address fields.
fn parse(image: &[u8], off: usize, flags: u32) -> Result<Header, String> {
    // 3.1.2: bits 0-15 are requirements; a loader that does not
    // understand one, or cannot fulfil it, must fail.
    if flags & MULTIBOOT_VIDEO_MODE != 0 {
        return Err(
            "the kernel's Multiboot header requires video mode information (flags bit 2, \
             Multiboot 0.6.96 section 3.1.2), which qvm cannot give: its x86 VMs have no \
             display adapter. Build the kernel without the video mode request \
             (MULTIBOOT_VIDEO_MODE)"
                .into(),
        );
    }
    let unknown =
        flags & MULTIBOOT_REQUIRED_FLAGS & !UNDERSTOOD_REQUIREMENTS & !MULTIBOOT_VIDEO_MODE;
    if unknown != 0 {
        return Err(format!(
            "the kernel's Multiboot header sets requirement flags {unknown:#x} (bits 0-15) that \
             Multiboot 0.6.96 does not define, so qvm cannot fulfil them: the header is damaged \
             or written for a later specification"
        ));
    }
    let kludge = flags & MULTIBOOT_AOUT_KLUDGE != 0;
    // 3.1.1 "The layout of Multiboot header": the address fields are at
    // offsets 12-28 when bit 16 is set.
    let length = if kludge {
        MULTIBOOT_HEADER_ADDR_LEN
    } else {
        MULTIBOOT_HEADER_MAGIC_LEN
    };
    let end = off + length;
    if end > MULTIBOOT_SEARCH {
        return Err(format!(
            "the kernel's Multiboot header at offset {off:#x} ends at {end:#x}, past the first \
             {MULTIBOOT_SEARCH} bytes of the image where it must lie completely"
        ));
    }
    if end > image.len() {
        return Err(format!(
            "the image ends at {:#x}, inside its Multiboot header (offset {off:#x}, {length} bytes)",
            image.len()
        ));
    }
    let field = |i: usize| u32_at(image, off + 12 + 4 * i).unwrap_or(0);
    let addresses = kludge.then(|| AddressFields {
        header_addr: field(0),
        load_addr: field(1),
        load_end_addr: field(2),
        bss_end_addr: field(3),
    });
    let mut ignored = Vec::new();
    let optional = flags & !MULTIBOOT_REQUIRED_FLAGS & !MULTIBOOT_AOUT_KLUDGE;
    if optional != 0 {
        ignored.push(format!(
            "the kernel's Multiboot header sets optional flags {optional:#x} that Multiboot \
             0.6.96 does not define; qvm ignores them"
        ));
    }
    Ok(Header {
        version: Version::V1,
        offset: off,
        length,
        addresses,
        entry: kludge.then(|| field(4)),
        page_align_modules: flags & MULTIBOOT_PAGE_ALIGN != 0,
        memory_info_required: flags & MULTIBOOT_MEMORY_INFO != 0,
        info_requests: Vec::new(),
        relocatable: None,
        ignored,
    })
}
