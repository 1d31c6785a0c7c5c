//! When the RTC's flags rise: the periodic, update-ended and alarm events
//! between two clock readings, computed from the elapsed time.

use super::regs::*;
use super::{Mc146818, NS_PER_S};

/// The time base: 32.768 kHz.
const TIME_BASE_HZ: u128 = 32_768;

impl Mc146818 {
    /// The clock time at which the line will next rise by itself (for
    /// `qvm`'s timer), or `None` if it is up already or nothing enabled
    /// can raise it.
    pub fn next_irq_ns(&self) -> Option<u64> {
        let now = self.clock.now_ns();
        if self.irq_at(now) {
            return None;
        }
        let mut next: Option<u64> = None;
        let mut consider = |t: u64| next = Some(next.map_or(t, |n| n.min(t)));
        if self.reg_b & PIE != 0
            && let Some(p) = self.period_ticks()
        {
            let k = ticks(self.elapsed(now)) / p + 1;
            let ns = (k * p * u128::from(NS_PER_S)).div_ceil(TIME_BASE_HZ);
            consider(
                self.t0
                    .saturating_add(u64::try_from(ns).unwrap_or(u64::MAX)),
            );
        }
        if self.held.is_none() {
            let secs = self.elapsed(now) / NS_PER_S;
            let boundary = |s: u64| self.t0.saturating_add(s.saturating_mul(NS_PER_S));
            if self.reg_b & UIE != 0 {
                consider(boundary(secs + 1));
            }
            let wall = self.wall(now);
            if self.reg_b & AIE != 0
                && let Some(t) = self.format().next_alarm(self.alarm(), wall)
            {
                consider(boundary(secs.saturating_add(t.abs_diff(wall))));
            }
        }
        next
    }

    /// The periodic interrupt's period in time-base ticks, per the
    /// datasheet's table for a 32.768 kHz base (RS = 0: none).
    pub(super) fn period_ticks(&self) -> Option<u128> {
        match self.reg_a & RS {
            0 => None,
            rs @ 1..=2 => Some(1 << (rs + 6)),
            rs => Some(1 << (rs - 1)),
        }
    }

    /// The flags events set between clock times `from` and `to`.
    pub(super) fn events(&self, from: u64, to: u64) -> u8 {
        let mut f = 0;
        if let Some(p) = self.period_ticks()
            && ticks(self.elapsed(to)) / p > ticks(self.elapsed(from)) / p
        {
            f |= PF;
        }
        let (a, b) = (self.wall(from), self.wall(to));
        if self.held.is_none() && b > a {
            f |= UF;
            if matches!(self.format().next_alarm(self.alarm(), a), Some(t) if t <= b) {
                f |= AF;
            }
        }
        f
    }

    /// Register C's flags (without IRQF) at clock time `now`.
    pub(super) fn flags_at(&self, now: u64) -> u8 {
        self.flags | self.events(self.checked, now)
    }

    pub(super) fn irq_at(&self, now: u64) -> bool {
        self.flags_at(now) & self.reg_b & (PIE | AIE | UIE) != 0
    }

    /// Latches the events up to `now` (before anything they depend on
    /// changes).
    pub(super) fn sync(&mut self, now: u64) {
        self.flags = self.flags_at(now);
        self.checked = now;
    }
}

/// Whole time-base ticks in `ns`.
fn ticks(ns: u64) -> u128 {
    u128::from(ns) * TIME_BASE_HZ / u128::from(NS_PER_S)
}
