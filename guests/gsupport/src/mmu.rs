//! The guest's EL1 translation: an identity map with RAM as Normal
//! write-back memory and everything else as Device-nGnRE, never executable,
//! built with the hypervisor's own `arch::aarch64::mmu::build_identity` in
//! its EL1 form.
//!
//! As in the kernel, two maps: a boot map, built with the MMU off, covering
//! only the image and the device tree (2 MiB blocks); then the full map once
//! the device tree has told where RAM is. Both map the boot ranges with
//! 2 MiB blocks, so the switch never maps an address with two block sizes.
//! With the MMU on, unaligned accesses and atomics in RAM work, and every
//! device access is a single aligned load or store either way.

use crate::dt::{MAX_RAM, Platform, Region};
use arch::aarch64::cpu::{invalidate_dcache_range, pa_range};
use arch::aarch64::mmu as amu;
use core::arch::asm;
use core::cell::UnsafeCell;

const MIB2: usize = 1 << 21;
/// SCTLR_EL1 with the MMU and caches off: the RES1 bits, little-endian, no
/// alignment checks, no WXN.
const SCTLR_EL1_BASE: u64 = 0x30d0_0800;

#[repr(C, align(4096))]
struct Table(UnsafeCell<[u64; 512]>);

// SAFETY: the tables are written only by the boot CPU before any other CPU
// runs, then only read (by the MMU walkers).
unsafe impl Sync for Table {}

const BOOT_L2_TABLES: usize = 2;
const FULL_L2_TABLES: usize = 4;
static BOOT_L1: Table = Table(UnsafeCell::new([0; 512]));
static BOOT_L2: [Table; BOOT_L2_TABLES] =
    [const { Table(UnsafeCell::new([0; 512])) }; BOOT_L2_TABLES];
static FULL_L1: Table = Table(UnsafeCell::new([0; 512]));
static FULL_L2: [Table; FULL_L2_TABLES] =
    [const { Table(UnsafeCell::new([0; 512])) }; FULL_L2_TABLES];

/// `r` widened to whole 2 MiB blocks, as `build_identity` takes ranges.
fn blocks(r: Region) -> (usize, usize) {
    (r.start & !(MIB2 - 1), (r.end + MIB2 - 1) & !(MIB2 - 1))
}

/// Builds the boot map and turns the MMU on.
///
/// # Safety
/// Boot CPU only, MMU off, nothing else running; `image` must hold all the
/// code, data and stacks in use, `tree` the device tree.
pub(crate) unsafe fn enable_boot_map(image: Region, tree: Region) {
    let ranges = [blocks(image), blocks(tree)];
    // SAFETY: only this CPU runs and nothing else uses the boot tables.
    let (l1, mut l2) = unsafe {
        (
            &mut *BOOT_L1.0.get(),
            BOOT_L2.each_ref().map(|t| &mut *t.0.get()),
        )
    };
    amu::build_identity(l1, &mut l2, &ranges, &[], true, false);
    // SAFETY: the image was written with the MMU (and so the caches) off:
    // drop any stale lines over it so the cached view matches memory. The
    // map covers everything in use, identity-mapped.
    unsafe {
        invalidate_dcache_range(image.start, image.end - image.start);
        asm!("msr sctlr_el1, {0}", "isb", in(reg) SCTLR_EL1_BASE);
        amu::enable_el1(l1.as_ptr() as u64, amu::tcr_el1(pa_range()));
    }
}

/// Builds the full map (RAM of `platform`, plus the boot ranges) and
/// switches to it.
///
/// # Safety
/// Boot CPU only, after [`enable_boot_map`] with the same ranges, before
/// any other CPU runs.
pub(crate) unsafe fn enable_full_map(platform: &Platform, image: Region, tree: Region) {
    let boot = [blocks(image), blocks(tree)];
    let mut ram = [(0, 0); MAX_RAM + 2];
    let mut n = 0;
    for r in platform.ram().iter().copied().map(blocks).chain(boot) {
        ram[n] = r;
        n += 1;
    }
    // SAFETY: only this CPU runs and nothing else uses the full tables yet.
    let (l1, mut l2) = unsafe {
        (
            &mut *FULL_L1.0.get(),
            FULL_L2.each_ref().map(|t| &mut *t.0.get()),
        )
    };
    amu::build_identity(l1, &mut l2, &ram[..n], &boot, false, false);
    // SAFETY: the full map agrees with the boot map on every address in use.
    unsafe { amu::switch_el1(l1.as_ptr() as u64) };
}

/// TTBR0_EL1, TCR_EL1, MAIR_EL1 and SCTLR_EL1 of this CPU, for a secondary
/// CPU to turn on the same map.
pub(crate) fn registers() -> [u64; 4] {
    let (ttbr, tcr, mair, sctlr): (u64, u64, u64, u64);
    // SAFETY: reading registers has no side effects.
    unsafe {
        asm!(
            "mrs {0}, ttbr0_el1",
            "mrs {1}, tcr_el1",
            "mrs {2}, mair_el1",
            "mrs {3}, sctlr_el1",
            out(reg) ttbr, out(reg) tcr, out(reg) mair, out(reg) sctlr,
            options(nomem, nostack)
        );
    }
    [ttbr, tcr, mair, sctlr]
}
