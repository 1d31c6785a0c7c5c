//! The kernel's logger on the `log` facade: `log::warn!`, `log::info!` and
//! the others print their message as one console line (as `kprintln!`), if
//! its level is at most [`LEVEL`]. The panic path does not go through it.

use log::{LevelFilter, Log, Metadata, Record};

/// The most verbose level printed. The kernel has no boot arguments yet, so
/// this constant is the way to pick it (`docs/architecture.md`, "Kernel
/// messages").
pub const LEVEL: LevelFilter = LevelFilter::Info;

/// Prints on the console.
struct Console;

static LOGGER: Console = Console;

impl Log for Console {
    fn enabled(&self, meta: &Metadata) -> bool {
        meta.level() <= LEVEL
    }

    fn log(&self, record: &Record) {
        if self.enabled(record.metadata()) {
            crate::kprintln!("{}", record.args());
        }
    }

    fn flush(&self) {}
}

/// Installs the logger; messages logged before are dropped.
pub fn init() {
    // Only the boot CPU calls this, once.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(LEVEL);
}
