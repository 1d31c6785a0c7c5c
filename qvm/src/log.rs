//! `qvm`'s own messages, filtered by the configuration's `logger` options:
//! with none, fatal to info messages are shown; otherwise the levels of the
//! loggers whose destination is not `none` (`stdout` and `stderr` both mean
//! the host console here).

use core::sync::atomic::{AtomicU32, Ordering};
use qvm::config::{Config, LogDest, LogLevel};

static SHOWN: AtomicU32 = AtomicU32::new(DEFAULT);

const fn bit(level: LogLevel) -> u32 {
    1 << level as u32
}

/// Fatal, error, warn and info.
const DEFAULT: u32 =
    bit(LogLevel::Fatal) | bit(LogLevel::Error) | bit(LogLevel::Warn) | bit(LogLevel::Info);

/// Takes the `logger` options of `config`.
pub fn configure(config: &Config) {
    if config.loggers.is_empty() {
        return;
    }
    let mask = config
        .loggers
        .iter()
        .filter(|l| l.dest != LogDest::None)
        .flat_map(|l| l.levels.iter())
        .fold(0, |m, &level| m | bit(level));
    SHOWN.store(mask, Ordering::Relaxed);
}

/// Whether messages of `level` are shown.
pub fn shown(level: LogLevel) -> bool {
    SHOWN.load(Ordering::Relaxed) & bit(level) != 0
}

/// Prints a `qvm` message of a level, if the loggers take it.
#[macro_export]
macro_rules! log {
    ($level:ident, $($arg:tt)*) => {
        if $crate::log::shown(qvm::config::LogLevel::$level) {
            ulib::println!($($arg)*);
        }
    };
}
