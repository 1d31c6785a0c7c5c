//! The virtual GIC of one VM: distributor and redistributor emulation and
//! list-register management, as pure logic.
//!
//! The kernel binary traps the guest's accesses to the GICD frame (and, for
//! GICv3, the redistributor region) and forwards them to [`VGic::gicd_read`]
//! and friends; it reads the real list registers (`ICH_LR<n>_EL2` or
//! `GICH_LR<n>`) on exit and hands them to [`VGic::sync_lrs`], and before
//! entering a vCPU lets [`VGic::fill_lrs`] choose what to write back.
//!
//! Model:
//! - SGIs 0-15 and PPIs 16-31 are per vCPU; SPIs 32.. are shared and routed
//!   by GICD_IROUTER (GICv3, Aff0 = vCPU index) or GICD_ITARGETSR (GICv2).
//! - One Security state (GICD_CTLR.DS = 1). GICv3: every interrupt is
//!   Group 1 (IGROUPR reads all ones), affinity routing always on. GICv2:
//!   IGROUPR is writable and resets to Group 0, because a GICv2 guest sees
//!   the virtual CPU interface's Secure-style GICV_CTLR (EnableGrp0 in bit
//!   0) and Linux only sets that bit.
//! - Edge pending state lives in a latch; level-sensitive interrupts are
//!   pending while their line is high or their latch is set (ISPENDR).
//!   PPIs are level-sensitive: the virtual timer is a line the kernel
//!   drives with the timer's output ([`VGic::set_private_line`],
//!   [`VGic::resample_private_line`]). A list register cannot follow a
//!   line, so an active level-sensitive interrupt is listed active only
//!   (with the EOI maintenance bit): its line counts again once the guest
//!   deactivated it.
//! - While an interrupt sits in a list register, that register owns its
//!   latched pending state; [`VGic::sync_lrs`] folds it back. GICv3 list
//!   registers are `ICH_LR<n>_EL2` values; GICv2 ones are `GICH_LR<n>`
//!   values in the low 32 bits (see [`Lr`]).
//!
//! Recommended use by the caller: `sync_lrs` right after every exit (so
//! the emulated registers see the guest's acknowledgements), `fill_lrs`
//! right before every entry, and after each emulated access
//! [`VGic::take_kicks`] to learn which vCPUs must re-evaluate their list
//! registers (IPI them if running, wake them if waiting in WFI).

mod append;
mod bank;
mod distributor;
mod hw;
mod inject;
mod irq;
mod lists;
mod live;
mod lr;
mod redistributor;
pub mod regs;
#[cfg(test)]
mod tests;
mod windows;

use alloc::vec::Vec;

use irq::Irq;
pub use irq::VcpuSet;
pub use lr::Lr;
use regs::*;
pub use windows::GicWindows;

/// Most vCPUs a GICv3 VM may have.
pub const MAX_VCPUS: usize = 64;
/// Most vCPUs a GICv2 VM may have (8 CPU interfaces).
pub const MAX_VCPUS_V2: usize = 8;
/// Most SPIs (INTIDs 32..1020).
pub const MAX_SPIS: usize = 988;
/// Most list registers `fill_lrs` uses: all a GICv3 CPU interface can
/// have (ICH_VTR_EL2.ListRegs); a GICv2 one with more (up to 64) gets
/// its first 16 used.
pub const MAX_LRS: usize = 16;
/// First PPI.
pub const PPI_BASE: u32 = 16;
/// First SPI.
pub const SPI_BASE: u32 = 32;
/// The EL1 virtual timer's PPI.
pub const VTIMER_PPI: u32 = 27;

/// Per-vCPU state: private interrupts and the list registers last written.
#[derive(Clone, Debug)]
struct Cpu {
    /// SGIs 0-15 and PPIs 16-31.
    private: [Irq; 32],
    /// GICR_WAKER.ProcessorSleep (GICv3).
    sleep: bool,
    /// The list register values the last `fill_lrs` wrote (0: empty).
    written: Vec<u64>,
    /// Live SGIs and PPIs, one bit per INTID (`live.rs`).
    live: u32,
}

