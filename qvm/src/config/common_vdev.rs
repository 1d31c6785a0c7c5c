//! The options QNX gives every `vdev` besides `loc`, `intr` and `name`:
//! `hostvector N` (a host interrupt the device is driven by) and `delayed
//! SECONDS|forever` (open the host side at the guest's first access, retry
//! that long), as the parser keeps them (`common_vdev_parse.rs` reads
//! them) for any type; what `qvm` does with them is
//! `honour`'s to say.

use alloc::format;

use super::Origin;

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
