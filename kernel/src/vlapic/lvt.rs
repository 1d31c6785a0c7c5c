//! The local vector table, the spurious-interrupt vector register and
//! error handling (SDM Vol. 3A 10.5.1, "Local Vector Table", Figure 10-8;
//! 10.5.3, "Error Handling", Figure 10-9; 10.9, "Spurious Interrupt",
//! Figure 10-23; 10.4.7.2 for the software-disabled state).

use super::clock::TimerMode;
use super::ipi::Delivery;
use super::regs::*;
use super::{Effect, VLapic};

/// One LVT entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lvt {
    /// Corrected machine-check error interrupt.
    Cmci,
    Timer,
    /// Thermal sensor.
    Thermal,
    /// Performance-monitoring counter overflow.
    Perf,
    Lint0,
    Lint1,
    Error,
}

impl Lvt {
    /// Every entry, in register order (CMCI first).
    pub const ALL: [Lvt; 7] = [
        Lvt::Cmci,
        Lvt::Timer,
        Lvt::Thermal,
        Lvt::Perf,
        Lvt::Lint0,
        Lvt::Lint1,
        Lvt::Error,
    ];

    /// Its xAPIC offset.
    pub fn offset(self) -> u64 {
        match self {
            Lvt::Cmci => APIC_LVT_CMCI,
            Lvt::Timer => APIC_LVT_TIMER,
            Lvt::Thermal => APIC_LVT_THERMAL,
            Lvt::Perf => APIC_LVT_PERF,
            Lvt::Lint0 => APIC_LVT_LINT0,
            Lvt::Lint1 => APIC_LVT_LINT1,
            Lvt::Error => APIC_LVT_ERROR,
        }
    }

    /// The entry at xAPIC `offset`.
    pub fn at(offset: u64) -> Option<Lvt> {
        Lvt::ALL.into_iter().find(|l| l.offset() == offset)
    }

    fn index(self) -> usize {
        self as usize
    }

    fn is_lint(self) -> bool {
        matches!(self, Lvt::Lint0 | Lvt::Lint1)
    }

    /// The bits software writes (bit 18 of the timer only with
    /// TSC-deadline mode offered).
    pub fn writable(self, tsc_deadline: bool) -> u32 {
        match self {
            Lvt::Cmci | Lvt::Thermal | Lvt::Perf => LVT_VECTOR | LVT_DELIVERY_MODE | LVT_MASKED,
            Lvt::Timer if tsc_deadline => LVT_VECTOR | LVT_MASKED | LVT_TIMER_MODE,
            Lvt::Timer => LVT_VECTOR | LVT_MASKED | 1 << LVT_TIMER_MODE_SHIFT,
            Lvt::Lint0 | Lvt::Lint1 => {
                LVT_VECTOR | LVT_DELIVERY_MODE | LVT_POLARITY | LVT_LEVEL_TRIGGER | LVT_MASKED
            }
            Lvt::Error => LVT_VECTOR | LVT_MASKED,
        }
    }

    /// The bits that are not reserved: the writable ones and the
    /// read-only status bits (an x2APIC write of any other faults).
    pub fn defined(self, tsc_deadline: bool) -> u32 {
        let status = if self.is_lint() {
            LVT_DELIVERY_STATUS | LVT_REMOTE_IRR
        } else {
            LVT_DELIVERY_STATUS
        };
        self.writable(tsc_deadline) | status
    }
}

/// What a local interrupt source did ([`VLapic::local_interrupt`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalDelivery {
    /// Nothing: masked, APIC disabled, reserved delivery mode, or an
    /// illegal vector (logged in the ESR).
    None,
    /// Its vector was accepted into the IRR.
    Fixed,
    /// The VM layer injects an NMI.
    Nmi,
    /// The VM layer raises an SMI.
    Smi,
    /// The VM layer performs an INIT.
    Init,
    /// The VM layer takes the vector from the virtual 8259A (INTR).
    ExtInt,
}

impl VLapic {
    /// An LVT entry.
    pub fn lvt(&self, which: Lvt) -> u32 {
        self.lvt[which.index()]
    }

    /// The timer mode of the LVT timer entry.
    pub fn timer_mode(&self) -> TimerMode {
        TimerMode::of_lvt(self.lvt(Lvt::Timer))
    }

