//! Interrupt sources: device lines, injections by the kernel (the
//! virtual timer), and SGIs from ICC_SGI1R_EL1 (GICv3) or GICD_SGIR
//! (GICv2); and the WFI query.

use super::regs::*;
use super::{PPI_BASE, SPI_BASE, VGic, VcpuSet};

impl VGic {
    /// Sets the device line of SPI `intid` (>= 32). A rising edge of an
    /// edge-triggered SPI latches it pending; a level-sensitive SPI is
    /// pending while the line is high. Returns the vCPU to kick when the
    /// interrupt became deliverable.
    pub fn set_line(&mut self, intid: u32, level: bool) -> Option<usize> {
        if intid < SPI_BASE {
            return None;
        }
        self.drive(0, intid, Some(level))
    }

    /// Makes private interrupt `intid` (16..32) pending on `vcpu` (e.g. the
    /// virtual timer, [`VTIMER_PPI`](super::VTIMER_PPI)), whatever its configuration; the
    /// guest's acknowledgement consumes it. Returns whether it became
    /// deliverable.
    pub fn raise_private(&mut self, vcpu: usize, intid: u32) -> bool {
        (PPI_BASE..SPI_BASE).contains(&intid) && self.drive(vcpu, intid, None).is_some()
    }

    /// Sets the line of private interrupt `intid` (16..32) on `vcpu`, like
    /// [`VGic::set_line`]: PPIs are level-sensitive, so the interrupt is
    /// pending while the line is high (the virtual timer's output), and
    /// setting a high line high again changes nothing. Returns whether it
    /// became deliverable.
    pub fn set_private_line(&mut self, vcpu: usize, intid: u32, level: bool) -> bool {
        (PPI_BASE..SPI_BASE).contains(&intid) && self.drive(vcpu, intid, Some(level)).is_some()
    }

    /// The line of private interrupt `intid` (16..32) on `vcpu`.
    #[inline]
    pub fn private_line(&self, vcpu: usize, intid: u32) -> bool {
        (PPI_BASE..SPI_BASE).contains(&intid)
            && self
                .cpus
                .get(vcpu)
                .is_some_and(|c| c.private[intid as usize].line)
    }

    /// Samples the line of private interrupt `intid` (16..32) on `vcpu`
    /// again, for a source whose fall nobody reports (the virtual timer:
    /// the guest stops it without trapping): `level` is asked only while
    /// the line is high, and a low answer lowers it. Returns the line's
    /// level afterwards.
    #[inline]
    pub fn resample_private_line(
        &mut self,
        vcpu: usize,
        intid: u32,
        level: impl FnOnce() -> bool,
    ) -> bool {
        if !self.private_line(vcpu, intid) {
            return false;
        }
        if level() {
            return true;
        }
        // A falling line makes nothing deliverable: no kick, and the live
        // set may keep it (a superset).
        if let Some(c) = self.cpus.get_mut(vcpu) {
            c.private[intid as usize].line = false;
        }
        false
    }

    /// Drives a line (`Some(level)`) or latches (`None`); returns the
    /// interrupt's vCPU if it became deliverable.
    pub(super) fn drive(&mut self, vcpu: usize, intid: u32, level: Option<bool>) -> Option<usize> {
        let irq = self.irq_mut(vcpu, intid)?;
        let before = irq.pending();
        match level {
            Some(level) => {
                if irq.edge && level && !irq.line {
                    irq.latch = true;
                }
                irq.line = level;
            }
            None => irq.latch = true,
        }
        let became = !before && irq.pending();
        let home = self.home(vcpu, intid)?;
        let irq = self.irq(vcpu, intid)?;
        (became && self.forwards(home, irq)).then_some(home)
    }

    /// The guest on vCPU `from` wrote `value` to ICC_SGI1R_EL1 (GICv3):
    /// makes the SGI pending on its targets (TargetList with RS and
    /// Aff3.Aff2.Aff1 = 0, or all others with IRM). Returns the targets on
    /// which it is deliverable, to kick.
    pub fn write_sgi1r(&mut self, from: usize, value: u64) -> VcpuSet {
        let mut kick = VcpuSet::EMPTY;
        if self.version != 3 || from >= self.cpus.len() {
            return kick;
        }
        let intid = ((value >> ICC_SGI1R_INTID_SHIFT) & 0xF) as u32;
        let targets = if value & ICC_SGI1R_IRM != 0 {
            self.all_vcpus() & !(1 << from)
        } else {
            let aff = (0xFF << ICC_SGI1R_AFF1_SHIFT)
                | (0xFF << ICC_SGI1R_AFF2_SHIFT)
                | (0xFF << ICC_SGI1R_AFF3_SHIFT);
            let rs = ((value >> ICC_SGI1R_RS_SHIFT) & 0xF) * 16;
            if value & aff != 0 || rs >= 64 {
                0
            } else {
                ((value & ICC_SGI1R_TARGETLIST_MASK) << rs) & self.all_vcpus()
            }
        };
        for t in VcpuSet(targets).iter() {
            self.mark_live(t, intid);
            self.cpus[t].private[intid as usize].latch = true;
            if self.deliverable(t, intid) {
                kick.insert(t);
            }
        }
        kick
    }

    /// GICv2 GICD_SGIR written by `from`.
    pub(super) fn write_sgir(&mut self, from: usize, value: u32) {
        let intid = value & GICD_SGIR_SGIINTID_MASK;
        let list = u64::from((value >> GICD_SGIR_CPUTARGETLIST_SHIFT) & 0xFF);
        let targets = match (value >> GICD_SGIR_TARGETLISTFILTER_SHIFT) & 3 {
            SGIR_FILTER_LIST => list,
            SGIR_FILTER_OTHERS => !(1 << from),
            SGIR_FILTER_SELF => 1 << from,
            _ => 0,
        } & self.all_vcpus();
        for t in VcpuSet(targets).iter() {
            self.mark_live(t, intid);
            self.cpus[t].private[intid as usize].sources |= 1 << from;
            self.note(t, intid);
        }
    }

    /// Whether `vcpu` has a pending, enabled interrupt it would be
    /// signalled (listed or not); for WFI. Call it after `sync_lrs`.
    pub fn has_pending(&self, vcpu: usize) -> bool {
        let mut any = false;
        if vcpu < self.cpus.len() {
            self.each_live(vcpu, |i| any = any || self.deliverable(vcpu, i));
        }
        any
    }
}
