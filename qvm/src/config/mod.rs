//! The configuration language of `shared/qvmconf.md` (documented as
//! implemented in `docs/qvmconf.md`): tokenizer, context parser, and what the
//! options say ([`Config`]).
//!
//! ```text
//! qvm @linux.qvmconf set fdt-dump-file /tmp/g.dtb dryrun
//! ```
//! reads `linux.qvmconf` (through the caller's `read_file`), then the
//! command-line words, in order. Every error is a [`ConfigError`] that
//! displays as `FILE:LINE: message` (`<command line>:ARGNO: message` for a
//! command-line word).

mod asinfo;
mod blockdev;
mod common_vdev;
mod common_vdev_parse;
mod context;
mod devices;
mod error;
mod lexer;
mod loc;
mod options;
mod parser;
mod sched;
mod sched_form;
mod settings;
mod types;
mod value;
mod vdev;

use alloc::string::String;

pub use asinfo::{AsinfoLookup, expand as expand_asinfo};
pub use blockdev::{BLOCK_DRIVER_DIR, BlockDevice, DRIVER_WAIT_SECONDS, Partition, block_device};
pub use common_vdev::{COMMON_VDEV_OPTIONS, CommonVdevOptions, Delay};
pub use error::{COMMAND_LINE, ConfigError, Origin};
pub use lexer::{LexError, Token, tokenize};
pub use loc::{Intr, Location};
pub use parser::MAX_INCLUDE_DEPTH;
pub use settings::{LogDest, LogLevel, Logger, OnReset, Unsupported, UnsupportedAction, Vars};
pub use types::{
    Config, CpuConfig, Load, LoadKind, MAX_PRIORITY, MemAttrs, MemKind, MemOption, Pass, PassKind,
    QNX_MAX_PRIORITY, Reserve, ReserveKind, Sched, SchedPolicy, Sporadic,
};
pub use value::number;
pub use vdev::{
    DeviceOptions, GicVersion, HostDev, HostDir, HostPath, Peer, VDEV_KINDS, VdevConfig, VdevKind,
    WDT_SP805_DEFAULT_HZ,
};

/// Parses the arguments of `qvm` (without the program name): `@FILE` words
/// read a file through `read_file` (given the name as written; it returns the
/// text or a reason), other words are options and their arguments. Files may
/// include files with `@FILE` too, up to [`MAX_INCLUDE_DEPTH`] deep.
pub fn parse_args(
    args: &[&str],
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Config, ConfigError> {
    let mut p = parser::Parser::new(read_file);
    p.words(args)?;
    Ok(p.config)
}

/// As [`parse_args`], with the host's memory map: `$asinfo_start{NAME}`
/// and `$asinfo_length{NAME}` in an argument become the first address and
/// the size `asinfo` gives for the area NAME (without it, as in
/// [`parse_args`], each is an error naming the variable).
pub fn parse_args_with_asinfo(
    args: &[&str],
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
    asinfo: AsinfoLookup,
) -> Result<Config, ConfigError> {
    let mut p = parser::Parser::new(read_file);
    p.asinfo = Some(asinfo);
    p.words(args)?;
    Ok(p.config)
}

/// Parses one file's `text`, named `name` in messages; `@FILE` inside it is
/// read through `read_file`.
pub fn parse_file(
    name: &str,
    text: &str,
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Config, ConfigError> {
    let mut p = parser::Parser::new(read_file);
    p.file(name, text)?;
    Ok(p.config)
}

/// Parses one file's `text` that includes no other file.
pub fn parse_str(name: &str, text: &str) -> Result<Config, ConfigError> {
    parse_file(name, text, &mut |path| {
        Err(alloc::format!("no file '{path}' here"))
    })
}
