//! How often `set on-reset restart` restarts a VM: a guest that resets
//! more than [`MAX_RESETS`] times within [`WINDOW_NS`] (one that crashes
//! while booting and resets, again and again) is not restarted again, and
//! `qvm` ends as it would without the option (status 0, the guest asked
//! for a reset), saying so. A guest that reboots now and then, even for
//! ever, is always restarted.

use alloc::collections::VecDeque;

/// Most resets within [`WINDOW_NS`] that are still restarted.
pub const MAX_RESETS: usize = 5;
/// The window, in nanoseconds (60 s).
pub const WINDOW_NS: u64 = 60_000_000_000;

/// What to do about one more reset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Restart the VM; this is restart `number` since `qvm` started (1 for
    /// the first).
    Restart {
        /// Counts every restart, not only those in the window.
        number: u64,
    },
    /// The guest reset more than [`MAX_RESETS`] times within the window:
    /// stop.
    Stop,
}

/// The resets seen recently.
#[derive(Debug, Default)]
pub struct Restarts {
    /// When the resets of the last [`WINDOW_NS`] happened, oldest first.
    recent: VecDeque<u64>,
    /// Restarts so far.
    total: u64,
}

impl Restarts {
    /// No resets yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The guest asked for a reset at `now` (nanoseconds of a clock that
    /// does not go back): restart it or stop.
    pub fn on_reset(&mut self, now: u64) -> Decision {
        while self
            .recent
            .front()
            .is_some_and(|&t| now.saturating_sub(t) >= WINDOW_NS)
        {
            self.recent.pop_front();
        }
        self.recent.push_back(now);
        if self.recent.len() > MAX_RESETS {
            return Decision::Stop;
        }
        self.total += 1;
        Decision::Restart { number: self.total }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: u64 = 1_000_000_000;

    #[test]
    fn a_reset_loop_stops_after_the_limit() {
        let mut r = Restarts::new();
        for n in 1..=MAX_RESETS as u64 {
            assert_eq!(r.on_reset(n * S), Decision::Restart { number: n });
        }
        assert_eq!(r.on_reset(10 * S), Decision::Stop);
    }

    #[test]
    fn resets_spread_out_restart_for_ever() {
        let mut r = Restarts::new();
        // One every 12 s: the one 60 s back has left the window.
        for n in 0..100u64 {
            assert_eq!(
                r.on_reset(n * 12 * S),
                Decision::Restart { number: n + 1 },
                "reset {n}"
            );
        }
    }

    #[test]
    fn the_window_slides() {
        let mut r = Restarts::new();
        for n in 0..MAX_RESETS as u64 {
            assert!(matches!(r.on_reset(n * S), Decision::Restart { .. }));
        }
        // 59 s after the first: six within 60 s.
        assert_eq!(r.on_reset(59 * S), Decision::Stop);
        let mut r = Restarts::new();
        for n in 0..MAX_RESETS as u64 {
            assert!(matches!(r.on_reset(n * S), Decision::Restart { .. }));
        }
        // 60 s after the first: that one is out of the window.
        assert_eq!(
            r.on_reset(60 * S),
            Decision::Restart {
                number: MAX_RESETS as u64 + 1
            }
        );
    }
}
