//! Stage-2 translation: descriptor encoding (ARM ARM D8.3, "VMSAv8-64
//! translation table format descriptors", stage 2 attributes) and the
//! VTCR_EL2 value for 39-bit intermediate physical address spaces.

use crate::Perms;
use crate::paging::DescriptorFormat;

bitflags::bitflags! {
    /// The attribute and type bits of a stage-2 descriptor (ARM ARM D8.3);
    /// the output address is the rest ([`OA_MASK`]).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct S2Desc: u64 {
        /// Descriptor is valid.
        const VALID = 1 << 0;
        /// Level 1/2: points to a table; level 3: a page.
        const TABLE_OR_PAGE = 1 << 1;
        /// MemAttr[5:2] = 0b1111: Normal, outer and inner write-back
        /// cacheable.
        const MEMATTR_NORMAL_WB = 0b1111 << 2;
        /// MemAttr[5:2] = 0b0001: Device-nGnRE.
        const MEMATTR_DEVICE_NGNRE = 0b0001 << 2;
        /// S2AP[6]: readable.
        const S2AP_READ = 1 << 6;
        /// S2AP[7]: writable.
        const S2AP_WRITE = 1 << 7;
        /// SH[9:8] = 0b11: inner shareable.
        const SH_INNER = 0b11 << 8;
        /// Access flag.
        const AF = 1 << 10;
        /// XN[54]: not executable at any level.
        const XN = 1 << 54;
        /// Software-defined bit 55 (ignored by the MMU): a borrowed frame.
        const SW_BORROWED = 1 << 55;
    }
}

/// Output address bits [47:12].
pub const OA_MASK: u64 = 0x0000_ffff_ffff_f000;

/// VTCR_EL2.T0SZ for a 39-bit IPA space.
pub const VTCR_T0SZ_39: u64 = 25;
/// VTCR_EL2.SL0 = 1: the walk starts at level 1 (4 KiB granule).
pub const VTCR_SL0_LEVEL1: u64 = 1 << 6;
/// VTCR_EL2.IRGN0 = 1: inner write-back write-allocate walks.
pub const VTCR_IRGN0_WBWA: u64 = 1 << 8;
/// VTCR_EL2.ORGN0 = 1: outer write-back write-allocate walks.
pub const VTCR_ORGN0_WBWA: u64 = 1 << 10;
/// VTCR_EL2.SH0 = 3: inner shareable walks.
pub const VTCR_SH0_INNER: u64 = 3 << 12;
/// VTCR_EL2.PS shift (physical address size, the PARange encoding).
pub const VTCR_PS_SHIFT: u64 = 16;
/// VTCR_EL2 bit 31 is RES1.
pub const VTCR_RES1: u64 = 1 << 31;

// With a 4 KiB granule, SL0 = 2 - starting level and the walk goes down to
// level 3; T0SZ is checked against the levels by the walker.
const _: () = assert!(VTCR_SL0_LEVEL1 >> 6 == Stage2::LEVELS as u64 - 2);

/// VTCR_EL2 for 39-bit stage-2 spaces with a 4 KiB granule, given
/// ID_AA64MMFR0_EL1.PARange.
pub fn vtcr(pa_range: u64) -> u64 {
    VTCR_RES1
        | VTCR_T0SZ_39
        | VTCR_SL0_LEVEL1
        | VTCR_IRGN0_WBWA
        | VTCR_ORGN0_WBWA
        | VTCR_SH0_INNER
        | ((pa_range.min(5) & 7) << VTCR_PS_SHIFT)
}

/// VTTBR_EL2 from a root table and a VMID (8-bit VMIDs).
pub fn vttbr(root: usize, vmid: u16) -> u64 {
    ((vmid as u64 & 0xff) << 48) | (root as u64 & OA_MASK)
}

/// The stage-2 descriptor format.
pub struct Stage2;

