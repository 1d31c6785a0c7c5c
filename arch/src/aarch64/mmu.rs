//! The kernel's own translation: an identity map of the physical address
//! space in the EL2 stage-1 regime (or EL1, only to print a message when a
//! board starts us at EL1). RAM is Normal write-back memory; everything else
//! Device-nGnRE and never executable.
//!
//! Two maps are built: a boot map, before the device tree is read, covering
//! only the kernel image and the device tree with 2 MiB blocks; and the full
//! map once the RAM ranges are known. Every 1 GiB region that holds RAM is
//! mapped with 2 MiB blocks in both, so switching from one to the other never
//! maps the same address with blocks of two sizes.

/// Entries per table.
const ENTRIES: usize = 512;
const GIB: usize = 1 << 30;
const MIB2: usize = 1 << 21;

/// Descriptor is valid.
pub const DESC_VALID: u64 = 1 << 0;
/// Level 1/2: next-level table (else a block).
pub const DESC_TABLE: u64 = 1 << 1;
/// AttrIndx = 0: MAIR attribute 0, Device-nGnRE.
pub const ATTR_DEVICE: u64 = 0 << 2;
/// AttrIndx = 1: MAIR attribute 1, Normal write-back.
pub const ATTR_NORMAL: u64 = 1 << 2;
/// AP[1]: RES1 in the EL2 regime; EL0 access in the EL1&0 regime.
pub const AP_EL2_RES1: u64 = 1 << 6;
/// SH = inner shareable.
pub const SH_INNER: u64 = 0b11 << 8;
/// Access flag.
pub const AF: u64 = 1 << 10;
/// XN (EL2) / UXN (EL1).
pub const XN: u64 = 1 << 54;
/// PXN (EL1 only).
pub const PXN: u64 = 1 << 53;
/// Output address bits.
pub const OA_MASK: u64 = 0x0000_ffff_ffff_f000;

/// MAIR: attribute 0 Device-nGnRE (0x04), attribute 1 Normal inner/outer
/// write-back non-transient read/write-allocate (0xff).
pub const MAIR_VALUE: u64 = 0xff << 8 | 0x04;

/// TCR_EL2 for a 39-bit identity map with a 4 KiB granule and
/// write-back inner-shareable walks; RES1 bits 23 and 31.
pub fn tcr_el2(pa_range: u64) -> u64 {
    (1 << 31) | (1 << 23) | ((pa_range.min(5) & 7) << 16) | (3 << 12) | (1 << 10) | (1 << 8) | 25
}

/// TCR_EL1 with the same lower range, TTBR1 walks disabled (EPD1).
pub fn tcr_el1(pa_range: u64) -> u64 {
    ((pa_range.min(5) & 7) << 32) | (1 << 23) | (3 << 12) | (1 << 10) | (1 << 8) | 25
}

/// A block descriptor for `pa` (1 GiB at level 1, 2 MiB at level 2).
pub fn block(pa: usize, normal: bool, el2: bool) -> u64 {
    let mut desc = (pa as u64 & OA_MASK) | DESC_VALID | AF;
    if el2 {
        desc |= AP_EL2_RES1;
    }
    if normal {
        desc | ATTR_NORMAL | SH_INNER
    } else {
        desc | ATTR_DEVICE | XN | if el2 { 0 } else { PXN }
    }
}

/// A table descriptor.
pub fn table(pa: usize) -> u64 {
    (pa as u64 & OA_MASK) | DESC_TABLE | DESC_VALID
}

/// Fills an identity map: `l1` is the root; `l2` spare level-2 tables with
/// their physical addresses (identity: the tables' own addresses). Each
/// 1 GiB region holding part of `ram`, or of `fine` (ranges that must be
/// mapped in 2 MiB blocks), gets a level-2 table while tables last; a 2 MiB
/// block is Normal when it lies wholly in RAM. With `only_normal` set, only
/// RAM is mapped (the boot map). Returns the number of level-2 tables used.
pub fn build_identity(
    l1: &mut [u64; ENTRIES],
    l2: &mut [&mut [u64; ENTRIES]],
    ram: &[(usize, usize)],
    fine: &[(usize, usize)],
    only_normal: bool,
    el2: bool,
) -> usize {
    let inside =
        |start: usize, len: usize| ram.iter().any(|&(s, e)| s <= start && start + len <= e);
    let touches = |set: &[(usize, usize)], start: usize, len: usize| {
        set.iter().any(|&(s, e)| s < start + len && start < e)
    };
    let mut used = 0;
    for (i, entry) in l1.iter_mut().enumerate() {
        let base = i * GIB;
        let needs_table =
            touches(ram, base, GIB) && (!inside(base, GIB) || touches(fine, base, GIB));
        if needs_table && used < l2.len() {
            let t = &mut *l2[used];
            used += 1;
            for (j, e) in t.iter_mut().enumerate() {
                let pa = base + j * MIB2;
                let normal = inside(pa, MIB2);
                *e = if normal || !only_normal {
                    block(pa, normal, el2)
                } else {
                    0
                };
            }
            *entry = table(t.as_ptr() as usize);
        } else if inside(base, GIB) || !only_normal {
            *entry = block(base, inside(base, GIB), el2);
        } else {
            *entry = 0;
        }
    }
    used
}

#[cfg(target_arch = "aarch64")]
pub use hw::*;

#[cfg(target_arch = "aarch64")]
mod hw {
    use core::arch::asm;

