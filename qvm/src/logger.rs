//! `qvm`'s logger on the `log` facade: messages go to the host console as
//! lines, filtered by the configuration's `logger` options
//! ([`qvm::logfilter::Shown`]: fatal to info without any; otherwise the
//! levels of the loggers whose destination is not `none`).

use core::sync::atomic::{AtomicU32, Ordering};
use log::{Log, Metadata, Record};
use qvm::config::Config;
use qvm::logfilter::Shown;

/// The levels shown, as [`Shown::bits`].
static SHOWN: AtomicU32 = AtomicU32::new(Shown::DEFAULT.bits());

/// Prints the messages of the levels in [`SHOWN`] on the console.
struct Console;

static LOGGER: Console = Console;

impl Log for Console {
    fn enabled(&self, meta: &Metadata) -> bool {
        Shown::from_bits(SHOWN.load(Ordering::Relaxed)).shows_message(meta)
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            ulib::println!("{}", record.args());
        }
    }

    fn flush(&self) {}
}

/// Installs the logger, showing the default levels.
pub fn install() {
    // Only `main` installs it, once.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(Shown::DEFAULT.max_level());
}

/// Takes the `logger` options of `config`.
pub fn configure(config: &Config) {
    let shown = Shown::from_config(config);
    SHOWN.store(shown.bits(), Ordering::Relaxed);
    log::set_max_level(shown.max_level());
}
