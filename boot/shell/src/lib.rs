//! The host shell's pure part: what a typed line asks for ([`command`]),
//! and the tables `pidin` prints ([`pidin`]) and the processes `slay`
//! means ([`slay`]), made from the kernel's records without any system
//! call, so the build host tests them. The `shell` binary (`main.rs`)
//! reads the records and prints the tables.
#![cfg_attr(not(test), no_std)]

extern crate alloc;

pub mod command;
pub mod pidin;
pub mod slay;

use abi::ProcessInfo;
use alloc::format;
use alloc::string::String;

/// The text of a NUL-padded name.
pub fn text(bytes: &[u8]) -> &str {
    let len = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    core::str::from_utf8(&bytes[..len]).unwrap_or("?")
}

/// The name of process `pid` in `procs` (`?` if it is not there).
pub fn process_name(procs: &[ProcessInfo], pid: u64) -> &str {
    procs
        .iter()
        .find(|p| p.pid == pid)
        .map_or("?", |p| text(&p.name))
}

/// A size for people: whole `G`, `M` or `K` where it is one, else
/// kilobytes below 10 MiB and megabytes with a tenth above (`1.5M`).
pub fn size(bytes: u64) -> String {
    const K: u64 = 1 << 10;
    const M: u64 = 1 << 20;
    const G: u64 = 1 << 30;
    match bytes {
        0 => String::from("0"),
        b if b % G == 0 => format!("{}G", b / G),
        b if b % M == 0 => format!("{}M", b / M),
        b if b % K == 0 && b < 10 * M => format!("{}K", b / K),
        b if b < K => format!("{b}B"),
        b if b < 10 * M => format!("{}.{}K", b / K, b % K * 10 / K),
        b => format!("{}.{}M", b / M, b % M * 10 / M),
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Records for the tests.

    use abi::ProcessInfo;

    /// A `process_list` row.
    pub fn process(pid: u64, parent: u64, name: &str) -> ProcessInfo {
        let mut row = ProcessInfo {
            pid,
            parent,
            threads: 1,
            memory: 0,
            name: [0; 32],
        };
        row.name[..name.len()].copy_from_slice(name.as_bytes());
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(size(0), "0");
        assert_eq!(size(4096), "4K");
        assert_eq!(size(12 << 10), "12K");
        assert_eq!(size(32 << 20), "32M");
        assert_eq!(size(1 << 30), "1G");
        assert_eq!(size(3 << 29), "1536M");
        assert_eq!(size(100), "100B");
        assert_eq!(size(1536), "1.5K");
        assert_eq!(size((900 << 20) + (300 << 10)), "900.2M");
        assert_eq!(size((5 << 20) + (300 << 10)), "5420K");
    }

    #[test]
    fn names_processes() {
        let procs = [
            testing::process(1, 0, "init"),
            testing::process(7, 1, "qvm"),
        ];
        assert_eq!(process_name(&procs, 7), "qvm");
        assert_eq!(process_name(&procs, 9), "?");
        assert_eq!(text(b"ab\0\0"), "ab");
        assert_eq!(text(b"abcd"), "abcd");
    }
}
