//! What goes into `/chosen` besides the console: the command line and the
//! initrd's place.

use alloc::string::String;
use core::ops::Range;

use crate::config::Config;

/// What goes into `/chosen` besides the console.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Chosen {
    /// `bootargs`: the `cmdline` option.
    pub bootargs: Option<String>,
    /// `linux,initrd-start` and `linux,initrd-end` (exclusive): where the
    /// loader put the `initrd load` file.
    pub initrd: Option<Range<u64>>,
}

impl Chosen {
    /// `bootargs` from the config's `cmdline`; no initrd yet.
    pub fn from_config(config: &Config) -> Self {
        Chosen {
            bootargs: config.cmdline.clone(),
            initrd: None,
        }
    }
}