    /// A write of an LVT entry (reserved and read-only bits dropped). A
    /// software-disabled APIC keeps the mask set. A timer entry write
    /// first takes any expiry due at `now`; one that changes the timer
    /// mode disarms the timer (10.5.4.1).
    pub(super) fn write_lvt(&mut self, which: Lvt, value: u32, now: u64) -> Effect {
        let mut v = value & which.writable(self.config.tsc_deadline);
        if !self.software_enabled() {
            v |= LVT_MASKED;
        }
        if which != Lvt::Timer {
            self.lvt[which.index()] = v;
            return Effect::None;
        }
        let old = self.timer_mode();
        self.expire_timer(now);
        self.lvt[which.index()] = v;
        if TimerMode::of_lvt(v) != old {
            self.timer.disarm();
        }
        Effect::Timer
    }

    /// The SVR bits software writes.
    pub(super) fn svr_writable(&self) -> u32 {
        let suppress = if self.config.eoi_suppression {
            SVR_EOI_SUPPRESSION
        } else {
            0
        };
        SVR_VECTOR | SVR_APIC_ENABLED | SVR_FOCUS_DISABLED | suppress
    }

    /// A write of the SVR. Clearing bit 8 software-disables the APIC,
    /// which masks every LVT entry (10.4.7.2).
    pub(super) fn write_svr(&mut self, value: u32) {
        self.svr = value & self.svr_writable();
        if !self.software_enabled() {
            for e in &mut self.lvt {
                *e |= LVT_MASKED;
            }
        }
    }

    /// A write of the ESR: it latches the errors logged since the last
    /// write and starts logging afresh (10.5.3).
    pub(super) fn write_esr(&mut self) {
        self.esr = self.esr_pending;
        self.esr_pending = 0;
    }

    /// Logs errors `bits` and, when the LVT error entry is unmasked,
    /// raises its vector (an illegal one logs a receive illegal vector
    /// instead, once).
    pub(super) fn error(&mut self, bits: u32) {
        self.esr_pending |= bits;
        let entry = self.lvt(Lvt::Error);
        if entry & LVT_MASKED != 0 || !self.is_enabled() {
            return;
        }
        let vector = entry as u8;
        if vector < 16 {
            self.esr_pending |= ESR_RECEIVE_ILLEGAL_VECTOR;
            return;
        }
        self.irr.insert(vector);
        self.tmr.remove(vector);
    }

    /// A local interrupt source signals through LVT entry `which`: a
    /// LINT0/LINT1 pin edge or level, a thermal, performance-counter or
    /// CMCI event (the timer and error entries raise themselves). A fixed
    /// one is accepted into the IRR, level-triggered for a LINT pin whose
    /// trigger mode says so; the other delivery modes are the VM layer's.
    /// INIT and ExtINT exist only for LINT0/LINT1; 001, 011 and 110 are
    /// reserved. Delivering a performance-counter interrupt sets its mask
    /// bit, as the SDM's performance-monitoring chapter says the APIC does
    /// when it delivers a PMI.
    ///
    /// While the APIC is hardware-disabled the pins bypass it (LINT0 is
    /// INTR, LINT1 is NMI: 10.4.3); the VM layer wires them so, and this
    /// returns [`LocalDelivery::None`].
    pub fn local_interrupt(&mut self, which: Lvt) -> LocalDelivery {
        let entry = self.lvt(which);
        if !self.is_enabled() || entry & LVT_MASKED != 0 {
            return LocalDelivery::None;
        }
        let delivery = match which {
            Lvt::Timer | Lvt::Error => Some(Delivery::Fixed),
            _ => Delivery::from_bits((entry & LVT_DELIVERY_MODE) >> DM_SHIFT),
        };
        let result = match delivery {
            Some(Delivery::Fixed) => {
                let level = which.is_lint() && entry & LVT_LEVEL_TRIGGER != 0;
                if self.accept(entry as u8, level) {
                    LocalDelivery::Fixed
                } else {
                    LocalDelivery::None
                }
            }
            Some(Delivery::Nmi) => LocalDelivery::Nmi,
            Some(Delivery::Smi) => LocalDelivery::Smi,
            Some(Delivery::Init) if which.is_lint() => LocalDelivery::Init,
            Some(Delivery::ExtInt) if which.is_lint() => LocalDelivery::ExtInt,
            _ => LocalDelivery::None,
        };
        if which == Lvt::Perf && result != LocalDelivery::None {
            self.lvt[which.index()] |= LVT_MASKED;
        }
        result
    }
}
