//! Which of `qvm`'s own messages the `logger` options show, on the `log`
//! facade: the QNX levels map onto [`log::Level`]s (fatal, internal and
//! error are all [`Level::Error`], fatal ones carry the target [`FATAL`],
//! internal ones [`INTERNAL`]; verbose is [`Level::Trace`]), and [`Shown`]
//! is the set of QNX levels a configuration shows. Internal errors are
//! always shown, as QNX always sends them to `slog` (`logger internal slog`
//! is always on there); `slog` itself is the host console. The logger itself is in the `qvm` program
//! (`src/logger.rs`).

use log::{Level, LevelFilter, Metadata};

use crate::config::{Config, LogDest, LogLevel};

/// The target of fatal messages (written with [`fatal!`](crate::fatal)):
/// an error with this target is a QNX `fatal` message, any other error a
/// QNX `error` one.
pub const FATAL: &str = "fatal";

/// The target of internal errors (an error in `qvm` itself): an error with
/// this target is a QNX `internal` message.
pub const INTERNAL: &str = "internal";

/// Logs a QNX `fatal` message: a [`log::error!`] with the target [`FATAL`].
#[macro_export]
macro_rules! fatal {
    ($($arg:tt)+) => { ::log::error!(target: $crate::logfilter::FATAL, $($arg)+) };
}

/// The `log` level of a QNX level.
pub fn log_level(level: LogLevel) -> Level {
    match level {
        LogLevel::Fatal | LogLevel::Internal | LogLevel::Error => Level::Error,
        LogLevel::Warn => Level::Warn,
        LogLevel::Info => Level::Info,
        LogLevel::Debug => Level::Debug,
        LogLevel::Verbose => Level::Trace,
    }
}

/// The QNX level of a message.
pub fn qnx_level(meta: &Metadata) -> LogLevel {
    match meta.level() {
        Level::Error if meta.target() == FATAL => LogLevel::Fatal,
        Level::Error if meta.target() == INTERNAL => LogLevel::Internal,
        Level::Error => LogLevel::Error,
        Level::Warn => LogLevel::Warn,
        Level::Info => LogLevel::Info,
        Level::Debug => LogLevel::Debug,
        Level::Trace => LogLevel::Verbose,
    }
}

/// A set of QNX levels: those whose messages are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shown(u32);

const fn bit(level: LogLevel) -> u32 {
    1 << level as u32
}

const ALL: [LogLevel; 7] = [
    LogLevel::Fatal,
    LogLevel::Internal,
    LogLevel::Error,
    LogLevel::Warn,
    LogLevel::Info,
    LogLevel::Debug,
    LogLevel::Verbose,
];

impl Shown {
    /// Without `logger` options: fatal, internal, error, warn and info
    /// (QNX's default, `logger fatal,internal,error,warn,info stderr`).
    pub const DEFAULT: Shown = Shown(
        bit(LogLevel::Fatal)
            | bit(LogLevel::Internal)
            | bit(LogLevel::Error)
            | bit(LogLevel::Warn)
            | bit(LogLevel::Info),
    );

    /// What `config`'s `logger` options show: [`Shown::DEFAULT`] without
    /// any, else the levels of the loggers whose destination is not `none`
    /// (`stdout`, `stderr` and `slog` all mean the host console), and
    /// internal errors always.
    pub fn from_config(config: &Config) -> Shown {
        if config.loggers.is_empty() {
            return Shown::DEFAULT;
        }
        Shown(
            config
                .loggers
                .iter()
                .filter(|l| l.dest != LogDest::None)
                .flat_map(|l| l.levels.iter())
                .fold(bit(LogLevel::Internal), |m, &level| m | bit(level)),
        )
    }

    /// Whether messages of `level` are shown.
    pub fn shows(self, level: LogLevel) -> bool {
        self.0 & bit(level) != 0
    }

    /// Whether the message `meta` describes is shown.
    pub fn shows_message(self, meta: &Metadata) -> bool {
        self.shows(qnx_level(meta))
    }

    /// The most verbose `log` level shown ([`log::set_max_level`]), `Off`
    /// if none is.
    pub fn max_level(self) -> LevelFilter {
        ALL.iter()
            .filter(|&&l| self.shows(l))
            .map(|&l| log_level(l).to_level_filter())
            .max()
            .unwrap_or(LevelFilter::Off)
    }