impl DescriptorFormat for Stage2 {
    /// The walk starts at level 1 ([`VTCR_SL0_LEVEL1`]) and ends at level 3.
    const LEVELS: usize = 3;
    /// The IPA space VTCR_EL2 sets: 64 - T0SZ bits.
    const ADDRESS_BITS: u32 = 64 - VTCR_T0SZ_39 as u32;
    const BORROWED: u64 = S2Desc::SW_BORROWED.bits();

    fn table(pa: usize) -> u64 {
        (pa as u64 & OA_MASK) | (S2Desc::TABLE_OR_PAGE | S2Desc::VALID).bits()
    }

    fn page(pa: usize, perms: Perms, device: bool) -> u64 {
        let mut attrs = S2Desc::TABLE_OR_PAGE | S2Desc::VALID | S2Desc::AF;
        attrs |= if device {
            S2Desc::MEMATTR_DEVICE_NGNRE
        } else {
            S2Desc::MEMATTR_NORMAL_WB | S2Desc::SH_INNER
        };
        attrs.set(S2Desc::S2AP_READ, perms.read);
        attrs.set(S2Desc::S2AP_WRITE, perms.write);
        attrs.set(S2Desc::XN, !perms.exec || device);
        (pa as u64 & OA_MASK) | attrs.bits()
    }

    /// A level-2 block descriptor (bits [1:0] = 0b01, output address bits
    /// [47:21]; ARM ARM D8.3.1): a page descriptor's attributes.
    fn block(pa: usize, perms: Perms, device: bool) -> u64 {
        Self::page(pa & !(crate::paging::BLOCK_SIZE - 1), perms, device)
            & !S2Desc::TABLE_OR_PAGE.bits()
    }

    fn is_valid(desc: u64) -> bool {
        S2Desc::from_bits_retain(desc).contains(S2Desc::VALID)
    }

    fn is_table(desc: u64) -> bool {
        S2Desc::from_bits_retain(desc).contains(S2Desc::TABLE_OR_PAGE)
    }

    fn output_address(desc: u64) -> usize {
        (desc & OA_MASK) as usize
    }

    fn perms(desc: u64) -> Perms {
        let attrs = S2Desc::from_bits_retain(desc);
        Perms {
            read: attrs.contains(S2Desc::S2AP_READ),
            write: attrs.contains(S2Desc::S2AP_WRITE),
            exec: !attrs.contains(S2Desc::XN),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_encoding_matches_the_arm_arm() {
        // Normal WB, RW, inner shareable, AF, XN.
        assert_eq!(
            Stage2::page(0x8000_1000, Perms::RW, false),
            0x0040_0000_8000_17ff
        );
        // Normal WB, read-only, executable.
        assert_eq!(
            Stage2::page(0x8000_2000, Perms::RX, false),
            0x0000_0000_8000_277f
        );
        // Device nGnRE RW is never executable.
        assert_eq!(
            Stage2::page(
                0x0900_0000,
                Perms {
                    read: true,
                    write: true,
                    exec: true
                },
                true
            ),
            0x0040_0000_0900_04c7
        );
        assert_eq!(Stage2::perms(Stage2::page(0, Perms::RX, false)), Perms::RX);
        assert_eq!(Stage2::table(0x4000_3000), 0x4000_3003);
        // A 2 MiB block: as the page, bit 1 clear.
        let block = Stage2::block(0x8020_0000, Perms::RW, false);
        assert_eq!(block, 0x0040_0000_8020_07fd);
        assert!(Stage2::is_valid(block) && !Stage2::is_table(block));
        assert_eq!(Stage2::output_address(block), 0x8020_0000);
        assert_eq!(Stage2::perms(block), Perms::RW);
    }

    #[test]
    fn vtcr_and_vttbr() {
        // The value checked on QEMU with T0SZ=25 would be 0x80023559 with PS=2.
        assert_eq!(vtcr(2), 0x8002_3559);
        assert_eq!(vtcr(9), 0x8005_3559);
        assert_eq!(vttbr(0x4123_4000, 7), 0x0007_0000_4123_4000);
    }
}