/// The virtual GIC of one VM.
#[derive(Clone, Debug)]
pub struct VGic {
    version: u32,
    /// GICD_CTLR enable bits (EnableGrp0, EnableGrp1).
    ctlr: u32,
    cpus: Vec<Cpu>,
    spis: Vec<Irq>,
    /// GICv3 GICD_IROUTER per SPI.
    irouter: Vec<u64>,
    /// GICv2 GICD_ITARGETSR per SPI.
    itargets: Vec<u8>,
    /// Live SPIs, one bit per SPI (`live.rs`).
    live_spis: Vec<u64>,
    /// vCPUs to kick, gathered by register writes.
    kicks: VcpuSet,
    /// Physical interrupts to deactivate (`hw.rs`); room for one per
    /// bound interrupt is reserved when it is bound.
    hw_done: Vec<u16>,
    /// How many SPIs are bound to physical interrupts.
    hw_bound: usize,
}

impl VGic {
    /// A GIC at reset; `None` unless `version` is 2 or 3, `vcpus` is
    /// 1..=64 (1..=8 for GICv2) and `spis` is a multiple of 32 up to 988.
    pub fn try_new(version: u32, vcpus: usize, spis: usize) -> Option<VGic> {
        let max = match version {
            2 => MAX_VCPUS_V2,
            3 => MAX_VCPUS,
            _ => return None,
        };
        if !(1..=max).contains(&vcpus) || !spis.is_multiple_of(32) || spis > MAX_SPIS {
            return None;
        }
        let group1 = version == 3;
        let mut private = [Irq::reset(false, group1); 32];
        for sgi in &mut private[..PPI_BASE as usize] {
            sgi.edge = true;
        }
        let cpu = Cpu {
            private,
            sleep: true,
            written: Vec::new(),
            live: 0,
        };
        Some(VGic {
            version,
            ctlr: 0,
            cpus: alloc::vec![cpu; vcpus],
            spis: alloc::vec![Irq::reset(false, group1); spis],
            irouter: alloc::vec![0; if version == 3 { spis } else { 0 }],
            itargets: alloc::vec![1; if version == 2 { spis } else { 0 }],
            live_spis: alloc::vec![0; spis.div_ceil(64)],
            kicks: VcpuSet::EMPTY,
            hw_done: Vec::new(),
            hw_bound: 0,
        })
    }

    /// Like [`VGic::try_new`].
    ///
    /// # Panics
    /// On a configuration `try_new` refuses.
    pub fn new(version: u32, vcpus: usize, spis: usize) -> VGic {
        Self::try_new(version, vcpus, spis).expect("vgic: bad version, vCPU or SPI count")
    }

    /// The GIC architecture version, 2 or 3.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The number of vCPUs.
    pub fn vcpus(&self) -> usize {
        self.cpus.len()
    }

    /// The number of SPIs.
    pub fn spis(&self) -> usize {
        self.spis.len()
    }

    /// Takes the vCPUs whose deliverable interrupts changed through
    /// register writes since the last call.
    pub fn take_kicks(&mut self) -> VcpuSet {
        core::mem::take(&mut self.kicks)
    }

    fn irq(&self, vcpu: usize, intid: u32) -> Option<&Irq> {
        match intid {
            0..SPI_BASE => self.cpus.get(vcpu).map(|c| &c.private[intid as usize]),
            _ => self.spis.get((intid - SPI_BASE) as usize),
        }
    }

