//! Filling a vCPU's list registers before it runs and syncing them back
//! after it ran.

use super::lr::Lr;
use super::{MAX_LRS, SPI_BASE, VGic};

/// Sort key of a fill candidate: active ones first (they must stay listed
/// for the guest to deactivate them), then by priority, then by INTID
/// (which the low 16 bits carry).
const fn key(active: bool, priority: u8, intid: u32) -> u64 {
    ((!active as u64) << 48) | ((priority as u64) << 16) | intid as u64
}

/// The best (lowest) sort keys offered, up to `cap`, in increasing order.
/// A `Vec` on the stack, not an array: the array was zeroed with a
/// `memset` call on every refill.
struct Best {
    keys: heapless::Vec<u64, MAX_LRS>,
    cap: usize,
    /// A key did not fit.
    overflow: bool,
}

impl Best {
    fn new(cap: usize) -> Best {
        Best {
            keys: heapless::Vec::new(),
            cap: cap.min(MAX_LRS),
            overflow: false,
        }
    }

    fn offer(&mut self, key: Option<u64>) {
        let Some(key) = key else { return };
        let at = self.keys.partition_point(|&k| k < key);
        if at >= self.cap {
            self.overflow = true;
            return;
        }
        if self.keys.len() == self.cap {
            self.overflow = true;
            self.keys.pop();
        }
        // Cannot fail: below `cap`, at most MAX_LRS, now.
        let _ = self.keys.insert(at, key);
    }
}

impl VGic {
    /// After `vcpu` ran: takes back its list registers as read from the
    /// hardware (`lrs.len()` = number of LRs). An LR the guest EOIed
    /// (state invalid) completes its interrupt: no longer active, and a
    /// level-sensitive one stays pending only while its line is high.
    /// Other LRs fold their pending and active state into the model.
    ///
    /// Afterwards the model holds all state and `lrs` is all zeros: write
    /// it back (or pass it to [`VGic::fill_lrs`]). Syncing again without a
    /// fill in between changes nothing. An LR that no longer names the
    /// interrupt the model put there counts as unchanged.
    pub fn sync_lrs(&mut self, vcpu: usize, lrs: &mut [u64]) {
        let Some(cpu) = self.cpus.get_mut(vcpu) else {
            lrs.fill(0);
            return;
        };
        let mut written = core::mem::take(&mut cpu.written);
        for (i, &w) in written.iter().enumerate() {
            let mine = self.decode_lr(w);
            if mine.is_invalid() {
                continue;
            }
            let now = lrs
                .get(i)
                .map(|&x| self.decode_lr(x))
                .filter(|lr| lr.intid == mine.intid)
                .unwrap_or(mine);
            self.fold(vcpu, mine.intid, &now);
        }
        written.clear();
        self.cpus[vcpu].written = written;
        lrs.fill(0);
    }

    /// Folds the state of a list register of `vcpu` back into the model.
    pub(super) fn fold(&mut self, vcpu: usize, intid: u32, lr: &Lr) {
        let v2_sgi = self.version == 2 && intid < 16;
        let Some(irq) = self.irq_mut(vcpu, intid) else {
            return;
        };
        if irq.listed != Some(vcpu as u8) {
            return;
        }
        irq.listed = None;
        irq.lr_pending = false;
        irq.active = lr.active;
        if intid >= SPI_BASE && lr.active {
            irq.active_on = vcpu as u8;
        }
        // Not acknowledged yet: the latched pending state comes back. (An
        // acknowledgement consumed it; events since then latched anew.)
        if lr.pending && irq.lr_latch {
            if v2_sgi {
                irq.sources |= 1 << irq.src;
            } else {
                irq.latch = true;
            }
        }
        irq.lr_latch = false;
        if irq.hw != 0 {
            if lr.is_invalid() {
                // The guest's deactivation deactivated the physical one.
                irq.hw_active = false;
            }
            self.settle_hw(vcpu, intid);
        }
    }

