//! Host tests of the x86 firmware readers: real byte images of each
//! structure (built by `build_acpi` after ACPI 6.5 chapter 5, and by
//! `build_boot` after Xen's `start_info.h` and the Multiboot2
//! Specification §3.6, checksums computed) laid out in an arena of
//! physical memory, read back field by field, and broken one way at a
//! time for the errors; and QEMU's own tables (`qemu`).

mod acpi;
mod build_acpi;
mod build_boot;
mod cpus;
mod fadt;
mod madt;
mod multiboot2;
mod pvh;
mod qemu;
mod ranges;
mod seeds;

use alloc::vec;
use alloc::vec::Vec;

use super::SliceMem;

/// Bytes of physical memory placed at `base`, handed out front to back.
#[derive(Clone)]
pub(super) struct Image {
    /// Physical address of `bytes[0]`.
    pub base: u64,
    /// The memory.
    pub bytes: Vec<u8>,
    /// Next free address.
    next: u64,
}

impl Image {
    /// `size` zero bytes at `base`.
    pub fn new(base: u64, size: usize) -> Self {
        Image {
            base,
            bytes: vec![0; size],
            next: base,
        }
    }

    /// The memory as the parsers read it.
    pub fn mem(&self) -> SliceMem<'_> {
        SliceMem {
            base: self.base,
            bytes: &self.bytes,
        }
    }

    /// Reserves `len` bytes aligned to `align`; returns their address.
    pub fn alloc(&mut self, len: usize, align: u64) -> u64 {
        let addr = self.next.next_multiple_of(align);
        self.next = addr + len as u64;
        assert!(
            self.next <= self.base + self.bytes.len() as u64,
            "image full"
        );
        addr
    }

    /// Copies `data` to `addr`.
    pub fn put(&mut self, addr: u64, data: &[u8]) {
        let at = (addr - self.base) as usize;
        self.bytes[at..at + data.len()].copy_from_slice(data);
    }

    /// Places `data` (aligned to `align`); returns its address.
    pub fn place(&mut self, data: &[u8], align: u64) -> u64 {
        let addr = self.alloc(data.len(), align);
        self.put(addr, data);
        addr
    }

    /// Places a NUL-terminated copy of `s`; returns its address.
    pub fn place_str(&mut self, s: &str) -> u64 {
        let mut b = s.as_bytes().to_vec();
        b.push(0);
        self.place(&b, 1)
    }

    /// The bytes handed out so far.
    pub fn used(&self) -> &[u8] {
        &self.bytes[..(self.next - self.base) as usize]
    }

    /// Overwrites the `u32` at `addr`.
    pub fn set_u32(&mut self, addr: u64, v: u32) {
        self.put(addr, &v.to_le_bytes());
    }

    /// Overwrites the `u64` at `addr`.
    pub fn set_u64(&mut self, addr: u64, v: u64) {
        self.put(addr, &v.to_le_bytes());
    }

    /// The byte at `addr`.
    pub fn byte(&self, addr: u64) -> u8 {
        self.bytes[(addr - self.base) as usize]
    }

    /// Adds `delta` to the byte at `addr` (to break a checksum).
    pub fn bump(&mut self, addr: u64, delta: u8) {
        let b = self.byte(addr).wrapping_add(delta);
        self.put(addr, &[b]);
    }
}

/// Little-endian bytes of a list of fields, for building structures.
#[derive(Default)]
pub(super) struct Le(pub Vec<u8>);

impl Le {
    pub fn u8(mut self, v: u8) -> Self {
        self.0.push(v);
        self
    }
    pub fn u16(mut self, v: u16) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u32(mut self, v: u32) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u64(mut self, v: u64) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn bytes(mut self, v: &[u8]) -> Self {
        self.0.extend_from_slice(v);
        self
    }
}

/// The byte that makes `bytes` sum to zero, written at `at`.
pub(super) fn fix_checksum(bytes: &mut [u8], at: usize) {
    bytes[at] = 0;
    let sum = bytes.iter().fold(0u8, |s, &b| s.wrapping_add(b));
    bytes[at] = sum.wrapping_neg();
}