    /// Turns on the EL2 MMU and caches with `ttbr` as root.
    ///
    /// # Safety
    /// `ttbr` must identity-map the running code, its stack and its data.
    pub unsafe fn enable_el2(ttbr: u64, tcr: u64) {
        // SAFETY: the caller guarantees the identity map covers everything
        // in use, so execution continues at the same addresses.
        unsafe {
            asm!(
                "msr mair_el2, {mair}",
                "msr tcr_el2, {tcr}",
                "msr ttbr0_el2, {ttbr}",
                "isb",
                "tlbi alle2",
                "ic iallu",
                "dsb nsh",
                "isb",
                "mrs {tmp}, sctlr_el2",
                "orr {tmp}, {tmp}, {bits}",
                "msr sctlr_el2, {tmp}",
                "isb",
                mair = in(reg) super::MAIR_VALUE,
                tcr = in(reg) tcr,
                ttbr = in(reg) ttbr,
                bits = in(reg) SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I,
                tmp = out(reg) _,
            );
        }
    }

    /// Switches the running EL2 map to another root that maps everything in
    /// use the same way.
    ///
    /// # Safety
    /// As for [`enable_el2`].
    pub unsafe fn switch_el2(ttbr: u64) {
        // SAFETY: the caller guarantees the new map agrees with the old one
        // on every address in use.
        unsafe {
            asm!("dsb ishst", "msr ttbr0_el2, {0}", "isb", "tlbi alle2", "dsb ish", "isb", in(reg) ttbr)
        }
    }

    /// Switches the running EL1 map to another root that maps everything in
    /// use the same way.
    ///
    /// # Safety
    /// As for [`enable_el2`].
    pub unsafe fn switch_el1(ttbr: u64) {
        // SAFETY: the caller guarantees the new map agrees with the old one
        // on every address in use.
        unsafe {
            asm!("dsb ishst", "msr ttbr0_el1, {0}", "isb", "tlbi vmalle1", "dsb ish", "isb", in(reg) ttbr)
        }
    }

    /// Turns on the EL1 MMU (only used to report that the kernel needs EL2).
    ///
    /// # Safety
    /// As for [`enable_el2`], with a map built for the EL1 regime.
    pub unsafe fn enable_el1(ttbr: u64, tcr: u64) {
        // SAFETY: as for `enable_el2`.
        unsafe {
            asm!(
                "msr mair_el1, {mair}",
                "msr tcr_el1, {tcr}",
                "msr ttbr0_el1, {ttbr}",
                "isb",
                "tlbi vmalle1",
                "ic iallu",
                "dsb nsh",
                "isb",
                "mrs {tmp}, sctlr_el1",
                "orr {tmp}, {tmp}, {bits}",
                "msr sctlr_el1, {tmp}",
                "isb",
                mair = in(reg) super::MAIR_VALUE,
                tcr = in(reg) tcr,
                ttbr = in(reg) ttbr,
                bits = in(reg) SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I,
                tmp = out(reg) _,
            );
        }
    }

    /// SCTLR_ELx.M: MMU on.
    pub const SCTLR_M: u64 = 1 << 0;
    /// SCTLR_ELx.C: data caches on.
    pub const SCTLR_C: u64 = 1 << 2;
    /// SCTLR_ELx.SA: stack alignment check.
    pub const SCTLR_SA: u64 = 1 << 3;
    /// SCTLR_ELx.I: instruction cache on.
    pub const SCTLR_I: u64 = 1 << 12;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_ram_normal_and_the_rest_device() {
        let mut l1 = Box::new([0u64; ENTRIES]);
        let mut a = Box::new([0u64; ENTRIES]);
        let mut b = Box::new([0u64; ENTRIES]);
        // RAM 1 GiB..3 GiB, kernel at 1 GiB + 2 MiB: a fine range.
        let ram = [(GIB, 3 * GIB)];
        let fine = [(GIB + MIB2, GIB + 2 * MIB2)];
        let a_pa = a.as_ptr() as usize;
        let used = build_identity(&mut l1, &mut [&mut a, &mut b], &ram, &fine, false, true);
        assert_eq!(used, 1);
        assert_eq!(l1[0], block(0, false, true));
        assert_eq!(l1[1], table(a_pa));
        assert_eq!(l1[2], block(2 * GIB, true, true));
        assert_eq!(l1[3], block(3 * GIB, false, true));
        assert_eq!(a[1], block(GIB + MIB2, true, true));
        assert_eq!(block(0x4000_0000, true, true), 0x4000_0745);
        assert_eq!(block(0x0800_0000, false, true), 0x0040_0000_0800_0441);
    }

    #[test]
    fn partial_ram_gets_fine_blocks_and_boot_map_only_ram() {
        let mut l1 = Box::new([0u64; ENTRIES]);
        let mut a = Box::new([0u64; ENTRIES]);
        // RAM 0..0xfc00_0000 as on a Raspberry Pi 4 with 4 GiB... first part.
        let ram = [(0, 0xfc00_0000)];
        build_identity(&mut l1, &mut [&mut a], &ram, &[], true, true);
        assert_eq!(l1[0], block(0, true, true));
        assert_eq!(l1[4], 0);
        assert_eq!(a[0x1df], block(0xfbe0_0000, true, true));
        assert_eq!(a[0x1e0], 0);
        assert_eq!(tcr_el2(2), 0x8082_3519);
    }
}
