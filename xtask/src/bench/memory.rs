//! The `vm-memory` row: the host memory a running VM takes beyond its
//! guest RAM, from the line `ktest vm-memory` prints while the VM of
//! [`CONF`] runs (`boot/ktest/src/vmmem.rs`): the kernel's free page frames
//! and free kernel heap before the VM started and while it runs, less the
//! RAM its configuration gives it.

use std::path::Path;

use anyhow::{Result, anyhow};

/// The VM's configuration, relative to the repository root.
pub const CONF: &str = "boot/vm/bench-memory.qvmconf";
/// The command line `ktest vm-memory` runs (the startup script's line
/// `ktest vm-memory COMMAND`).
pub const COMMAND: &str = "qvm @/etc/vm/bench-memory.qvmconf";
/// Its `system` name (the prefix of its guest's lines).
pub const VM: &str = "bench-mem";
/// The start of every line of `ktest vm-memory`.
pub const KTEST: &str = "ktest vm-memory: ";
/// What the guest prints once it is set up (`bench=idle`).
pub const GUEST_READY: &str = "bench: idle:";

/// What `ktest vm-memory` saw, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryReport {
    /// Free page frames before the VM started.
    pub free_before: u64,
    /// Free page frames while it ran.
    pub free_running: u64,
    /// Free kernel heap before the VM started.
    pub heap_before: u64,
    /// Free kernel heap while it ran.
    pub heap_running: u64,
    /// What of the frames the VM's processes (`qvm`) hold in their own
    /// spaces (pages and page tables, by `process_list`), if printed.
    pub processes: Option<u64>,
    /// The guest's line came before ktest's figures (it was set up).
    pub guest_ready: bool,
}

impl MemoryReport {
    /// Page frames the running VM took (guest RAM included).
    pub fn frames(&self) -> i64 {
        self.free_before as i64 - self.free_running as i64
    }

    /// Kernel heap the running VM took.
    pub fn heap(&self) -> i64 {
        self.heap_before as i64 - self.heap_running as i64
    }

    /// All it took beyond `ram` bytes of guest RAM.
    pub fn beyond_ram(&self, ram: u64) -> i64 {
        self.frames() + self.heap() - ram as i64
    }
}

/// The figures of `ktest vm-memory` in a console, if it printed them;
/// `vm` is the VM's `system` name, whose guest line must come first.
pub fn parse<'a>(lines: impl IntoIterator<Item = &'a str>, vm: &str) -> Option<MemoryReport> {
    let ready = format!("{vm}: {GUEST_READY}");
    let mut guest_ready = false;
    let mut report = None;
    for line in lines {
        if line.starts_with(&ready) {
            guest_ready = true;
        }
        let Some(rest) = line
            .strip_prefix(KTEST)
            .and_then(|l| l.split_once("' running: "))
            .map(|(_, rest)| rest)
        else {
            continue;
        };
        if let Some([free_before, free_running, heap_before, heap_running]) = figures(rest) {
            report = Some(MemoryReport {
                free_before,
                free_running,
                heap_before,
                heap_running,
                processes: None,
                guest_ready,
            });
        } else if let (Some(r), Some(bytes)) = (report.as_mut(), process_bytes(rest)) {
            r.processes = Some(bytes);
        }
    }
    report
}

/// `N new process(es) hold B bytes (...)`: B.
fn process_bytes(text: &str) -> Option<u64> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [_, "new", "process(es)", "hold", bytes, "bytes", ..] => bytes.parse().ok(),
        _ => None,
    }
}

/// `free memory B -> R bytes, kernel heap free HB -> HR bytes`.
fn figures(text: &str) -> Option<[u64; 4]> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let [
        "free",
        "memory",
        free_before,
        "->",
        free_running,
        "bytes,",
        "kernel",
        "heap",
        "free",
        heap_before,
        "->",
        heap_running,
        "bytes",
    ] = words.as_slice()
    else {
        return None;
    };
    Some([
        free_before.parse().ok()?,
        free_running.parse().ok()?,
        heap_before.parse().ok()?,
        heap_running.parse().ok()?,
    ])
}