    /// Before entering `vcpu`: syncs `lrs` (the values read from the
    /// hardware, see [`VGic::sync_lrs`]), then writes into `lrs` the
    /// interrupts `vcpu` should hold: first those active on it, then the
    /// pending ones forwarded to it (enabled, group enabled in GICD_CTLR,
    /// GICv3 redistributor awake) by priority. Level-sensitive interrupts
    /// (and GICv2 SGIs with more sources waiting) get the EOI bit, for a
    /// maintenance interrupt on deactivation. Returns whether some
    /// interrupt did not fit (enable the underflow maintenance interrupt,
    /// ICH_HCR_EL2.UIE / GICH_HCR.UIE).
    pub fn fill_lrs(&mut self, vcpu: usize, lrs: &mut [u64]) -> bool {
        self.sync_lrs(vcpu, lrs);
        if vcpu >= self.cpus.len() {
            return false;
        }
        let mut best = Best::new(lrs.len().min(MAX_LRS));
        // Only the live interrupts can be candidates; idle ones leave the
        // live set on the way.
        let mut private = self.cpus[vcpu].live;
        while private != 0 {
            let intid = private.trailing_zeros();
            private &= private - 1;
            self.drop_if_idle(vcpu, intid);
            best.offer(self.candidate(vcpu, intid));
        }
        for w in 0..self.live_spis.len() {
            let mut word = self.live_spis[w];
            while word != 0 {
                let intid = SPI_BASE + 64 * w as u32 + word.trailing_zeros();
                word &= word - 1;
                self.drop_if_idle(vcpu, intid);
                best.offer(self.candidate(vcpu, intid));
            }
        }
        let mut written = core::mem::take(&mut self.cpus[vcpu].written);
        for (slot, &key) in best.keys.iter().enumerate() {
            let lr = self.list(vcpu, (key & 0xFFFF) as u32);
            lrs[slot] = self.encode_lr(&lr);
            written.push(lrs[slot]);
        }
        self.cpus[vcpu].written = written;
        best.overflow
    }

    /// The sort key of `intid` if `vcpu` should list it.
    pub(super) fn candidate(&self, vcpu: usize, intid: u32) -> Option<u64> {
        let irq = self.irq(vcpu, intid)?;
        if irq.listed.is_some() || !(irq.active || irq.pending()) {
            return None;
        }
        if intid >= SPI_BASE {
            let home = match irq.active {
                true => Some(irq.active_on.into()),
                false => self.spi_target((intid - SPI_BASE) as usize),
            };
            if home != Some(vcpu) {
                return None;
            }
        }
        (irq.active || self.forwards(vcpu, irq)).then(|| key(irq.active, irq.priority, intid))
    }

    /// Lists `intid` on `vcpu`: moves its edge pending state into the LR
    /// it returns. A level-sensitive interrupt's line makes it pending
    /// only while it is not active. Inlined into its two callers: as a
    /// call it returned its `Lr` through memory, some 40 instructions
    /// more per listed interrupt on every refill (`cargo xtask bench`).
    #[inline(always)]
    pub(super) fn list(&mut self, vcpu: usize, intid: u32) -> Lr {
        let v2_sgi = self.version == 2 && intid < 16;
        let fwd = self
            .irq(vcpu, intid)
            .is_some_and(|irq| self.forwards(vcpu, irq));
        let Some(irq) = self.irq_mut(vcpu, intid) else {
            return Lr::default();
        };
        let mut lr = Lr {
            intid,
            priority: irq.priority,
            group1: irq.group1,
            pending: false,
            active: irq.active,
            // A passed-through interrupt's deactivation reaches the
            // physical one instead (no maintenance interrupt with HW = 1).
            eoi: !irq.edge && irq.hw == 0,
            source: 0,
            hw: irq.hw,
        };
        if v2_sgi {
            // One instance per LR: the active one's source, else the
            // lowest pending source.
            if !irq.active && irq.sources != 0 {
                irq.src = irq.sources.trailing_zeros() as u8;
            }
            if fwd && irq.sources & (1 << irq.src) != 0 {
                irq.sources &= !(1 << irq.src);
                lr.pending = true;
                irq.lr_latch = true;
            }
            lr.source = irq.src;
            lr.eoi = irq.sources != 0;
        } else if fwd
            && !(irq.hw != 0 && irq.active)
            && (irq.latch || (!irq.active && irq.pending()))
        {
            // An active level-sensitive interrupt is listed active only,
            // however its line stands: the list register cannot follow
            // the line, and a pending state put there now would be taken
            // after the guest's deactivation even if the line fell in
            // between (the guest's handler quietens its source before it
            // deactivates). The deactivation raises the EOI maintenance
            // interrupt instead, and the next fill sees the line then.
            // A passed-through interrupt is never listed pending and
            // active (IHI 0069 4.9: its pending state belongs to the
            // physical interrupt, which cannot arrive again while active).
            lr.pending = true;
            irq.lr_latch = irq.latch;
            irq.latch = false;
        }
        irq.listed = Some(vcpu as u8);
        irq.lr_pending = lr.pending;
        lr
    }
}
