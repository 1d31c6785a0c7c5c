//! Listing one interrupt without a sync and refill of every list register:
//! an interrupt made pending for a vCPU whose list registers are current
//! goes into a free register and the kernel writes that one register.
//!
//! It is what the refill would do. After a fill that had room, every
//! candidate was listed; each interrupt made pending since is appended here
//! or marks the vCPU for the full refill. A register after the ones the
//! model last wrote is still empty (a guest cannot fill a list register),
//! and a register the guest has emptied (GICv3 ICH_ELRSR_EL2, GICv2
//! GICH_ELRSR0: state invalid and no maintenance interrupt due) can be
//! taken once its old interrupt is folded back, as a sync of that one
//! register would. Whenever anything is unusual the caller does the full
//! refill, which is always right.

use super::lr::Lr;
use super::{MAX_LRS, VGic};

impl VGic {
    /// Lists `intid`, just made pending for `vcpu`, in the list register
    /// after the last one [`VGic::fill_lrs`] (or this) wrote: the kernel
    /// writes the value returned into that slot of the loaded vCPU's
    /// registers. `None` (do the full refill instead) when every register
    /// is used, or `intid` is not to be listed (not pending and forwarded,
    /// listed already, another vCPU's SPI), or no heap is left for the
    /// record of what was written. A GICv2 SGI is listed as a refill lists
    /// it: one source (the lowest waiting), with the EOI maintenance
    /// interrupt asked for while more sources wait.
    pub fn append_lr(&mut self, vcpu: usize, intid: u32, lr_count: usize) -> Option<(usize, u64)> {
        let slot = self.cpus.get(vcpu)?.written.len();
        if slot >= lr_count.min(MAX_LRS) {
            return None;
        }
        self.candidate(vcpu, intid)?;
        self.cpus[vcpu].written.try_reserve(1).ok()?;
        let lr = self.list(vcpu, intid);
        let value = self.encode_lr(&lr);
        self.cpus[vcpu].written.push(value);
        Some((slot, value))
    }

    /// [`VGic::append_lr`], and into a register the guest has emptied: the
    /// one that held `intid` itself if there is one (the model counts it
    /// listed until then), else a free one, else any emptied one. Bit n of
    /// `empty` set says list register n holds nothing (as ICH_ELRSR_EL2 /
    /// GICH_ELRSR0 read just now). Only a
    /// register that held an edge-triggered interrupt that is not passed
    /// through is taken: a level-sensitive one's end raises the EOI
    /// maintenance interrupt, whose sync samples its line, and a passed-through
    /// one's settles the physical interrupt. If `intid` turns out not to be
    /// listable once the emptied register is folded back, that register stays
    /// empty and `None` asks for the full refill.
    pub fn append_lr_reusing(
        &mut self,
        vcpu: usize,
        intid: u32,
        lr_count: usize,
        empty: u64,
    ) -> Option<(usize, u64)> {
        let cap = lr_count.min(MAX_LRS);
        let written = self.cpus.get(vcpu)?.written.len();
        // An emptied register that held `intid` itself first: the model
        // counts it listed there until that register is folded back.
        let slot = match self.emptied_slot(vcpu, cap, empty, Some(intid)) {
            Some(slot) => self.take_emptied(vcpu, slot),
            None if written < cap => {
                self.cpus[vcpu].written.try_reserve(1).ok()?;
                written
            }
            None => {
                let slot = self.emptied_slot(vcpu, cap, empty, None)?;
                self.take_emptied(vcpu, slot)
            }
        };
        self.candidate(vcpu, intid)?;
        let lr = self.list(vcpu, intid);
        let value = self.encode_lr(&lr);
        let written = &mut self.cpus[vcpu].written;
        match written.get_mut(slot) {
            Some(w) => *w = value,
            None => written.push(value),
        }
        Some((slot, value))
    }

    /// The first register of `vcpu`'s `cap` that `empty` says the guest has
    /// emptied and that held an edge-triggered interrupt not passed
    /// through (`only` that interrupt if given), or held nothing (one
    /// folded back earlier; not when `only` is given).
    fn emptied_slot(
        &self,
        vcpu: usize,
        cap: usize,
        empty: u64,
        only: Option<u32>,
    ) -> Option<usize> {
        let written = &self.cpus.get(vcpu)?.written;
        (0..cap.min(written.len())).find(|&i| {
            if empty & (1 << i) == 0 {
                return false;
            }
            let lr = self.decode_lr(written[i]);
            let wanted = only.is_none_or(|intid| !lr.is_invalid() && lr.intid == intid);
            wanted && !lr.eoi && lr.hw == 0
        })
    }

    /// Folds the interrupt the guest has finished with in `vcpu`'s
    /// emptied register `slot` back into the model, as a sync of that one
    /// register would, and returns the slot.
    fn take_emptied(&mut self, vcpu: usize, slot: usize) -> usize {
        let old = self.decode_lr(self.cpus[vcpu].written[slot]);
        if !old.is_invalid() {
            let done = Lr {
                pending: false,
                active: false,
                ..old
            };
            self.fold(vcpu, old.intid, &done);
            // Nothing listed there now: a later sync skips it.
            self.cpus[vcpu].written[slot] = 0;
        }
        slot
    }
}
