//! The kernel's own map on x86-64: an identity map of physical memory
//! from 0 to the top of RAM (at least 4 GiB, where the local APIC, the I/O
//! APIC and other devices sit) in 2 MiB pages, supervisor-only, in the
//! first PML4 slot (512 GiB). Every process's PML4 shares that slot, so
//! the kernel runs on any process's CR3; ring 3 cannot reach it (U/S
//! clear) and has its own addresses from the second slot on.
//!
//! Memory types come from the MTRRs the firmware set (RAM write-back, the
//! device holes uncacheable): every page here is PAT entry 0 (write-back),
//! and where an MTRR says uncacheable, that wins (Intel SDM Vol. 3A
//! 13.5.2.2, "Selecting Memory Types for Pentium III and More Recent
//! Processor Families").

use super::long_mode::LongModeEntry;

/// Bytes of a 2 MiB page.
pub const PAGE_2M: u64 = 1 << 21;
/// Bytes one page directory maps.
pub const GIB: u64 = 1 << 30;
/// The least the map covers: the 32-bit address space with its devices.
pub const MIN_TOP: u64 = 4 * GIB;

/// The flags of a table entry (PML4E, PDPTE) of the map.
const TABLE: LongModeEntry = LongModeEntry::P
    .union(LongModeEntry::RW)
    .union(LongModeEntry::A);
/// The flags of a 2 MiB leaf.
const LEAF: LongModeEntry = TABLE.union(LongModeEntry::D).union(LongModeEntry::PS);

/// Fills `pml4`, `pdpt` and `pds` with the identity map of `[0, top)`
/// (rounded up to whole GiB, at least [`MIN_TOP`], at most what `pds`
/// can hold); `address` gives a table's physical address. Returns the top
/// of what is mapped: RAM above it must not be used.
pub fn build(
    pml4: &mut [u64; 512],
    pdpt: &mut [u64; 512],
    pds: &mut [[u64; 512]],
    top: u64,
    address: impl Fn(&[u64; 512]) -> u64,
) -> u64 {
    let wanted = top.max(MIN_TOP).div_ceil(GIB) as usize;
    let gib = wanted.min(pds.len()).min(512);
    pml4.fill(0);
    pdpt.fill(0);
    for (g, pd) in pds.iter_mut().enumerate().take(gib) {
        for (i, entry) in pd.iter_mut().enumerate() {
            *entry = (g as u64 * GIB + i as u64 * PAGE_2M) | LEAF.bits();
        }
        pdpt[g] = address(pd) | TABLE.bits();
    }
    pml4[0] = address(pdpt) | TABLE.bits();
    gib as u64 * GIB
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build_with(pds: usize, top: u64) -> (Vec<[u64; 512]>, u64) {
        let mut tables = vec![[0u64; 512]; 2 + pds];
        let base = 0x10_0000u64;
        let start = tables.as_ptr() as u64;
        let address = |t: &[u64; 512]| base + (t.as_ptr() as u64 - start);
        let (head, pds_part) = tables.split_at_mut(2);
        let (a, b) = head.split_at_mut(1);
        let mapped = build(&mut a[0], &mut b[0], pds_part, top, address);
        (tables, mapped)
    }

    #[test]
    fn maps_at_least_the_low_4_gib() {
        let (t, mapped) = build_with(8, 512 << 20);
        assert_eq!(mapped, 4 * GIB);
        assert_eq!(t[0][0], 0x10_1000 | 0x23);
        assert_eq!(t[0][1..], [0; 511]);
        for (g, &entry) in t[1][..4].iter().enumerate() {
            assert_eq!(entry, (0x10_2000 + g as u64 * 0x1000) | 0x23);
        }
        assert_eq!(t[1][4], 0);
        // The first page, and the local APIC's 2 MiB page at 0xFEE00000.
        assert_eq!(t[2][0], 0xE3);
        assert_eq!(t[5][0x1F7], 0xFEE0_0000 | 0xE3);
    }

    #[test]
    fn covers_ram_above_4_gib_in_whole_gib() {
        let (t, mapped) = build_with(8, 5 * GIB + 1);
        assert_eq!(mapped, 6 * GIB);
        assert_eq!(t[7][511], (6 * GIB - PAGE_2M) | 0xE3);
    }

    #[test]
    fn stops_at_the_tables_it_has() {
        let (_, mapped) = build_with(4, 100 * GIB);
        assert_eq!(mapped, 4 * GIB);
    }

    #[test]
    fn supervisor_only_and_executable() {
        let (t, _) = build_with(4, 0);
        let all = t.iter().flatten().filter(|&&e| e != 0);
        for &e in all {
            assert_eq!(e & LongModeEntry::US.bits(), 0);
            assert_eq!(e >> 63, 0);
        }
    }
}
