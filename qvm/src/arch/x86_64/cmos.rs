//! What a PC's BIOS leaves in the RTC's CMOS RAM for the operating system
//! (IBM PC/AT Technical Reference, "CMOS RAM address map"; the bytes past
//! 0x33 as the Bochs and QEMU BIOSes keep them): the equipment byte, the
//! base and extended memory sizes, the memory above 16 MiB and above 4 GiB
//! in 64 KiB units, the number of CPUs, and the checksum of 0x10-0x2D.
//! Pure: `qvm` writes the bytes into its `mc146818` model.

use alloc::vec::Vec;

/// Diskette drive types (none) and fixed disk types (none).
const DISKETTE_TYPES: u8 = 0x10;
const FIXED_DISK_TYPES: u8 = 0x12;
/// The equipment byte: bit 1, a math coprocessor; no diskette (bit 0
/// clear), primary display EGA/VGA (bits 5:4 = 00).
const EQUIPMENT: u8 = 0x14;
const EQUIPMENT_COPROCESSOR: u8 = 1 << 1;
/// Base memory in KiB (two bytes, low first).
const BASE_MEMORY: u8 = 0x15;
/// Extended memory above 1 MiB in KiB, as configured and as POST found it.
const EXTENDED_MEMORY: u8 = 0x17;
const EXTENDED_MEMORY_POST: u8 = 0x30;
/// The checksum of 0x10-0x2D, high byte first.
const CHECKSUM: u8 = 0x2E;
const CHECKSUMMED: core::ops::RangeInclusive<u8> = 0x10..=0x2D;
/// Memory from 16 MiB to 4 GiB in 64 KiB units (two bytes).
const MEMORY_ABOVE_16M: u8 = 0x34;
/// Memory above 4 GiB in 64 KiB units (three bytes).
const MEMORY_ABOVE_4G: u8 = 0x5B;
/// CPUs less one.
const CPUS_LESS_ONE: u8 = 0x5F;

/// Base memory a PC reports: 640 KiB.
const BASE_KIB: u64 = 640;
const MIB: u64 = 1 << 20;
const GIB4: u64 = 1 << 32;
const UNIT_64K: u64 = 64 * 1024;

/// The CMOS bytes for a guest with RAM `ram` (base, length pairs) and
/// `cpus` vCPUs, as (index, value) pairs, the checksum last.
pub fn bytes(ram: &[(u64, u64)], cpus: usize) -> Vec<(u8, u8)> {
    // RAM in [start, end), clipped to each range.
    let within = |start: u64, end: u64| -> u64 {
        ram.iter()
            .map(|&(base, len)| {
                let top = base.saturating_add(len);
                top.min(end).saturating_sub(base.max(start))
            })
            .sum()
    };
    let base_kib = (within(0, BASE_KIB * 1024) / 1024).min(BASE_KIB);
    let extended_kib = (within(MIB, GIB4) / 1024).min(0xFFFF);
    let above_16m = (within(16 * MIB, GIB4) / UNIT_64K).min(0xFFFF);
    let above_4g = (within(GIB4, u64::MAX) / UNIT_64K).min(0xFF_FFFF);
    let word = |at: u8, v: u64| [(at, v as u8), (at + 1, (v >> 8) as u8)];
    let mut out = Vec::new();
    out.push((DISKETTE_TYPES, 0));
    out.push((FIXED_DISK_TYPES, 0));
    out.push((EQUIPMENT, EQUIPMENT_COPROCESSOR));
    out.extend(word(BASE_MEMORY, base_kib));
    out.extend(word(EXTENDED_MEMORY, extended_kib));
    out.extend(word(EXTENDED_MEMORY_POST, extended_kib));
    out.extend(word(MEMORY_ABOVE_16M, above_16m));
    out.extend(word(MEMORY_ABOVE_4G, above_4g));
    out.push((MEMORY_ABOVE_4G + 2, (above_4g >> 16) as u8));
    out.push((CPUS_LESS_ONE, cpus.saturating_sub(1).min(0xFF) as u8));
    let sum: u16 = out
        .iter()
        .filter(|(at, _)| CHECKSUMMED.contains(at))
        .map(|&(_, v)| u16::from(v))
        .sum();
    out.extend([(CHECKSUM, (sum >> 8) as u8), (CHECKSUM + 1, sum as u8)]);
    out
}
