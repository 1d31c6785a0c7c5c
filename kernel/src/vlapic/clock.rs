//! The APIC timer's clock and countdown (SDM Vol. 3A 10.5.4, "APIC
//! Timer", and 10.5.4.1, "TSC-Deadline Mode"), kept in the guest TSC
//! ticks the kernel has.
//!
//! One-shot and periodic modes count the Current Count down from the
//! Initial Count, one per `divisor` bus ticks; the VM's advertised bus
//! clock and its TSC clock ([`TimerClock`]) turn counts into TSC ticks
//! exactly (128-bit arithmetic): `count` timer ticks from TSC `start` end
//! at `start + ceil(count * divisor * tsc_hz / bus_hz)`, and at `now` the
//! count has dropped by `floor((now - start) * bus_hz / (tsc_hz *
//! divisor))`. The count at a deadline reads 0, one TSC tick before it at
//! least 1.
//!
//! A periodic timer reloads at each expiry; periods the kernel was late
//! for collapse into one interrupt (the IRR holds one per vector anyway)
//! and the next deadline is the first period end after the expiry is
//! seen. A change of the divide value mid-count keeps the current count
//! and counts the rest at the new rate.

/// How the VM's APIC bus clock relates to its TSC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerClock {
    tsc_hz: u64,
    bus_hz: u64,
}

const fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl TimerClock {
    /// A clock whose TSC runs at `tsc_hz` and whose APIC bus (the timer's
    /// input before the divider) runs at `bus_hz`; `None` if either is 0.
    pub const fn new(tsc_hz: u64, bus_hz: u64) -> Option<TimerClock> {
        if tsc_hz == 0 || bus_hz == 0 {
            return None;
        }
        let g = gcd(tsc_hz, bus_hz);
        Some(TimerClock {
            tsc_hz: tsc_hz / g,
            bus_hz: bus_hz / g,
        })
    }

    /// A clock where one bus tick is `tsc_per_bus` TSC ticks.
    pub const fn ticks(tsc_per_bus: u64) -> Option<TimerClock> {
        TimerClock::new(tsc_per_bus, 1)
    }

    /// TSC ticks that `bus` bus ticks take, rounded up (saturating).
    pub fn to_tsc(&self, bus: u128) -> u64 {
        let t = (bus * u128::from(self.tsc_hz)).div_ceil(u128::from(self.bus_hz));
        u64::try_from(t).unwrap_or(u64::MAX)
    }

    /// Whole bus ticks in `tsc` TSC ticks.
    pub fn to_bus(&self, tsc: u64) -> u128 {
        u128::from(tsc) * u128::from(self.bus_hz) / u128::from(self.tsc_hz)
    }
}

/// The timer mode of the LVT timer entry (Table 10-2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimerMode {
    /// 00: counts down once.
    OneShot,
    /// 01: counts down and reloads.
    Periodic,
    /// 10: fires at IA32_TSC_DEADLINE.
    TscDeadline,
    /// 11: reserved; the timer does not run.
    Reserved,
}

impl TimerMode {
    /// The mode in bits 18:17 of an LVT timer value.
    pub fn of_lvt(lvt: u32) -> TimerMode {
        match (lvt >> super::regs::LVT_TIMER_MODE_SHIFT) & 3 {
            0 => TimerMode::OneShot,
            1 => TimerMode::Periodic,
            2 => TimerMode::TscDeadline,
            _ => TimerMode::Reserved,
        }
    }

    /// One-shot or periodic: the modes that count.
    fn counts(self) -> bool {
        matches!(self, TimerMode::OneShot | TimerMode::Periodic)
    }
}

/// The timer's registers and countdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Timer {
    pub clock: TimerClock,
    /// Initial Count register.
    pub initial: u32,
    /// Divide Configuration register (bits 3, 1, 0).
    pub dcr: u32,
    /// A running countdown: the count it had at TSC `.0`.
    run: Option<(u64, u32)>,
    /// IA32_TSC_DEADLINE (0: disarmed).
    pub tsc_deadline: u64,
}

