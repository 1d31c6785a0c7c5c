//! Host tests: headers of both versions, the a.out kludge layout, both
//! information structures read back field by field, and robustness against
//! arbitrary bytes.

mod header;
mod info_v1;
mod info_v2;
mod kludge;
mod robust;

use super::spec::*;
use alloc::vec::Vec;

/// A Multiboot header with `flags` and, if given, the five address fields.
fn v1_header(flags: u32, addr: Option<[u32; 5]>) -> Vec<u8> {
    let mut h = Vec::new();
    h.extend_from_slice(&MULTIBOOT_HEADER_MAGIC.to_le_bytes());
    h.extend_from_slice(&flags.to_le_bytes());
    let sum = 0u32
        .wrapping_sub(MULTIBOOT_HEADER_MAGIC)
        .wrapping_sub(flags);
    h.extend_from_slice(&sum.to_le_bytes());
    for v in addr.into_iter().flatten() {
        h.extend_from_slice(&v.to_le_bytes());
    }
    h
}

/// A header tag: type, flags (bit 0 optional), body after the 8-byte head.
struct Tag(u16, u16, Vec<u8>);

fn words(w: &[u32]) -> Vec<u8> {
    w.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A Multiboot2 header (i386) with `tags` and the end tag, padded and
/// checksummed.
fn v2_header(tags: &[Tag]) -> Vec<u8> {
    let mut h = alloc::vec![0u8; 16];
    for Tag(kind, flags, body) in tags {
        h.extend_from_slice(&kind.to_le_bytes());
        h.extend_from_slice(&flags.to_le_bytes());
        h.extend_from_slice(&(8 + body.len() as u32).to_le_bytes());
        h.extend_from_slice(body);
        h.resize(h.len().next_multiple_of(8), 0);
    }
    h.extend_from_slice(&[0, 0, 0, 0, 8, 0, 0, 0]);
    let len = h.len() as u32;
    let sum = 0u32
        .wrapping_sub(MULTIBOOT2_HEADER_MAGIC)
        .wrapping_sub(MULTIBOOT_ARCHITECTURE_I386)
        .wrapping_sub(len);
    h[..16].copy_from_slice(&words(&[MULTIBOOT2_HEADER_MAGIC, 0, len, sum]));
    h
}

/// `len` bytes of 0xCC filler with `header` at `off`.
fn image_with(header: &[u8], off: usize, len: usize) -> Vec<u8> {
    let mut img = alloc::vec![0xCCu8; len.max(off + header.len())];
    img[off..off + header.len()].copy_from_slice(header);
    img
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes(b[off..off + 4].try_into().unwrap())
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    u64::from_le_bytes(b[off..off + 8].try_into().unwrap())
}

/// The NUL-terminated string at `off`.
fn cstr_at(b: &[u8], off: usize) -> &str {
    let len = b[off..].iter().position(|&c| c == 0).expect("NUL");
    core::str::from_utf8(&b[off..off + len]).unwrap()
}
