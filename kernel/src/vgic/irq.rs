//! The state of one virtual interrupt, and a small set of vCPUs.

/// One virtual interrupt (SGI, PPI or SPI).
///
/// While an interrupt is listed (in a list register of vCPU `listed`), the
/// list register owns its latched pending state: filling moves `latch` (or
/// the GICv2 SGI source) into the LR and `lr_latch` remembers that it did;
/// syncing puts it back if the LR is still pending (the guest did not
/// acknowledge it). A level-sensitive interrupt's line stays in the model.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Irq {
    /// Forwarding enabled (ISENABLER/ICENABLER).
    pub enabled: bool,
    /// Pending latch: an edge, a software set-pending, an injection.
    pub latch: bool,
    /// Input line level (level-sensitive SPIs and PPIs).
    pub line: bool,
    /// Active (acknowledged, not yet deactivated).
    pub active: bool,
    /// Edge-triggered (ICFGR 0b10) rather than level-sensitive.
    pub edge: bool,
    /// Group 1 (GICv3: always; GICv2: IGROUPR).
    pub group1: bool,
    /// Priority, lower is more urgent.
    pub priority: u8,
    /// The vCPU whose list registers hold it.
    pub listed: Option<u8>,
    /// The list register was written with the pending state.
    pub lr_pending: bool,
    /// The latch (GICv2 SGI: source `src`) was moved into the list
    /// register.
    pub lr_latch: bool,
    /// SPIs: the vCPU on which it is active.
    pub active_on: u8,
    /// GICv2 SGIs: the source CPU of the listed or active instance.
    pub src: u8,
    /// GICv2 SGIs: one bit per source CPU with a pending instance.
    pub sources: u8,
    /// SPIs passed through: the physical INTID behind it (0: none), put
    /// in the list register with the HW bit (`hw.rs`).
    pub hw: u16,
    /// The physical interrupt `hw` is active: it arrived and neither the
    /// guest's EOI nor the kernel has deactivated it yet.
    pub hw_active: bool,
}

impl Irq {
    /// An interrupt at reset: disabled, idle, priority 0.
    pub const fn reset(edge: bool, group1: bool) -> Irq {
        Irq {
            enabled: false,
            latch: false,
            line: false,
            active: false,
            edge,
            group1,
            priority: 0,
            listed: None,
            lr_pending: false,
            lr_latch: false,
            active_on: 0,
            src: 0,
            sources: 0,
            hw: 0,
            hw_active: false,
        }
    }

    /// Pending as the model holds it (not counting a pending state that
    /// sits in a list register).
    pub const fn pending(&self) -> bool {
        (self.line && !self.edge) || self.latch || self.sources != 0
    }

    /// Pending, counting a pending state put into a list register.
    pub const fn pending_any(&self) -> bool {
        self.pending() || (self.listed.is_some() && self.lr_pending)
    }
}

/// A set of vCPU indices (at most 64).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VcpuSet(pub u64);

impl VcpuSet {
    /// The empty set.
    pub const EMPTY: VcpuSet = VcpuSet(0);

    /// Adds `vcpu`.
    pub fn insert(&mut self, vcpu: usize) {
        if vcpu < 64 {
            self.0 |= 1 << vcpu;
        }
    }

    /// Whether `vcpu` is in the set.
    pub const fn contains(&self, vcpu: usize) -> bool {
        vcpu < 64 && self.0 & (1 << vcpu) != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(&self) -> bool {
        self.0 == 0
    }

    /// The number of vCPUs in the set.
    pub const fn len(&self) -> usize {
        self.0.count_ones() as usize
    }

    /// The vCPUs in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + use<> {
        let mut bits = self.0;
        core::iter::from_fn(move || {
            if bits == 0 {
                return None;
            }
            let v = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            Some(v)
        })
    }
}