    /// The state of `intid` as `vcpu` sees it, to change: it joins the
    /// live set (`live.rs`). An interrupt the VM does not have (a register
    /// write's bits past its last SPI, say) does not: nothing would ever
    /// take it out again, and every refill would look at it.
    fn irq_mut(&mut self, vcpu: usize, intid: u32) -> Option<&mut Irq> {
        let exists = match intid {
            0..SPI_BASE => vcpu < self.cpus.len(),
            _ => ((intid - SPI_BASE) as usize) < self.spis.len(),
        };
        if !exists {
            return None;
        }
        self.mark_live(vcpu, intid);
        match intid {
            0..SPI_BASE => self
                .cpus
                .get_mut(vcpu)
                .map(|c| &mut c.private[intid as usize]),
            _ => self.spis.get_mut((intid - SPI_BASE) as usize),
        }
    }

    /// Mask of the existing vCPUs.
    fn all_vcpus(&self) -> u64 {
        u64::MAX >> (64 - self.cpus.len())
    }

    /// Whether the distributor forwards `irq`'s group.
    fn group_enabled(&self, irq: &Irq) -> bool {
        let bit = if irq.group1 {
            GICD_CTLR_ENABLE_GRP1
        } else {
            GICD_CTLR_ENABLE_GRP0
        };
        self.ctlr & bit != 0
    }

    /// Whether `irq`, when pending, is forwarded to `vcpu`'s CPU interface.
    fn forwards(&self, vcpu: usize, irq: &Irq) -> bool {
        irq.enabled
            && self.group_enabled(irq)
            && (self.version == 2 || self.cpus.get(vcpu).is_some_and(|c| !c.sleep))
    }

    /// The vCPU SPI number `spi` (0-based) is routed to.
    fn spi_target(&self, spi: usize) -> Option<usize> {
        if self.version == 3 {
            let r = *self.irouter.get(spi)?;
            if r & GICD_IROUTER_IRM != 0 {
                return Some(0);
            }
            // Aff3.Aff2.Aff1 must be 0; Aff0 is the vCPU index.
            let v = (r & 0xFF) as usize;
            (r & !(GICD_IROUTER_IRM | 0xFF) == 0 && v < self.cpus.len()).then_some(v)
        } else {
            let mask = u64::from(*self.itargets.get(spi)?) & self.all_vcpus();
            (mask != 0).then(|| mask.trailing_zeros() as usize)
        }
    }

    /// The vCPU that handles `intid` now: its own vCPU for a private
    /// interrupt; for an SPI the vCPU listing it, else the one it is active
    /// on, else its route.
    fn home(&self, vcpu: usize, intid: u32) -> Option<usize> {
        if intid < SPI_BASE {
            return (vcpu < self.cpus.len()).then_some(vcpu);
        }
        let irq = self.irq(vcpu, intid)?;
        match (irq.listed, irq.active) {
            (Some(v), _) => Some(v.into()),
            (None, true) => Some(irq.active_on.into()),
            (None, false) => self.spi_target((intid - SPI_BASE) as usize),
        }
    }

    /// Whether `intid` is pending, enabled and forwarded to `vcpu`.
    fn deliverable(&self, vcpu: usize, intid: u32) -> bool {
        self.irq(vcpu, intid).is_some_and(|irq| {
            irq.pending_any() && self.home(vcpu, intid) == Some(vcpu) && self.forwards(vcpu, irq)
        })
    }

    /// After a register write touched `intid`: kick its vCPU when it is
    /// listed there (its list register is stale) or deliverable.
    fn note(&mut self, vcpu: usize, intid: u32) {
        let Some(home) = self.home(vcpu, intid) else {
            return;
        };
        let listed = self.irq(vcpu, intid).is_some_and(|i| i.listed.is_some());
        if listed || self.deliverable(home, intid) {
            self.kicks.insert(home);
        }
    }

    /// Kicks every vCPU with something deliverable (after an enable).
    fn note_all(&mut self) {
        for v in 0..self.cpus.len() {
            if self.has_pending(v) {
                self.kicks.insert(v);
            }
        }
    }
}
