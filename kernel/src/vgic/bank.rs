//! Register banks the distributor and the redistributors share: the
//! bit-per-interrupt set/clear pairs, priorities, configuration, targets,
//! routes, and the identification registers.

use super::irq::Irq;
use super::regs::*;
use super::{SPI_BASE, VGic};

/// A bit-per-interrupt register array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BitReg {
    /// IGROUPR.
    Group,
    /// ISENABLER.
    SetEnable,
    /// ICENABLER.
    ClearEnable,
    /// ISPENDR.
    SetPending,
    /// ICPENDR.
    ClearPending,
    /// ISACTIVER.
    SetActive,
    /// ICACTIVER.
    ClearActive,
}

const _: () = assert!(
    GICD_ISENABLER == GICD_IGROUPR + BITS_ARRAY_SIZE
        && GICD_ICENABLER == GICD_ISENABLER + BITS_ARRAY_SIZE
        && GICD_ISPENDR == GICD_ICENABLER + BITS_ARRAY_SIZE
        && GICD_ICPENDR == GICD_ISPENDR + BITS_ARRAY_SIZE
        && GICD_ISACTIVER == GICD_ICPENDR + BITS_ARRAY_SIZE
        && GICD_ICACTIVER == GICD_ISACTIVER + BITS_ARRAY_SIZE
        && BITS_ARRAY_SIZE == 0x80
);

impl BitReg {
    /// The array holding `offset` (same layout in GICD and GICR SGI_base),
    /// with the register's index in the array.
    pub fn at(offset: u64) -> Option<(BitReg, u32)> {
        // The seven arrays follow each other, each BITS_ARRAY_SIZE long.
        const ARRAYS: [BitReg; 7] = [
            BitReg::Group,
            BitReg::SetEnable,
            BitReg::ClearEnable,
            BitReg::SetPending,
            BitReg::ClearPending,
            BitReg::SetActive,
            BitReg::ClearActive,
        ];
        let rel = offset.checked_sub(GICD_IGROUPR)?;
        let reg = *ARRAYS.get((rel / BITS_ARRAY_SIZE) as usize)?;
        Some((reg, ((rel % BITS_ARRAY_SIZE) / 4) as u32))
    }

    fn get(self, irq: &Irq) -> bool {
        match self {
            BitReg::Group => irq.group1,
            BitReg::SetEnable | BitReg::ClearEnable => irq.enabled,
            BitReg::SetPending | BitReg::ClearPending => irq.pending_any(),
            BitReg::SetActive | BitReg::ClearActive => irq.active,
        }
    }
}

impl VGic {
    /// Reads the register of `reg` for INTIDs `first..first + 32` as `vcpu`
    /// sees it (its own SGIs and PPIs).
    pub(crate) fn read_bits(&self, vcpu: usize, first: u32, reg: BitReg) -> u32 {
        (0..32)
            .filter(|&i| self.irq(vcpu, first + i).is_some_and(|irq| reg.get(irq)))
            .fold(0, |acc, i| acc | 1 << i)
    }

    /// Writes the register of `reg` for INTIDs `first..first + 32`.
    pub(crate) fn write_bits(&mut self, vcpu: usize, first: u32, reg: BitReg, value: u32) {
        let v2 = self.version == 2;
        for i in 0..32 {
            let intid = first + i;
            let set = value & (1 << i) != 0;
            let target = if intid >= SPI_BASE {
                self.spi_target((intid - SPI_BASE) as usize).unwrap_or(0) as u8
            } else {
                vcpu as u8
            };
            let Some(irq) = self.irq_mut(vcpu, intid) else {
                continue;
            };
            match reg {
                // GICv3: RAO/WI; GICv2: read-write.
                BitReg::Group if v2 => irq.group1 = set,
                BitReg::Group => continue,
                _ if !set => continue,
                BitReg::SetEnable => irq.enabled = true,
                BitReg::ClearEnable => irq.enabled = false,
                // GICv2 SGIs: through SPENDSGIR/CPENDSGIR only.
                BitReg::SetPending | BitReg::ClearPending if v2 && intid < 16 => continue,
                BitReg::SetPending => irq.latch = true,
                BitReg::ClearPending => {
                    irq.latch = false;
                    irq.lr_latch = false;
                    irq.lr_pending = false;
                }
                BitReg::SetActive => {
                    if !irq.active {
                        irq.active = true;
                        irq.active_on = target;
                    }
                }
                BitReg::ClearActive => irq.active = false,
            }
            if matches!(reg, BitReg::ClearPending | BitReg::ClearActive) {
                self.settle_hw(vcpu, intid);
            }
            self.note(vcpu, intid);
        }
    }

    /// IPRIORITYR byte of `intid` (0 if it does not exist).
    pub(crate) fn priority(&self, vcpu: usize, intid: u32) -> u8 {
        self.irq(vcpu, intid).map_or(0, |irq| irq.priority)
    }

