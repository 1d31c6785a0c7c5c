//! The loop of `qvm`'s timer threads, which give devices their
//! interrupts (and the watchdogs their bites) in time, whether or not the
//! guest touches them: the 8254's and the RTC's (`ports.rs`), the
//! watchdogs' (`watchdog.rs`).

use core::sync::atomic::{AtomicU32, Ordering};

/// The longest a timer thread sleeps without news: a guest that
/// reprograms its device wakes it at once (`Vm::pit_kick`,
/// `Vm::rtc_kick`, `Vm::wdt_kick`), this bounds what a lost wake-up
/// could cost.
const TIMER_IDLE_NS: u64 = 100_000_000;

/// Wakes the timer thread that waits on `word`.
pub fn kick(word: &AtomicU32) {
    word.fetch_add(1, Ordering::Release);
    let _ = ulib::sys::futex_wake(word, 1);
}

/// A timer thread's loop: `step` brings the device's interrupt up to date
/// and says when it next changes (`None` in the outer option: the device
/// is gone); the thread sleeps until then, or until `kick` moves.
pub fn timer_loop(kick: &AtomicU32, mut step: impl FnMut() -> Option<Option<u64>>) {
    loop {
        let seen = kick.load(Ordering::Acquire);
        let Some(next) = step() else {
            return;
        };
        let wait = next.map_or(TIMER_IDLE_NS, |at| {
            at.saturating_sub(ulib::sys::clock())
                .clamp(1, TIMER_IDLE_NS)
        });
        let _ = ulib::sys::futex_wait(kick, seen, wait);
    }
}