/// The guest RAM of the configuration `conf`, in bytes, as `qvm` places it.
pub fn guest_ram(conf: &Path) -> Result<u64> {
    let checked = crate::qvm_check::check(conf).map_err(|e| anyhow!("{e}"))?;
    Ok(checked.layout.ram().map(|r| r.region.size).sum())
}

/// Bytes as KiB with thousands separators: `1,234 KiB`.
pub fn kib(bytes: i64) -> String {
    let sign = if bytes < 0 { "-" } else { "" };
    format!(
        "{sign}{} KiB",
        super::thousands((bytes.unsigned_abs() / 1024) as f64)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONSOLE: &str = "\
ktest vm-memory: 'qvm @/etc/vm/bench-memory.qvmconf': waiting until no VM runs, then starting it
bench-mem: bench: idle: waiting in WFI until the host ends the VM
ktest vm-memory: 'qvm @/etc/vm/bench-memory.qvmconf' running: free memory 1000000000 -> 931000000 bytes, kernel heap free 16000000 -> 15900000 bytes
ktest vm-memory: 'qvm @/etc/vm/bench-memory.qvmconf' running: 1 new process(es) hold 1500000 bytes (own pages and page tables)
ktest vm-memory: 'qvm @/etc/vm/bench-memory.qvmconf' ended with Ok(257), free memory 1000000000 -> 1000000000 bytes";

    #[test]
    fn parses_the_figures_and_the_order() {
        let report = parse(CONSOLE.lines(), VM).unwrap();
        assert_eq!(
            report,
            MemoryReport {
                free_before: 1_000_000_000,
                free_running: 931_000_000,
                heap_before: 16_000_000,
                heap_running: 15_900_000,
                processes: Some(1_500_000),
                guest_ready: true,
            }
        );
        assert_eq!(report.frames(), 69_000_000);
        assert_eq!(report.heap(), 100_000);
        // 64 MiB of RAM.
        assert_eq!(report.beyond_ram(64 << 20), 69_100_000 - (64 << 20));
        // Another VM's line does not count as this guest's.
        let other = parse(CONSOLE.lines(), "bench").unwrap();
        assert!(!other.guest_ready);
    }

    #[test]
    fn the_guest_line_must_come_first() {
        let lines: Vec<&str> = CONSOLE.lines().collect();
        let swapped = [lines[0], lines[2], lines[1], lines[3], lines[4]];
        assert!(!parse(swapped, VM).unwrap().guest_ready);
        // The process line alone is no report; without it there is none.
        assert_eq!(parse([lines[1], lines[3]], VM), None);
        assert_eq!(
            parse(lines[..3].iter().copied(), VM).unwrap().processes,
            None
        );
    }

    #[test]
    fn ignores_other_and_broken_lines() {
        let console = "\
ktest vm-memory: 'qvm' running: free memory x -> 1 bytes, kernel heap free 1 -> 1 bytes
ktest vm-memory: 'qvm' running: free memory 1 -> 1 bytes
FAIL ktest vm-memory: 'qvm' did not settle to one running VM within 10 s
ktest memcheck: 'qvm' running: free memory 1 -> 1 bytes, kernel heap free 1 -> 1 bytes";
        assert_eq!(parse(console.lines(), VM), None);
    }

    #[test]
    fn formats_kib() {
        assert_eq!(kib(0), "0 KiB");
        assert_eq!(kib(1_536 * 1024), "1,536 KiB");
        assert_eq!(kib(-2048), "-2 KiB");
    }

    #[test]
    fn the_memory_vm_is_the_bench_vm_waiting() {
        let root = crate::build::root();
        let conf = std::fs::read_to_string(root.join(CONF)).unwrap();
        assert!(conf.contains(&format!("system {VM}\n")));
        assert!(conf.contains("cmdline \"bench=idle\""));
        assert_eq!(guest_ram(&root.join(CONF)).unwrap(), 64 << 20);
    }
}
