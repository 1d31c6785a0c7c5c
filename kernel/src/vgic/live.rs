//! Which interrupts may need a list register, and which register accesses
//! need the list registers synced first.
//!
//! The live set is a superset of the interrupts that are pending or active:
//! every mutable access to an interrupt's state ([`VGic::irq_mut`] and the
//! SGI paths) adds it, and [`VGic::fill_lrs`] drops those it finds idle.
//! `fill_lrs` and [`VGic::has_pending`] look only at the live set, so their
//! cost follows what is pending, not how many SPIs the VM has.

use super::regs::*;
use super::{SPI_BASE, VGic};

/// Calls `f` with each set bit of `word`, as `base + bit`.
fn each_bit(mut word: u64, base: u32, mut f: impl FnMut(u32)) {
    while word != 0 {
        let bit = word.trailing_zeros();
        word &= word - 1;
        f(base + bit);
    }
}

// The pending and active arrays are one range.
const _: () = assert!(
    GICD_ICPENDR == GICD_ISPENDR + BITS_ARRAY_SIZE
        && GICD_ISACTIVER == GICD_ICPENDR + BITS_ARRAY_SIZE
        && GICD_ICACTIVER == GICD_ISACTIVER + BITS_ARRAY_SIZE
        && GICR_ISPENDR0 == GICD_ISPENDR
        && GICR_ISACTIVER0 == GICD_ISACTIVER
);

impl VGic {
    /// Adds `intid` (of `vcpu`, for SGIs and PPIs) to the live set.
    pub(super) fn mark_live(&mut self, vcpu: usize, intid: u32) {
        if intid < SPI_BASE {
            if let Some(cpu) = self.cpus.get_mut(vcpu) {
                cpu.live |= 1 << intid;
            }
        } else if let Some(word) = self.live_spis.get_mut(((intid - SPI_BASE) / 64) as usize) {
            *word |= 1 << ((intid - SPI_BASE) % 64);
        }
    }

    /// Drops `intid` from the live set if it is idle: neither pending nor
    /// active nor listed, or not an interrupt the VM has.
    pub(super) fn drop_if_idle(&mut self, vcpu: usize, intid: u32) {
        let idle = self
            .irq(vcpu, intid)
            .is_none_or(|i| !i.pending() && !i.active && i.listed.is_none());
        if !idle {
            return;
        }
        if intid < SPI_BASE {
            if let Some(cpu) = self.cpus.get_mut(vcpu) {
                cpu.live &= !(1 << intid);
            }
        } else if let Some(word) = self.live_spis.get_mut(((intid - SPI_BASE) / 64) as usize) {
            *word &= !(1 << ((intid - SPI_BASE) % 64));
        }
    }

    /// Calls `f` with every live INTID `vcpu` sees: its SGIs and PPIs, then
    /// the SPIs, in increasing order.
    pub(super) fn each_live(&self, vcpu: usize, mut f: impl FnMut(u32)) {
        if let Some(cpu) = self.cpus.get(vcpu) {
            each_bit(cpu.live.into(), 0, &mut f);
        }
        for (i, &word) in self.live_spis.iter().enumerate() {
            each_bit(word, SPI_BASE + 64 * i as u32, &mut f);
        }
    }

    /// Whether accessing distributor offset `offset` (`write`: a store)
    /// needs the accessing vCPU's list registers synced into the model
    /// first: reads of pending or active state (the guest may have
    /// acknowledged or completed a listed interrupt since), and every write
    /// that changes interrupt state or configuration (the model must hold
    /// all state to change it). Reads of configuration and identification
    /// registers and GICv2 GICD_SGIR writes (they only add pending SGIs,
    /// which the model merges with listed ones) need nothing.
    pub fn gicd_needs_sync(&self, offset: u64, write: bool) -> bool {
        let v2 = self.version == 2;
        if v2 && offset == GICD_SGIR {
            return false;
        }
        if write {
            return true;
        }
        let sgi_pending = GICD_CPENDSGIR..GICD_SPENDSGIR + SGIR_ARRAY_SIZE;
        (v2 && sgi_pending.contains(&offset)) || Self::reads_state(offset)
    }

    /// Like [`VGic::gicd_needs_sync`] for an offset in the redistributor
    /// region (GICv3): the SGI_base frames' pending and active registers
    /// on reads, every write.
    pub fn gicr_needs_sync(&self, offset: u64, write: bool) -> bool {
        let off = offset % GICR_STRIDE;
        write || (off >= GICR_SGI_BASE && Self::reads_state(off - GICR_SGI_BASE))
    }

    /// Whether `offset` is in a pending or active bit array: ISPENDR,
    /// ICPENDR, ISACTIVER and ICACTIVER follow each other (one range, the
    /// same in GICD and the GICR SGI_base frame).
    fn reads_state(offset: u64) -> bool {
        (GICD_ISPENDR..GICD_ICACTIVER + BITS_ARRAY_SIZE).contains(&offset)
    }
}