impl Timer {
    /// A stopped timer (Initial Count and DCR 0, no deadline).
    pub fn new(clock: TimerClock) -> Timer {
        Timer {
            clock,
            initial: 0,
            dcr: 0,
            run: None,
            tsc_deadline: 0,
        }
    }

    /// The divide value DCR selects (Figure 10-10): bits 3,1,0 of 000 to
    /// 110 divide by 2 to 128, 111 by 1.
    pub fn divisor(dcr: u32) -> u32 {
        let v = (dcr >> 1) & 4 | dcr & 3;
        if v == 7 { 1 } else { 2 << v }
    }

    /// TSC ticks that `count` timer ticks take.
    fn span(&self, count: u32) -> u64 {
        let div = u128::from(Self::divisor(self.dcr));
        self.clock.to_tsc(u128::from(count) * div)
    }

    /// Timer ticks (bus ticks over the divisor) in `tsc` TSC ticks.
    fn elapsed(&self, tsc: u64) -> u128 {
        self.clock.to_bus(tsc) / u128::from(Self::divisor(self.dcr))
    }

    /// Starts counting `count` down at `now`; 0 stops the timer.
    pub fn start(&mut self, now: u64, count: u32) {
        self.run = (count != 0).then_some((now, count));
    }

    /// Stops everything: the countdown, the Initial Count and the TSC
    /// deadline (a change of timer mode, 10.5.4.1).
    pub fn disarm(&mut self) {
        self.run = None;
        self.initial = 0;
        self.tsc_deadline = 0;
    }

    /// The next expiry in TSC ticks, if the timer runs in `mode`.
    pub fn deadline(&self, mode: TimerMode) -> Option<u64> {
        match mode {
            TimerMode::OneShot | TimerMode::Periodic => self
                .run
                .map(|(start, count)| start.saturating_add(self.span(count))),
            TimerMode::TscDeadline => (self.tsc_deadline != 0).then_some(self.tsc_deadline),
            TimerMode::Reserved => None,
        }
    }

    /// The Current Count register at `now` (0 unless counting).
    pub fn current(&self, mode: TimerMode, now: u64) -> u32 {
        let (Some((start, count)), Some(end)) = (self.run, self.deadline(mode)) else {
            return 0;
        };
        if !mode.counts() {
            return 0;
        }
        if now < end {
            let gone = self.elapsed(now.saturating_sub(start));
            return count - gone.min(u128::from(count)) as u32;
        }
        if mode == TimerMode::OneShot || self.initial == 0 {
            return 0;
        }
        // Periodic, past reloads nobody saw: the phase in the current one.
        let period = self.span(self.initial).max(1);
        let phase = (now - end) % period;
        self.initial - self.elapsed(phase).min(u128::from(self.initial)) as u32
    }

    /// Expires the timer if it is due at `now`: disarms a one-shot count
    /// or a TSC deadline, reloads a periodic one. Whether it expired.
    pub fn expire(&mut self, mode: TimerMode, now: u64) -> bool {
        let Some(end) = self.deadline(mode) else {
            return false;
        };
        if now < end {
            return false;
        }
        match mode {
            TimerMode::OneShot => self.run = None,
            TimerMode::Periodic => {
                let period = self.span(self.initial).max(1);
                let missed = (now - end) / period;
                let start = end.saturating_add(missed.saturating_mul(period));
                self.start(start, self.initial);
            }
            TimerMode::TscDeadline => self.tsc_deadline = 0,
            TimerMode::Reserved => {}
        }
        true
    }

    /// A write of the Divide Configuration at `now`, after any expiry
    /// due was taken: a running count keeps its value and goes on at the
    /// new rate.
    pub fn set_divide(&mut self, mode: TimerMode, dcr: u32, now: u64) {
        let current = self.current(mode, now);
        self.dcr = dcr & super::regs::DCR_DIVIDE;
        if self.run.is_some() && mode.counts() {
            self.start(now, current);
        }
    }
}
