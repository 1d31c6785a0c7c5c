//! Where an option came from, and the `file:line: message` error.

use alloc::string::String;
use alloc::sync::Arc;
use core::fmt;

/// The name the command line goes by in messages: `<command line>:ARGNO`.
pub const COMMAND_LINE: &str = "<command line>";

/// Where an option was written: a file (as named in its `@file`) and a line,
/// or [`COMMAND_LINE`] and the argument's number (1 = the first argument after
/// the program name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file name as written after `@`, or [`COMMAND_LINE`].
    pub file: Arc<str>,
    /// 1-based line in the file, or argument number on the command line.
    pub line: u32,
}

impl Origin {
    /// An origin in `file` at `line`.
    pub fn new(file: &str, line: u32) -> Self {
        Origin {
            file: Arc::from(file),
            line,
        }
    }

    /// An error at this origin.
    pub fn error(&self, message: impl Into<String>) -> ConfigError {
        ConfigError {
            origin: self.clone(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A configuration error: displays as `FILE:LINE: message`.
///
/// Parsing ([`crate::config::parse_args`]) and placement
/// ([`crate::layout::place`]) report through this one type, so a bad config
/// reads the same whether `qvm` or `cargo xtask qvm-check` finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The option the error is about.
    pub origin: Origin,
    /// What is wrong, without the `file:line: ` prefix.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

impl core::error::Error for ConfigError {}
