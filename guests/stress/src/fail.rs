//! The first wrong answer ends the run: the CPU that sees it prints
//! `stress: FAIL: cpu N: ...` (what was expected and what was seen) and
//! powers the machine off; a CPU that finds another one already failing
//! stops quietly, so only the first failure is reported.

use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};
use gsupport::{cpu, println, psci};

static FAILED: AtomicBool = AtomicBool::new(false);

/// Reports `what` went wrong on this CPU and powers off.
pub fn fail(what: fmt::Arguments<'_>) -> ! {
    if FAILED.swap(true, Ordering::SeqCst) {
        cpu::halt()
    }
    println!("stress: FAIL: cpu {}: {what}", cpu::index());
    psci::system_off()
}

/// Whether some CPU has failed (the others then stop).
pub fn failed() -> bool {
    FAILED.load(Ordering::Relaxed)
}

/// Fails with `what: expected E, saw S` unless `seen == expected`.
pub fn expect(what: fmt::Arguments<'_>, expected: u64, seen: u64) {
    if seen != expected {
        fail(format_args!(
            "{what}: expected {expected:#x}, saw {seen:#x}"
        ));
    }
}

/// `fail!("...", args)`: [`fail`] with a format string.
#[macro_export]
macro_rules! fail {
    ($($arg:tt)*) => {
        $crate::fail::fail(format_args!($($arg)*))
    };
}
