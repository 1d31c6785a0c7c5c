//! Tests of the ACPI tables: read back with the `acpi` crate
//! ([`parse`]), byte by byte ([`layout`]), the AML ([`aml`]), what the
//! builder refuses ([`refuse`]), and the vdevs the FADT names driven as
//! a guest reading the tables would ([`pm_vdev`]).

mod aml;
mod layout;
mod parse;
mod pm_vdev;
mod refuse;

use super::*;

/// The usual window: 128 KiB from 0xE0000.
const BASE: u64 = 0xE_0000;
const WINDOW: u64 = 0x2_0000;

/// The PC machine with `cpus` vCPUs, built at [`BASE`].
fn pc(cpus: u32) -> (AcpiMachine, AcpiImage) {
    let m = AcpiMachine::pc(cpus);
    let image = build(&m, BASE, WINDOW).expect("the PC machine builds");
    (m, image)
}

/// Little-endian fields of a byte slice.
fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
}

/// The bytes of the table at guest-physical `addr` (its Length long).
fn table(image: &AcpiImage, addr: u64) -> &[u8] {
    let off = (addr - image.base) as usize;
    let len = u32_at(&image.bytes, off + 4) as usize;
    &image.bytes[off..off + len]
}

/// The sum of `bytes` modulo 256.
fn sum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |s, b| s.wrapping_add(*b))
}
