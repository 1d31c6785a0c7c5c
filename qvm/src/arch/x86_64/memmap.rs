//! The memory map an x86 guest is told about (multiboot's, later the
//! e820 of Linux's boot protocol): the configuration's RAM, with the PC's
//! legacy hole (0xA0000-0xFFFFF: video memory and the BIOS area, where
//! `qvm` puts the ACPI tables) reserved, and ROM reserved; [`reserve`]
//! takes more out of RAM (the page tables of a long-mode start).

use alloc::vec::Vec;

use crate::config::MemKind;
use crate::layout::MemRegion;
use crate::multiboot::{MemoryKind, MemoryRegion};

/// The PC's legacy hole: video memory from 640 KiB, the BIOS area up to
/// 1 MiB.
pub const LEGACY_HOLE: core::ops::Range<u64> = 0xA_0000..0x10_0000;

/// The map of `memory` (the placed `ram` and `rom` regions), in address
/// order.
pub fn memory_map(memory: &[MemRegion]) -> Vec<MemoryRegion> {
    let mut map = Vec::new();
    let mut push = |base: u64, end: u64, kind: MemoryKind| {
        if end > base {
            map.push(MemoryRegion {
                base,
                length: end - base,
                kind,
            });
        }
    };
    for m in memory {
        let (base, end) = (m.region.base, m.region.end());
        if m.kind == MemKind::Rom {
            push(base, end, MemoryKind::Reserved);
            continue;
        }
        push(base, end.min(LEGACY_HOLE.start), MemoryKind::Ram);
        push(
            base.max(LEGACY_HOLE.start),
            end.min(LEGACY_HOLE.end),
            MemoryKind::Reserved,
        );
        push(base.max(LEGACY_HOLE.end), end, MemoryKind::Ram);
    }
    map.sort_by_key(|r| r.base);
    map
}

/// Marks `base..end` reserved in `map` (a [`memory_map`]): the RAM
/// entries it overlaps keep only what lies outside it, a reserved entry
/// covers it, and the map stays in address order.
pub fn reserve(map: &mut Vec<MemoryRegion>, base: u64, end: u64) {
    let mut out = Vec::with_capacity(map.len() + 2);
    for r in map.drain(..) {
        let r_end = r.base + r.length;
        if r.kind != MemoryKind::Ram || r_end <= base || end <= r.base {
            out.push(r);
            continue;
        }
        for (b, e) in [(r.base, base), (end, r_end)] {
            if b < e && r.base <= b && e <= r_end {
                out.push(MemoryRegion {
                    base: b,
                    length: e - b,
                    kind: MemoryKind::Ram,
                });
            }
        }
    }
    out.push(MemoryRegion {
        base,
        length: end - base,
        kind: MemoryKind::Reserved,
    });
    out.sort_by_key(|r| r.base);
    *map = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Origin;
    use crate::layout::Region;

    fn mem(kind: MemKind, base: u64, size: u64) -> MemRegion {
        MemRegion {
            kind,
            region: Region { base, size },
            origin: Origin::new("t.qvmconf", 1),
        }
    }

    fn entries(map: &[MemoryRegion]) -> Vec<(u64, u64, MemoryKind)> {
        map.iter().map(|r| (r.base, r.length, r.kind)).collect()
    }

    #[test]
    fn ram_from_zero_loses_the_legacy_hole() {
        let map = memory_map(&[mem(MemKind::Ram, 0, 64 << 20)]);
        assert_eq!(
            entries(&map),
            [
                (0, 0xA_0000, MemoryKind::Ram),
                (0xA_0000, 0x6_0000, MemoryKind::Reserved),
                (0x10_0000, (64 << 20) - 0x10_0000, MemoryKind::Ram),
            ]
        );
    }

    #[test]
    fn high_ram_and_rom_in_address_order() {
        let map = memory_map(&[
            mem(MemKind::Ram, 0x1_0000_0000, 1 << 30),
            mem(MemKind::Rom, 0xFFFF_0000, 0x1_0000),
            mem(MemKind::Ram, 0x10_0000, 0x10_0000),
        ]);
        assert_eq!(
            entries(&map),
            [
                (0x10_0000, 0x10_0000, MemoryKind::Ram),
                (0xFFFF_0000, 0x1_0000, MemoryKind::Reserved),
                (0x1_0000_0000, 1 << 30, MemoryKind::Ram),
            ]
        );
    }

    #[test]
    fn a_reserved_range_splits_the_ram_it_lies_in() {
        let mut map = memory_map(&[mem(MemKind::Ram, 0, 64 << 20)]);
        reserve(&mut map, 0x3FF_A000, 0x400_0000);
        assert_eq!(
            entries(&map),
            [
                (0, 0xA_0000, MemoryKind::Ram),
                (0xA_0000, 0x6_0000, MemoryKind::Reserved),
                (0x10_0000, 0x3EF_A000, MemoryKind::Ram),
                (0x3FF_A000, 0x6000, MemoryKind::Reserved),
            ]
        );
        reserve(&mut map, 0x20_0000, 0x20_1000);
        assert_eq!(
            entries(&map)[2..5],
            [
                (0x10_0000, 0x10_0000, MemoryKind::Ram),
                (0x20_0000, 0x1000, MemoryKind::Reserved),
                (0x20_1000, 0x3DF_9000, MemoryKind::Ram),
            ]
        );
    }
}
