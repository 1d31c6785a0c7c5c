//! Finding the header of either version: above `header_v1.rs` and
//! `header_v2.rs`, which use the header's types and readers
//! (`header.rs`).

use alloc::string::String;

use super::header::Header;
use super::{header_v1, header_v2};

/// Looks for a Multiboot2 header in the first 32768 bytes of `image`, then
/// for a Multiboot header in the first 8192, and checks the one found.
///
/// `Ok(None)`: neither is there, so the image is not a multiboot kernel.
/// `Err`: a header is there but cannot be used (bad checksum, a required
/// feature qvm does not provide, inconsistent fields), as a sentence for
/// the user. An image with both headers is booted with Multiboot2 (its
/// information can carry the ACPI RSDP); if its Multiboot2 header is
/// refused but its Multiboot header is fine, that one is used.
pub fn find_header(image: &[u8]) -> Result<Option<Header>, String> {
    match header_v2::find(image) {
        Ok(Some(h)) => Ok(Some(h)),
        Ok(None) => header_v1::find(image),
        Err(e2) => match header_v1::find(image) {
            Ok(Some(h)) => Ok(Some(h)),
            _ => Err(e2),
        },
    }
}
