//! How a counter's run changes: a new mode, a count written, GATE moving.
//! Each change is made at an instant `now` and starts the new run there,
//! counting the rising edge of OUT the change itself makes, if any.

use super::{Cycle, Mode, Run, Wave, ticks};

impl Wave {
    /// Replaces the run at `now`, counting a rising edge of OUT if the
    /// change makes one. `run` must start at `now` (no edges of its own).
    fn switch(&mut self, now: u64, run: Run) {
        let before = self.sample(now).1;
        self.edges = self.edges(now);
        self.run = run;
        if self.sample(now).1 && !before {
            self.edges = self.edges.wrapping_add(1);
        }
    }

    /// CE's count at `now` as `Held` stores it (1..=modulus).
    fn held_count(&self, now: u64) -> u32 {
        match self.sample(now).0 {
            0 => self.modulus,
            c => c,
        }
    }

    /// A new control word at `now`: the counter stops, OUT goes to the
    /// mode's initial level (low in mode 0, else high).
    pub fn program(&mut self, now: u64, mode: Mode, modulus: u32) {
        let count = self.held_count(now) % modulus;
        let out = mode != Mode::TerminalCount;
        self.switch(now, held(if count == 0 { modulus } else { count }, out));
        self.mode = mode;
        self.modulus = modulus;
    }

    /// Mode 0, first byte of a two-byte count: counting stops, OUT low.
    pub fn stop(&mut self, now: u64) {
        let count = self.held_count(now);
        self.switch(now, held(count, false));
    }

    /// A whole count `n` (1..=modulus) written at `now` with GATE `gate`.
    /// Modes 1 and 5 wait for a trigger ([`Wave::gate`]) instead.
    pub fn load(&mut self, now: u64, n: u32, gate: bool) {
        let armed = |out| Run::Held {
            count: n,
            out,
            armed: true,
            loaded: true,
        };
        match (self.mode, self.run) {
            (Mode::OneShot | Mode::HardStrobe, _) => {}
            (Mode::TerminalCount | Mode::SoftStrobe, _) => {
                let out = self.mode == Mode::SoftStrobe;
                self.switch(now, if gate { single(now, n) } else { armed(out) });
            }
            (_, Run::Periodic { origin, .. }) => {
                self.settle(now);
                let Run::Periodic { cur, .. } = self.run else {
                    return;
                };
                let k = ticks(now.saturating_sub(origin));
                let p = cur.pos(k);
                let mut nx = cycle(k + (u64::from(cur.n) - p), n, 0);
                if self.mode == Mode::Square && p < cur.high() {
                    nx.begin = k + (cur.high() - p);
                    nx.phase = nx.high() as u32;
                }
                self.run = Run::Periodic {
                    origin,
                    cur,
                    next: Some(nx),
                };
            }
            _ if gate => self.switch(now, periodic(now, n)),
            _ => self.switch(now, held(n, true)),
        }
    }

    /// Folds a pending cycle that has taken over by `now` into the run.
    fn settle(&mut self, now: u64) {
        if let Run::Periodic {
            origin,
            cur,
            next: Some(nx),
        } = self.run
            && ticks(now.saturating_sub(origin)) >= nx.begin
        {
            self.edges = self.edges.wrapping_add(cur.rises(nx.begin));
            self.run = Run::Periodic {
                origin,
                cur: nx,
                next: None,
            };
        }
    }

    /// GATE changed to `level` at `now`; `cr` is the count register (the
    /// last count written), which a trigger loads. Returns whether it
    /// loaded `cr` (a trigger of modes 1, 2, 3, 5).
    pub fn gate(&mut self, now: u64, level: bool, cr: Option<u32>) -> bool {
        let triggered = match self.mode {
            Mode::TerminalCount | Mode::SoftStrobe => {
                self.gate_enable(now, level);
                return false;
            }
            Mode::OneShot | Mode::HardStrobe => cr.filter(|_| level).map(|n| single(now, n)),
            Mode::Rate | Mode::Square if level => cr.map(|n| periodic(now, n)),
            Mode::Rate | Mode::Square => {
                let count = self.held_count(now);
                self.switch(now, held(count, true));
                return false;
            }
        };
        triggered.map(|run| self.switch(now, run)).is_some()
    }

    /// Modes 0 and 4: GATE low holds CE and OUT, GATE high resumes.
    fn gate_enable(&mut self, now: u64, level: bool) {
        match self.run {
            Run::Single {
                origin,
                start,
                armed,
            } if !level => {
                let k = ticks(now.saturating_sub(origin));
                let (_, out) = self.sample(now);
                let armed = armed && k < u64::from(start);
                let count = if armed {
                    start - k as u32
                } else {
                    self.held_count(now)
                };
                let run = Run::Held {
                    count,
                    out,
                    armed,
                    loaded: true,
                };
                self.switch(now, run);
            }
            Run::Held {
                count,
                armed,
                loaded: true,
                ..
            } if level => {
                let run = Run::Single {
                    origin: now,
                    start: count,
                    armed,
                };
                self.switch(now, run);
            }
            _ => {}
        }
    }
}

/// A cycle of count `n`; 1, which the datasheet forbids in modes 2 and 3,
/// counts as 2.
fn cycle(begin: u64, n: u32, phase: u32) -> Cycle {
    Cycle {
        begin,
        n: n.max(2),
        phase,
    }
}

/// Not counting, waiting for a count (or a trigger in modes 1, 2, 3, 5).
fn held(count: u32, out: bool) -> Run {
    Run::Held {
        count,
        out,
        armed: false,
        loaded: false,
    }
}

/// A one-shot counting down from `start` from `now` on.
fn single(now: u64, start: u32) -> Run {
    Run::Single {
        origin: now,
        start,
        armed: true,
    }
}

/// Mode 2 or 3 with count `n` from `now` on, OUT high.
fn periodic(now: u64, n: u32) -> Run {
    Run::Periodic {
        origin: now,
        cur: cycle(0, n, 0),
        next: None,
    }
}
