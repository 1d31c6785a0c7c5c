//! The guest's identity map of the first 4 GiB in 2 MiB pages, built by
//! the boot code all write-back; [`set_caching`] then makes every 2 MiB
//! block that holds no RAM uncached (PCD and PWT: the local APIC at
//! 0xFEE00000, the I/O APIC at 0xFEC00000 and every other device), as the
//! memory map tells RAM from the rest. [`map_high`] adds identity-mapped
//! memory above 4 GiB (a shared-memory region a hypervisor puts there),
//! write-back, from a few spare page directories.

use crate::dt::Region;
use core::sync::atomic::{AtomicUsize, Ordering};

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

/// Bytes a page-directory-pointer entry spans (one directory's worth).
const GIB: usize = 1 << 30;
/// Entries of one table.
const TABLE_ENTRIES: usize = 512;
/// Directories [`map_high`] may add: 4 GiB of mappings above 4 GiB.
const SPARE_DIRECTORIES: usize = 4;

unsafe extern "C" {
    /// The four page directories of the boot map (`boot.rs`).
    static mut gs_pd: [u64; ENTRIES];
    /// The boot map's page-directory-pointer table: the first 512 GiB
    /// (`boot.rs`; entries 0-3 are the boot map's).
    static mut gs_pdpt: [u64; TABLE_ENTRIES];
}

/// A page table, page aligned.
#[repr(C, align(4096))]
struct Table([u64; TABLE_ENTRIES]);

/// The directories [`map_high`] hands out, and how many it has.
static mut SPARE: [Table; SPARE_DIRECTORIES] =
    [const { Table([0; TABLE_ENTRIES]) }; SPARE_DIRECTORIES];
static SPARE_USED: AtomicUsize = AtomicUsize::new(0);

/// Why [`map_high`] mapped nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    /// The range reaches below 4 GiB (the boot map's) or past 512 GiB
    /// (the one directory-pointer table's), or is empty.
    OutOfRange,
    /// The range reaches past the CPU's physical address width
    /// (CPUID.80000008H:EAX[7:0]), this many bits.
    PastPhysicalAddress(u32),
    /// Every spare directory is in use.
    NoDirectory,
}

/// The CPU's physical address width in bits (36 without leaf 0x80000008).
pub fn physical_address_bits() -> u32 {
    if super::cpu::cpuid(0x8000_0000)[0] < 0x8000_0008 {
        return 36;
    }
    super::cpu::cpuid(0x8000_0008)[0] & 0xFF
}

/// Identity-maps `[base, base + size)`, at or above 4 GiB and below 512
/// GiB, write-back, in 2 MiB pages (the blocks around it too); the boot
/// CPU calls it before starting others, whose maps are the same tables.
pub fn map_high(base: usize, size: usize) -> Result<(), MapError> {
    let end = base.checked_add(size).ok_or(MapError::OutOfRange)?;
    if size == 0 || base < ENTRIES * LARGE_PAGE || end > TABLE_ENTRIES * GIB {
        return Err(MapError::OutOfRange);
    }
    let bits = physical_address_bits();
    if end > 1 << bits {
        return Err(MapError::PastPhysicalAddress(bits));
    }
    let pdpt = &raw mut gs_pdpt;
    let spare = &raw mut SPARE;
    for block in (base / LARGE_PAGE)..end.div_ceil(LARGE_PAGE) {
        let (gib, slot) = (block * LARGE_PAGE / GIB, block % TABLE_ENTRIES);
        // SAFETY: the boot map's table in `.bss`; entries from 4 up are
        // this function's, and only the boot CPU runs it.
        let mut entry = unsafe { (*pdpt)[gib] };
        if entry & PTE_P == 0 {
            let next = SPARE_USED.fetch_add(1, Ordering::SeqCst);
            if next >= SPARE_DIRECTORIES {
                return Err(MapError::NoDirectory);
            }
            // SAFETY: spare directory `next` is handed out once, here; the
            // image is identity-mapped, so its address is its physical one.
            entry = unsafe { &raw const (*spare)[next] } as u64 | PTE_P | PTE_RW;
            // SAFETY: as above.
            unsafe { (*pdpt)[gib] = entry };
        }
        let pd = (entry & !0xFFF) as *mut u64;
        // SAFETY: `pd` is a spare directory this function installed, and
        // `slot` is inside it.
        unsafe {
            pd.add(slot)
                .write_volatile((block * LARGE_PAGE) as u64 | PTE_P | PTE_RW | PTE_PS)
        };
    }
    // SAFETY: reloading CR3 with its own value flushes the TLB.
    unsafe {
        core::arch::asm!("mov {t}, cr3", "mov cr3, {t}", t = out(reg) _, options(nostack));
    }
    Ok(())
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
