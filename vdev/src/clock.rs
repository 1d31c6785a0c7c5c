//! Time for the device models that count it (the PC's interval timer and
//! real-time clock): they never read a clock themselves but ask the
//! [`Clock`] they were made with, so tests drive time by hand and `qvm`
//! gives them its monotonic clock.

/// A monotonic clock in nanoseconds.
pub trait Clock: Send {
    /// Nanoseconds since some fixed point; never goes back.
    fn now_ns(&self) -> u64;
}

impl<F: Fn() -> u64 + Send> Clock for F {
    fn now_ns(&self) -> u64 {
        self()
    }
}
