//! What one counter's counting element and OUT pin do over time, as pure
//! functions of the clock: nothing ticks; the count and OUT are computed
//! from the nanoseconds since the count was loaded (or the gate triggered
//! it), converted to CLK pulses with 128-bit integer arithmetic.
//!
//! The count is loaded at the instant it is written (or triggered) and
//! drops by one each CLK pulse after it (by two in mode 3): the
//! datasheet's extra pulse that transfers CR into CE is not modelled, so
//! mode 0's OUT rises exactly N pulses after the count is written.

use super::regs::PIT_HZ;

mod change;

const NS_PER_S: u128 = 1_000_000_000;

/// Whole CLK pulses in `ns` nanoseconds (rounded down).
pub fn ticks(ns: u64) -> u64 {
    (u128::from(ns) * u128::from(PIT_HZ) / NS_PER_S) as u64
}

/// The fewest nanoseconds that hold `ticks` CLK pulses (saturating).
pub fn ns_of(ticks: u64) -> u64 {
    let ns = (u128::from(ticks) * NS_PER_S).div_ceil(u128::from(PIT_HZ));
    u64::try_from(ns).unwrap_or(u64::MAX)
}

/// A counter mode (`M2 M1 M0`; 6 and 7 are modes 2 and 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Mode 0: interrupt on terminal count.
    TerminalCount,
    /// Mode 1: hardware retriggerable one-shot.
    OneShot,
    /// Mode 2: rate generator.
    Rate,
    /// Mode 3: square wave.
    Square,
    /// Mode 4: software triggered strobe.
    SoftStrobe,
    /// Mode 5: hardware triggered strobe (retriggerable).
    HardStrobe,
}

impl Mode {
    /// The mode `M2 M1 M0` selects.
    pub fn from_bits(m: u8) -> Mode {
        match m & 0b111 {
            0 => Mode::TerminalCount,
            1 => Mode::OneShot,
            2 | 6 => Mode::Rate,
            3 | 7 => Mode::Square,
            4 => Mode::SoftStrobe,
            _ => Mode::HardStrobe,
        }
    }
}

/// One stretch of a periodic mode with a fixed count `n` (at least 2):
/// from tick `begin` on (counted from the run's origin), it is at position
/// `phase` of its cycle at `begin`. Position 0 starts a cycle, OUT rising.
#[derive(Clone, Copy, Debug)]
struct Cycle {
    begin: u64,
    n: u32,
    phase: u32,
}

impl Cycle {
    /// The position in the cycle (0..n) at tick `k`.
    fn pos(&self, k: u64) -> u64 {
        (k.saturating_sub(self.begin) + u64::from(self.phase)) % u64::from(self.n)
    }

    /// Rising edges (starts of a cycle) in ticks `begin+1..=k`.
    fn rises(&self, k: u64) -> u64 {
        (k.saturating_sub(self.begin) + u64::from(self.phase)) / u64::from(self.n)
    }

    /// Mode 3's high half: (N+1)/2 pulses (N/2 for even N).
    fn high(&self) -> u64 {
        u64::from(self.n).div_ceil(2)
    }
}

/// How CE and OUT go on from the last change.
#[derive(Clone, Copy, Debug)]
enum Run {
    /// Not counting: CE holds `count` (1..=modulus, the modulus reading as
    /// 0), OUT is `out`; `armed`: the one-shot's terminal count is still to
    /// come; `loaded`: counting resumes when the gate allows it.
    Held {
        count: u32,
        out: bool,
        armed: bool,
        loaded: bool,
    },
    /// Modes 0, 1, 4, 5: `start` at tick 0 (`origin` ns), then down by one
    /// each tick, wrapping; `armed` as in `Held`.
    Single {
        origin: u64,
        start: u32,
        armed: bool,
    },
    /// Modes 2 and 3: `cur`, then `next` (a count written while counting
    /// takes over at the end of the cycle, or half-cycle in mode 3).
    Periodic {
        origin: u64,
        cur: Cycle,
        next: Option<Cycle>,
    },
}

/// A counter's CE and OUT in one mode, and the rising edges of OUT so far.
#[derive(Clone, Debug)]
pub struct Wave {
    mode: Mode,
    modulus: u32,
    run: Run,
    /// Rising edges of OUT before the current `run` (and at its start).
    edges: u64,
}

impl Wave {
    /// Mode 0 with no count, OUT low, CE reading 0: the model's power-up
    /// state (the datasheet leaves it undefined).
    pub fn new() -> Wave {
        let run = Run::Held {
            count: 1 << 16,
            out: false,
            armed: false,
            loaded: false,
        };
        Wave {
            mode: Mode::TerminalCount,
            modulus: 1 << 16,
            run,
            edges: 0,
        }
    }