    /// Writes the IPRIORITYR byte of `intid`.
    pub(crate) fn set_priority(&mut self, vcpu: usize, intid: u32, value: u8) {
        if let Some(irq) = self.irq_mut(vcpu, intid) {
            irq.priority = value;
            self.note(vcpu, intid);
        }
    }

    /// ICFGR for INTIDs `first..first + 16`: 0b10 per edge-triggered one.
    pub(crate) fn read_cfg(&self, vcpu: usize, first: u32) -> u32 {
        (0..16)
            .filter(|&i| self.irq(vcpu, first + i).is_some_and(|irq| irq.edge))
            .fold(0, |acc, i| acc | 2 << (2 * i))
    }

    /// Writes ICFGR for INTIDs `first..first + 16`; only SPIs change (SGIs
    /// are always edge-triggered, PPIs always level-sensitive).
    pub(crate) fn write_cfg(&mut self, vcpu: usize, first: u32, value: u32) {
        for i in 0..16 {
            let intid = first + i;
            if intid < SPI_BASE {
                continue;
            }
            if let Some(irq) = self.irq_mut(vcpu, intid) {
                irq.edge = value & (2 << (2 * i)) != 0;
                self.note(vcpu, intid);
            }
        }
    }

    /// GICv2 ITARGETSR byte of `intid`: the accessing CPU for SGIs and
    /// PPIs.
    pub(crate) fn targets(&self, vcpu: usize, intid: u32) -> u8 {
        match intid {
            0..SPI_BASE => 1 << vcpu,
            _ => self
                .itargets
                .get((intid - SPI_BASE) as usize)
                .copied()
                .unwrap_or(0),
        }
    }

    /// Writes the GICv2 ITARGETSR byte of SPI `intid`; bits of CPU
    /// interfaces that do not exist stay 0.
    pub(crate) fn set_targets(&mut self, vcpu: usize, intid: u32, value: u8) {
        let mask = self.all_vcpus() as u8;
        if intid < SPI_BASE {
            return;
        }
        if let Some(t) = self.itargets.get_mut((intid - SPI_BASE) as usize) {
            *t = value & mask;
            self.note(vcpu, intid);
        }
    }

    /// GICv3 GICD_IROUTER of `intid` (0 for SGIs, PPIs and absent SPIs).
    pub(crate) fn router(&self, intid: u32) -> u64 {
        match intid {
            0..SPI_BASE => 0,
            _ => self
                .irouter
                .get((intid - SPI_BASE) as usize)
                .copied()
                .unwrap_or(0),
        }
    }

    /// Writes GICD_IROUTER of SPI `intid`.
    pub(crate) fn set_router(&mut self, vcpu: usize, intid: u32, value: u64) {
        if intid < SPI_BASE {
            return;
        }
        if let Some(r) = self.irouter.get_mut((intid - SPI_BASE) as usize) {
            *r = value & GICD_IROUTER_MASK;
            self.note(vcpu, intid);
        }
    }

    /// The identification register at `offset` of a GICv3 frame (GICv2:
    /// add [`ID_V2_DELTA`] first).
    pub(crate) fn id_reg(&self, offset: u64) -> u32 {
        match offset {
            GICD_PIDR0 => IIDR_PRODUCT_ID,
            GICD_PIDR1 => PIDR1_JEP106_ARM,
            GICD_PIDR2 => (self.version << PIDR2_ARCHREV_SHIFT) | PIDR2_JEP106_ARM,
            GICD_PIDR4 => PIDR4_ARM,
            GICD_CIDR0 => CIDR[0],
            GICD_CIDR1 => CIDR[1],
            GICD_CIDR2 => CIDR[2],
            GICD_CIDR3 => CIDR[3],
            _ => 0,
        }
    }
}

/// Whether an access of `size` bytes at `offset` is naturally aligned and
/// of a size the GIC knows (1, 2, 4 or 8 bytes).
pub(crate) fn aligned(offset: u64, size: usize) -> bool {
    matches!(size, 1 | 2 | 4 | 8) && offset.is_multiple_of(size as u64)
}

/// Reads `size` bytes at byte `index` of a byte-per-interrupt array.
pub(crate) fn read_bytes(index: u64, size: usize, mut byte: impl FnMut(u64) -> u8) -> u64 {
    (0..size as u64).fold(0, |acc, i| acc | u64::from(byte(index + i)) << (8 * i))
}

/// Writes `size` bytes of `value` at byte `index` of a byte array.
pub(crate) fn write_bytes(index: u64, size: usize, value: u64, mut byte: impl FnMut(u64, u8)) {
    for i in 0..size as u64 {
        byte(index + i, (value >> (8 * i)) as u8);
    }
}
