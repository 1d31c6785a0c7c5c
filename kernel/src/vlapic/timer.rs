//! The APIC timer as the guest programs it and the kernel runs it (SDM
//! Vol. 3A 10.5.4, "APIC Timer", Figure 10-10 and Table 10-2; 10.5.4.1,
//! "TSC-Deadline Mode"): the Initial Count, Current Count and Divide
//! Configuration registers, IA32_TSC_DEADLINE, and the expiry the kernel
//! drives from its host timer ([`VLapic::timer_deadline`],
//! [`VLapic::timer_fire`]).
//!
//! Every write that changes the timer first takes an expiry already due
//! at `now` (the hardware would have signalled it before the write), so
//! an interrupt is never lost to a re-programming that races the host
//! timer. A masked timer still counts, reloads and disarms; it only
//! raises nothing.

use super::clock::TimerMode;
use super::lvt::Lvt;
use super::regs::*;
use super::{ApicMode, Effect, VLapic};

impl VLapic {
    /// The next expiry, in guest TSC ticks, or `None` if the timer is
    /// stopped. It may be in the past: [`VLapic::timer_fire`] then.
    pub fn timer_deadline(&self) -> Option<u64> {
        if self.mode() == ApicMode::Disabled {
            return None;
        }
        self.timer.deadline(self.timer_mode())
    }

    /// The host timer fired at `now`: if the timer is due, it expires
    /// (one-shot: stops; periodic: reloads; TSC-deadline: disarms and
    /// IA32_TSC_DEADLINE reads 0) and, unless the LVT entry is masked,
    /// its vector is raised. Whether a vector was accepted into the IRR.
    pub fn timer_fire(&mut self, now: u64) -> bool {
        self.expire_timer(now)
    }

    /// Takes an expiry due at `now`; whether it raised the vector.
    pub(super) fn expire_timer(&mut self, now: u64) -> bool {
        if !self.timer.expire(self.timer_mode(), now) {
            return false;
        }
        let entry = self.lvt(Lvt::Timer);
        entry & LVT_MASKED == 0 && self.accept(entry as u8, false)
    }

    /// The Initial Count register.
    pub fn timer_initial(&self) -> u32 {
        self.timer.initial
    }

    /// The Current Count register at `now`: the count left in one-shot
    /// and periodic modes, 0 when stopped or in TSC-deadline mode.
    pub fn timer_current(&self, now: u64) -> u32 {
        self.timer.current(self.timer_mode(), now)
    }

    /// The Divide Configuration register.
    pub fn timer_divide(&self) -> u32 {
        self.timer.dcr
    }

    /// A write of the Initial Count register: (re)starts the count from
    /// `value` at `now`, 0 stops it. Ignored in TSC-deadline mode (and
    /// the reserved mode 11, where the timer does not run).
    pub(super) fn write_timer_initial(&mut self, value: u32, now: u64) -> Effect {
        if !matches!(self.timer_mode(), TimerMode::OneShot | TimerMode::Periodic) {
            return Effect::None;
        }
        self.expire_timer(now);
        self.timer.initial = value;
        self.timer.start(now, value);
        Effect::Timer
    }

    /// A write of the Divide Configuration register (bits 3, 1, 0).
    pub(super) fn write_timer_divide(&mut self, value: u32, now: u64) -> Effect {
        self.expire_timer(now);
        self.timer.set_divide(self.timer_mode(), value, now);
        Effect::Timer
    }

    /// IA32_TSC_DEADLINE at `now`: the armed deadline in TSC-deadline
    /// mode, 0 once it passed (the timer disarms itself when it fires) and
    /// in the other modes.
    pub fn tsc_deadline(&self, now: u64) -> u64 {
        if self.timer_mode() != TimerMode::TscDeadline {
            return 0;
        }
        match self.timer.deadline(TimerMode::TscDeadline) {
            Some(d) if now < d => d,
            _ => 0,
        }
    }

    /// A write of IA32_TSC_DEADLINE: arms the timer for TSC `value` (0
    /// disarms it; a value not after `now` fires at the next
    /// [`VLapic::timer_fire`]). Ignored unless in TSC-deadline mode.
    pub fn set_tsc_deadline(&mut self, value: u64, now: u64) -> Effect {
        if self.timer_mode() != TimerMode::TscDeadline || self.mode() == ApicMode::Disabled {
            return Effect::None;
        }
        self.expire_timer(now);
        self.timer.tsc_deadline = value;
        Effect::Timer
    }
}