    /// The count CE holds at `now` (binary, below the modulus) and OUT.
    pub fn sample(&self, now: u64) -> (u32, bool) {
        let m = u64::from(self.modulus);
        match self.run {
            Run::Held { count, out, .. } => (count % self.modulus, out),
            Run::Single {
                origin,
                start,
                armed,
            } => {
                let k = ticks(now.saturating_sub(origin));
                let count = (u64::from(start) + m - k % m) % m;
                (count as u32, self.single_out(k, start, armed))
            }
            Run::Periodic { origin, cur, next } => {
                let k = ticks(now.saturating_sub(origin));
                let c = effective(cur, next, k);
                let p = c.pos(k);
                let count = match self.mode {
                    Mode::Square => square_count(u64::from(c.n), c.high(), p),
                    _ => u64::from(c.n) - p,
                };
                let out = match self.mode {
                    Mode::Square => p < c.high(),
                    _ => p + 1 != u64::from(c.n),
                };
                ((count % m) as u32, out)
            }
        }
    }

    /// OUT of a one-shot mode at tick `k` of a `Run::Single`.
    fn single_out(&self, k: u64, start: u32, armed: bool) -> bool {
        let s = u64::from(start);
        match self.mode {
            Mode::TerminalCount | Mode::OneShot => !armed || k >= s,
            _ => !armed || k != s,
        }
    }

    /// The tick (from `origin`) at which a one-shot's OUT rises.
    fn single_rise(&self, start: u32) -> u64 {
        match self.mode {
            Mode::TerminalCount | Mode::OneShot => u64::from(start),
            _ => u64::from(start) + 1,
        }
    }

    /// Rising edges of OUT since the wave was made, up to `now`.
    pub fn edges(&self, now: u64) -> u64 {
        self.edges.wrapping_add(self.run_edges(now))
    }

    /// Rising edges of OUT in the current run, up to `now`.
    fn run_edges(&self, now: u64) -> u64 {
        match self.run {
            Run::Held { .. } => 0,
            Run::Single {
                origin,
                start,
                armed,
            } => u64::from(armed && ticks(now.saturating_sub(origin)) >= self.single_rise(start)),
            Run::Periodic { origin, cur, next } => {
                let k = ticks(now.saturating_sub(origin));
                match next {
                    Some(nx) if k >= nx.begin => cur.rises(nx.begin) + nx.rises(k),
                    _ => cur.rises(k),
                }
            }
        }
    }

    /// When OUT next changes after `now` (ns), if it will without a write.
    pub fn next_change(&self, now: u64) -> Option<u64> {
        match self.run {
            Run::Held { .. } => None,
            Run::Single {
                origin,
                start,
                armed,
            } => {
                let k = ticks(now.saturating_sub(origin));
                let s = u64::from(start);
                let t = match self.mode {
                    Mode::TerminalCount | Mode::OneShot => s,
                    _ if k < s => s,
                    _ => s + 1,
                };
                (armed && k < t).then(|| origin.saturating_add(ns_of(t)))
            }
            Run::Periodic { origin, cur, next } => {
                let k = ticks(now.saturating_sub(origin));
                let c = effective(cur, next, k);
                let (p, n) = (c.pos(k), u64::from(c.n));
                let d = match self.mode {
                    Mode::Square if p < c.high() => c.high() - p,
                    Mode::Square => n - p,
                    _ if p + 1 < n => n - 1 - p,
                    _ => 1,
                };
                Some(origin.saturating_add(ns_of(k + d)))
            }
        }
    }

    /// When OUT next rises after `now` (ns), if it will without a write.
    pub fn next_rise(&self, now: u64) -> Option<u64> {
        let (origin, t) = match self.run {
            Run::Held { .. } => return None,
            Run::Single {
                origin,
                start,
                armed,
            } => {
                let t = self.single_rise(start);
                let k = ticks(now.saturating_sub(origin));
                (origin, (armed && k < t).then_some(t)?)
            }
            Run::Periodic { origin, cur, next } => {
                let k = ticks(now.saturating_sub(origin));
                let c = effective(cur, next, k);
                let mut t = k + (u64::from(c.n) - c.pos(k));
                if let Some(nx) = next.filter(|nx| k < nx.begin && t > nx.begin) {
                    t = nx.begin + u64::from(nx.n - nx.phase);
                }
                (origin, t)
            }
        };
        Some(origin.saturating_add(ns_of(t)))
    }

    /// Whether a count written in mode 2 or 3 waits for the end of the
    /// current (half-)cycle at `now`: the datasheet's NULL COUNT.
    pub fn pending(&self, now: u64) -> bool {
        match self.run {
            Run::Periodic {
                origin,
                next: Some(nx),
                ..
            } => ticks(now.saturating_sub(origin)) < nx.begin,
            _ => false,
        }
    }
}

/// The cycle that rules tick `k`.
fn effective(cur: Cycle, next: Option<Cycle>, k: u64) -> Cycle {
    match next {
        Some(nx) if k >= nx.begin => nx,
        _ => cur,
    }
}

/// Mode 3's count at position `p` of a cycle of `n` with a high half of
/// `h`: down by two each pulse; an odd count drops by one first in the
/// high half and by three first in the low half.
fn square_count(n: u64, h: u64, p: u64) -> u64 {
    let odd = n % 2;
    match p {
        0 => n,
        p if p < h => n + odd - 2 * p,
        p if p == h => n,
        p => n - odd - 2 * (p - h),
    }
}
