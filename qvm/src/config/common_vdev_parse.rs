//! Reads QNX's options common to every `vdev` (`hostvector`, `delayed`)
//! into the open `vdev` context's [`CommonVdevOptions`].

use super::common_vdev::{CommonVdevOptions, Delay};
use super::parser::{Cursor, Parser};
use super::value;
use super::{ConfigError, Origin};

impl Parser<'_> {
    /// `word` is one of `COMMON_VDEV_OPTIONS`, in the context of
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
        let common: &mut CommonVdevOptions = &mut self.config.vdevs[i].common;
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
