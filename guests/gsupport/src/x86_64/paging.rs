//! The guest's identity map of the first 4 GiB in 2 MiB pages, built by
//! the boot code all write-back; [`set_caching`] then makes every 2 MiB
//! block that holds no RAM uncached (PCD and PWT: the local APIC at
//! 0xFEE00000, the I/O APIC at 0xFEC00000 and every other device), as the
//! memory map tells RAM from the rest.

use crate::dt::Region;

/// Page table entry bits (SDM Vol. 3A, table 5-18): present, writable,
/// write-through, cache disable, page size (a 2 MiB page in a directory).
pub const PTE_P: u64 = 1 << 0;
/// See [`PTE_P`].
pub const PTE_RW: u64 = 1 << 1;
/// See [`PTE_P`].
pub const PTE_PWT: u64 = 1 << 3;
/// See [`PTE_P`].
pub const PTE_PCD: u64 = 1 << 4;
/// See [`PTE_P`].
pub const PTE_PS: u64 = 1 << 7;
/// Bytes a directory entry maps.
pub const LARGE_PAGE: usize = 2 << 20;
/// Directory entries over 4 GiB.
const ENTRIES: usize = 2048;

unsafe extern "C" {
    /// The four page directories of the boot map (`boot.rs`).
    static mut gs_pd: [u64; ENTRIES];
}

/// Rewrites the boot map's directory entries: a 2 MiB block that
/// overlaps a region of `ram` stays write-back, any other is uncached.
/// Then reloads CR3, flushing the TLB.
pub fn set_caching(ram: &[Region]) {
    let pd = &raw mut gs_pd;
    for i in 0..ENTRIES {
        let block = Region {
            start: i * LARGE_PAGE,
            end: (i + 1) * LARGE_PAGE,
        };
        let mut entry = (i * LARGE_PAGE) as u64 | PTE_P | PTE_RW | PTE_PS;
        if !ram.iter().any(|r| r.overlaps(&block)) {
            entry |= PTE_PCD | PTE_PWT;
        }
        // SAFETY: the directory is the boot map's, in `.bss`; only the
        // caching bits of an entry change, and only the boot CPU runs.
        unsafe { (*pd)[i] = entry };
    }
    // SAFETY: reloading CR3 with its own value flushes the TLB.
    unsafe {
        core::arch::asm!("mov {t}, cr3", "mov cr3, {t}", t = out(reg) _, options(nostack));
    }
}
