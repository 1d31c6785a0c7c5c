//! The options QNX gives every `vdev` besides `loc`, `intr` and `name`:
//! `hostvector N` (a host interrupt the device is driven by) and `delayed
//! SECONDS|forever` (open the host side at the guest's first access, retry
//! that long). Parsed here for any type; what `qvm` does with them is
//! `honour`'s to say.

use alloc::format;

use super::parser::{Cursor, Parser};
use super::value;
use super::{ConfigError, Origin};

/// The common options a `vdev` takes besides `loc`, `intr` and `name`.
pub const COMMON_VDEV_OPTIONS: &[&str] = &["hostvector", "delayed"];

/// `delayed SECONDS|forever`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delay {
    /// Retry opening the host side this many seconds (0: try once).
    Seconds(u64),
    /// Retry for ever.
    Forever,
}

impl Delay {
    /// The argument as written.
    pub fn word(self) -> alloc::string::String {
        match self {
            Delay::Seconds(n) => format!("{n}"),
            Delay::Forever => alloc::string::String::from("forever"),
        }
    }
}

/// The common options of one `vdev`, each with the line it was given on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommonVdevOptions {
    /// `hostvector N`.
    pub hostvector: Option<(u32, Origin)>,
    /// `delayed SECONDS|forever`.
    pub delayed: Option<(Delay, Origin)>,
}

impl Parser<'_> {
    /// `word` is one of [`COMMON_VDEV_OPTIONS`], in the context of
    /// `self.config.vdevs[i]`.
    pub(super) fn common_vdev_option(
        &mut self,
        cur: &mut Cursor,
        i: usize,
        word: &str,
        at: Origin,
    ) -> Result<(), ConfigError> {
        let form = match word {
            "hostvector" => "<host interrupt>",
            _ => "<seconds>|forever",
        };
        let opt = self.opt(word, form, &at);
        let arg = self.arg(cur, &opt)?;
        let common = &mut self.config.vdevs[i].common;
        let twice = match word {
            "hostvector" => {
                let n = value::bounded(&arg.text, u32::MAX.into()).map_err(|e| opt.bad(&arg, e))?;
                common.hostvector.replace((n as u32, at.clone())).is_some()
            }
            _ => {
                let delay = match arg.text.as_str() {
                    "forever" => Delay::Forever,
                    t => Delay::Seconds(value::number(t, false).map_err(|e| opt.bad(&arg, e))?),
                };
                common.delayed.replace((delay, at.clone())).is_some()
            }
        };
        if twice {
            return Err(opt.fail(&at, "given twice"));
        }
        Ok(())
    }
}