    /// The set as bits, to keep in an atomic.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// The set from [`Shown::bits`].
    pub const fn from_bits(bits: u32) -> Shown {
        Shown(bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_str;

    fn shown(text: &str) -> Shown {
        Shown::from_config(&parse_str("t.conf", text).unwrap())
    }

    fn meta(level: Level, target: &str) -> Metadata<'_> {
        Metadata::builder().level(level).target(target).build()
    }

    #[test]
    fn default_is_fatal_to_info() {
        let s = shown("");
        assert_eq!(s, Shown::DEFAULT);
        for l in [
            LogLevel::Fatal,
            LogLevel::Error,
            LogLevel::Warn,
            LogLevel::Info,
        ] {
            assert!(s.shows(l));
        }
        assert!(!s.shows(LogLevel::Debug) && !s.shows(LogLevel::Verbose));
        assert_eq!(s.max_level(), LevelFilter::Info);
        assert!(s.shows_message(&meta(Level::Info, "qvm::vcpu_loop")));
        assert!(!s.shows_message(&meta(Level::Debug, "qvm::vcpu_loop")));
    }

    #[test]
    fn fatal_alone_shows_fatal_not_error() {
        let s = shown("logger fatal stdout\n");
        assert!(s.shows_message(&meta(Level::Error, FATAL)));
        assert!(!s.shows_message(&meta(Level::Error, "qvm::vcpu_loop")));
        assert_eq!(s.max_level(), LevelFilter::Error);
    }

    #[test]
    fn error_alone_shows_error_not_fatal() {
        let s = shown("logger error stderr\n");
        assert!(!s.shows_message(&meta(Level::Error, FATAL)));
        assert!(s.shows_message(&meta(Level::Error, "qvm")));
    }

    #[test]
    fn union_of_loggers_not_to_none() {
        let s = shown("logger warn stdout\nlogger verbose stderr\nlogger info,debug none\n");
        assert!(s.shows(LogLevel::Warn) && s.shows(LogLevel::Verbose));
        assert!(!s.shows(LogLevel::Info) && !s.shows(LogLevel::Debug));
        assert!(!s.shows(LogLevel::Error) && !s.shows(LogLevel::Fatal));
        assert!(s.shows_message(&meta(Level::Trace, "qvm")));
        assert!(!s.shows_message(&meta(Level::Debug, "qvm")));
        assert_eq!(s.max_level(), LevelFilter::Trace);
    }

    #[test]
    fn only_none_shows_internal_errors_alone() {
        let s = shown("logger fatal,error,warn,info none\n");
        assert!(ALL.iter().all(|&l| !s.shows(l) || l == LogLevel::Internal));
        assert!(s.shows_message(&meta(Level::Error, INTERNAL)));
        assert_eq!(s.max_level(), LevelFilter::Error);
    }

    #[test]
    fn slog_is_the_console_and_internal_is_always_on() {
        let s = shown("logger debug,info,error slog\n");
        assert!(s.shows(LogLevel::Debug) && s.shows(LogLevel::Info) && s.shows(LogLevel::Error));
        assert!(!s.shows(LogLevel::Warn) && !s.shows(LogLevel::Fatal));
        assert!(s.shows(LogLevel::Internal));
        let s = shown("logger internal stderr\n");
        assert!(s.shows_message(&meta(Level::Error, INTERNAL)));
        assert!(!s.shows_message(&meta(Level::Error, "qvm")));
        assert!(Shown::DEFAULT.shows(LogLevel::Internal));
    }

    #[test]
    fn levels_map_both_ways() {
        for l in ALL {
            let target = match l {
                LogLevel::Fatal => FATAL,
                LogLevel::Internal => INTERNAL,
                _ => "qvm",
            };
            assert_eq!(qnx_level(&meta(log_level(l), target)), l);
        }
        assert_eq!(Shown::from_bits(Shown::DEFAULT.bits()), Shown::DEFAULT);
    }

    /// Keeps the level, target and text of the last message.
    struct Last(std::sync::Mutex<Option<(Level, String, String)>>);

    impl log::Log for Last {
        fn enabled(&self, _: &Metadata) -> bool {
            true
        }
        fn log(&self, r: &log::Record) {
            let m = (r.level(), r.target().to_string(), r.args().to_string());
            *self.0.lock().unwrap() = Some(m);
        }
        fn flush(&self) {}
    }

    #[test]
    fn fatal_macro_logs_an_error_with_the_fatal_target() {
        // The only test that installs a logger.
        static LAST: Last = Last(std::sync::Mutex::new(None));
        log::set_logger(&LAST).unwrap();
        log::set_max_level(LevelFilter::Trace);
        crate::fatal!("qvm: {}: out of luck", "t");
        let (level, target, text) = LAST.0.lock().unwrap().take().unwrap();
        assert_eq!((level, target.as_str()), (Level::Error, FATAL));
        assert_eq!(text, "qvm: t: out of luck");
        let meta = Metadata::builder().level(level).target(&target).build();
        assert_eq!(qnx_level(&meta), LogLevel::Fatal);
    }
}
