//! Finding the header of either version in the start of an image, and what
//! it asks of the loader ([`Header`]). The version-specific checks are in
//! `header_v1.rs` (Multiboot 0.6.96 section 3.1) and `header_v2.rs`
//! (Multiboot2 2.0 section 3.1).

use alloc::string::String;
use alloc::vec::Vec;

use super::bytes::u32_at;
use super::spec::MULTIBOOT_MOD_ALIGN;
use super::{Module, Version};

/// The address fields of a header: Multiboot 3.1.3 "The address fields of
/// Multiboot header" (flags bit 16) or Multiboot2 3.1.5 "The address tag
/// of Multiboot2 header". All are guest-physical addresses; see
/// [`kludge_layout`](super::kludge_layout) for what they mean together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressFields {
    /// Where the header's first byte (its magic) is loaded.
    pub header_addr: u32,
    /// Where the first loaded byte goes; at most `header_addr`. In
    /// Multiboot2, `0xFFFF_FFFF` ("-1") means "load the file from its
    /// beginning".
    pub load_addr: u32,
    /// End of the loaded bytes (exclusive); 0: to the end of the file.
    pub load_end_addr: u32,
    /// End of the BSS to zero after them; 0: no BSS.
    pub bss_end_addr: u32,
}

/// Multiboot2 3.1.13 "Relocatable header tag". qvm does not relocate: it
/// loads the image at its linked addresses, which the tag allows (it is a
/// placement suggestion), and keeps the tag only for reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Relocatable {
    /// Lowest address the image may be loaded at.
    pub min_addr: u32,
    /// Highest address the loaded image may end at.
    pub max_addr: u32,
    /// Alignment of the load address.
    pub align: u32,
    /// 0 none, 1 lowest possible, 2 highest possible.
    pub preference: u32,
}

/// A recognized and accepted header: what the loader must do for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Which specification.
    pub version: Version,
    /// File offset of the header's magic.
    pub offset: usize,
    /// Bytes of the header (v1: the fields its flags enable; v2:
    /// `header_length`).
    pub length: usize,
    /// The address fields, if given: then the image is placed by
    /// [`kludge_layout`](super::kludge_layout), even if it is ELF (v1
    /// 3.1.2: "the boot loader should use them instead of the fields in the
    /// actual executable header").
    pub addresses: Option<AddressFields>,
    /// The entry point overriding the executable's (v1 `entry_addr` with
    /// flags bit 16; v2 entry address tag).
    pub entry: Option<u32>,
    /// Boot modules must be page (4 KiB) aligned (v1 flags bit 0; v2
    /// module alignment tag). See [`Header::check_modules`].
    pub page_align_modules: bool,
    /// The kernel requires memory information (v1 flags bit 1; v2 a
    /// required request for tag 4 or 6). qvm always provides it.
    pub memory_info_required: bool,
    /// Boot information tag types the kernel requires (v2 information
    /// request tags not marked optional); empty for v1.
    pub info_requests: Vec<u32>,
    /// The relocatable tag (v2), ignored: the image is loaded where linked.
    pub relocatable: Option<Relocatable>,
    /// What in the header qvm ignores, each a sentence for a warning
    /// (optional tags qvm cannot honour, requests for information a VM
    /// does not have).
    pub ignored: Vec<String>,
}

impl Header {
    /// Whether the image is placed by [`kludge_layout`](super::kludge_layout)
    /// (address fields given) rather than by its executable format.
    pub fn uses_kludge(&self) -> bool {
        self.addresses.is_some()
    }

    /// Checks that modules placed for this kernel meet its alignment
    /// requirement (v1 flags bit 0, v2 3.1.11 "Module alignment tag").
    pub fn check_modules(&self, modules: &[Module<'_>]) -> Result<(), String> {
        if !self.page_align_modules {
            return Ok(());
        }
        match modules
            .iter()
            .find(|m| !m.start.is_multiple_of(MULTIBOOT_MOD_ALIGN))
        {
            Some(m) => Err(alloc::format!(
                "the kernel requires page-aligned modules, but module \"{}\" starts at {:#x}",
                m.string,
                m.start
            )),
            None => Ok(()),
        }
    }
}

/// Offsets, `align` apart, below `limit` (and within `image`) where the
/// `magic` value is stored, whose `need` bytes lie in the image.
pub(super) fn magic_offsets(
    image: &[u8],
    magic: u32,
    align: usize,
    limit: usize,
    need: usize,
) -> impl Iterator<Item = usize> + '_ {
    let end = image.len().min(limit).saturating_sub(need - 1);
    (0..end)
        .step_by(align)
        .filter(move |&off| u32_at(image, off) == Some(magic))
}
