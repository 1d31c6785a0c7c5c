//! The Linux benchmark's figures: read from a console (`linux-bench:`
//! lines of `guests/linux/init`, the kernel's `Run /init` and, under the
//! hypervisor, the line when a VM ends), the table of a bare run beside a
//! run under qhv, the exit counts under it and what is missing.

use crate::bench::exits::{FirstRun, VmExits};

/// MiB each VM fetches in the network benchmark (`qhv.netmb`).
pub const NET_MIB: f64 = 8.0;
/// MiB hashed by the CPU-bound job (`guests/linux/init`).
pub const SHA256_MIB: &str = "64";
/// Processes forked and exec'd by the fork+exec job (`guests/linux/init`).
pub const FORKS: &str = "2000";
/// The `system` names of the VMs whose exits are printed: the Linux VM,
/// then the two of the network run (the same on both architectures).
pub const VMS: [&str; 3] = ["linux", "linux1", "linux2"];

/// What one run reports, in seconds of virtual time.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LinuxFigures {
    /// Kernel entry to `Run /init as init process`.
    pub to_init: Option<f64>,
    /// sha256 of [`SHA256_MIB`] MiB.
    pub sha256: Option<f64>,
    /// [`FORKS`] times fork and exec of `/bin/true`.
    pub fork_exec: Option<f64>,
    /// Writing 8 MiB to the virtio disk (with fsync).
    pub blk_write: Option<f64>,
    /// Reading them back after dropping the page cache.
    pub blk_read: Option<f64>,
    /// VM 1 and VM 2 each fetching [`NET_MIB`] from the other.
    pub net_fetch: [Option<f64>; 2],
    /// The `qvm` process started to the guest's first instruction (the
    /// kernel's line when the VM ends; under qhv only).
    pub qvm_start: Option<f64>,
}

/// The time from `qvm`'s start to the guest's first instruction, in
/// seconds, from the VM's exit line; `None` if it never ran or the line
/// does not say.
pub fn qvm_start(exits: Option<&VmExits>) -> Option<f64> {
    match exits?.first_run? {
        FirstRun::AfterMs(ms) => Some(ms / 1000.0),
        FirstRun::Never => None,
    }
}

/// Reads the figures from a console.
pub fn parse<'a>(lines: impl IntoIterator<Item = &'a str>) -> LinuxFigures {
    let mut f = LinuxFigures::default();
    for line in lines {
        if let Some(rest) = line
            .split("] Run /init as init process")
            .next()
            .filter(|_| line.contains("Run /init"))
        {
            f.to_init = rest.rsplit('[').next().and_then(|t| t.trim().parse().ok());
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        let num = |i: usize| words.get(i).and_then(|w| w.parse::<f64>().ok());
        if let Some(at) = words.iter().position(|w| *w == "linux-bench:") {
            match words.get(at + 1..at + 4) {
                Some(["sha256", mib, "MiB"]) if *mib == SHA256_MIB => {
                    f.sha256 = num(at + 5).zip(num(at + 4)).map(|(b, a)| b - a)
                }
                Some(["fork-exec", n, "/bin/true"]) if *n == FORKS => {
                    f.fork_exec = num(at + 5).zip(num(at + 4)).map(|(b, a)| b - a)
                }
                Some(["vda", "write", "8"]) => {
                    f.blk_write = num(at + 6).zip(num(at + 5)).map(|(b, a)| b - a);
                    f.blk_read = num(at + 9).zip(num(at + 8)).map(|(b, a)| b - a);
                }
                Some(["net", "fetch", _]) => {
                    let vm = match words.first() {
                        Some(&"linux1:") => 0,
                        _ => 1,
                    };
                    f.net_fetch[vm] = num(at + 6).zip(num(at + 5)).map(|(b, a)| b - a);
                }
                _ => {}
            }
        }
    }
    f
}

fn ms(v: Option<f64>) -> String {
    v.map_or("-".into(), |s| format!("{:.0} ms", s * 1000.0))
}

fn ratio(vm: Option<f64>, bare: Option<f64>) -> String {
    match (vm, bare) {
        (Some(v), Some(b)) if b > 0.0 => format!("{:.2}", v / b),
        _ => "-".into(),
    }
}

fn throughput(mib: f64, v: Option<f64>) -> String {
    v.filter(|s| *s > 0.0)
        .map_or("-".into(), |s| format!("{:.1} MiB/s", mib / s))
}

/// The table of both runs, headed `title`.
pub fn table(title: &str, bare: &LinuxFigures, vm: &LinuxFigures) -> String {
    let mut t = format!("| {title} | QEMU alone | under qhv | ratio |\n|---|---:|---:|---:|\n");
    // A row of both runs and their ratio.
    let both = |what: &str, bare: Option<f64>, vm: Option<f64>| {
        format!(
            "| {what} | {} | {} | {} |\n",
            ms(bare),
            ms(vm),
            ratio(vm, bare)
        )
    };
    t += &both("time to /init", bare.to_init, vm.to_init);
    t += &both(
        &format!("sha256 of {SHA256_MIB} MiB (CPU-bound)"),
        bare.sha256,
        vm.sha256,
    );
    t += &both(
        &format!("{FORKS} fork+exec of /bin/true"),
        bare.fork_exec,
        vm.fork_exec,
    );
    t += &format!(
        "| virtio-blk write 8 MiB + fsync | | {} ({}) | |\n",
        ms(vm.blk_write),
        throughput(8.0, vm.blk_write)
    );
    t += &format!(
        "| virtio-blk read 8 MiB, cold cache | | {} ({}) | |\n",
        ms(vm.blk_read),
        throughput(8.0, vm.blk_read)
    );
    for (i, f) in vm.net_fetch.iter().enumerate() {
        t += &format!(
            "| virtio-net, VM {} fetches 8 MiB over HTTP from VM {} | | {} ({}) | |\n",
            i + 1,
            2 - i,
            ms(*f),
            throughput(NET_MIB, *f)
        );
    }
    t += &format!(
        "| qvm start → guest's first instruction | | {} | |\n",
        ms(vm.qvm_start)
    );
    t
}

/// The lines under the table: the exits of each VM of [`VMS`] (`-` when
/// its console has no such line).
pub fn exit_lines(exits: &[Option<VmExits>; 3]) -> String {
    let runs = ["the Linux run", "the network run", "the network run"];
    let mut t = String::new();
    for ((vm, run), e) in VMS.iter().zip(runs).zip(exits) {
        let e = e.as_ref().map_or("-".into(), VmExits::to_string);
        t += &format!("exits during {run} (VM {vm}): {e}\n");
    }
    t
}

/// What is missing from the figures of a benchmark whose runs (bare, VM,
/// network) are named `runs`.
pub fn problems(
    runs: [&str; 3],
    bare: &LinuxFigures,
    vm: &LinuxFigures,
    vm_exits: &[Option<VmExits>; 3],
) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, f) in [(runs[0], bare), (runs[1], vm)] {
        if f.to_init.is_none() || f.sha256.is_none() || f.fork_exec.is_none() {
            problems.push(format!(
                "{name}: missing figures (console in target/bench/{name}.log)"
            ));
        }
    }
    if vm_exits.iter().any(Option::is_none) {
        problems.push(format!(
            "{}, {}: a VM's exit counts are missing (`qhv: qvm-NAME ... VM ended after`)",
            runs[1], runs[2]
        ));
    }
    if vm_exits[0].is_some() && vm.qvm_start.is_none() {
        problems.push(format!(
            "{}: no time to the guest's first instruction (`; guest first ran N ms ...`)",
            runs[1]
        ));
    }
    if vm.blk_write.is_none() {
        problems.push(format!("{}: no virtio-blk figures", runs[1]));
    }
    if vm.net_fetch.iter().any(Option::is_none) {
        problems.push(format!(
            "{}: no virtio-net figures (console in target/bench/{}.log)",
            runs[2], runs[2]
        ));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::exits;

    #[test]
    fn parses_a_console() {
        let console = [
            "linux: [    0.812345] Run /init as init process",
            "linux: linux-bench: sha256 64 MiB 1.20 1.75",
            "linux: linux-bench: fork-exec 2000 /bin/true 1733390000.250000000 1733390001.000000000",
            "linux: linux-bench: vda write 8 MiB 2.00 2.50 read 2.50 2.60",
            "linux2: linux-bench: net fetch 8 MiB 10.00 12.00",
            "linux1: linux-bench: net fetch 8 MiB 5.00 9.00",
        ];
        let f = parse(console);
        assert_eq!(f.to_init, Some(0.812345));
        assert!((f.sha256.unwrap() - 0.55).abs() < 1e-9);
        assert!((f.fork_exec.unwrap() - 0.75).abs() < 1e-6);
        assert!((f.blk_write.unwrap() - 0.5).abs() < 1e-9);
        assert!((f.blk_read.unwrap() - 0.1).abs() < 1e-9);
        let t = table("Linux guest", &f, &f);
        assert!(
            t.contains("| time to /init | 812 ms | 812 ms | 1.00 |"),
            "{t}"
        );
        assert!(t.contains("(16.0 MiB/s)"), "{t}");
        assert!(
            t.contains("| sha256 of 64 MiB (CPU-bound) | 550 ms | 550 ms | 1.00 |"),
            "{t}"
        );
        assert!(
            t.contains("| 2000 fork+exec of /bin/true | 750 ms | 750 ms | 1.00 |"),
            "{t}"
        );
        assert_eq!(f.net_fetch, [Some(4.0), Some(2.0)]);
        assert_eq!(f.qvm_start, None);
        assert!(
            t.ends_with("| qvm start → guest's first instruction | | - | |\n"),
            "{t}"
        );
        assert_eq!(parse(["linux-bench: sha256 16 MiB 1.0 2.0"]).sha256, None);
        assert!(
            t.contains("VM 1 fetches 8 MiB over HTTP from VM 2 | | 4000 ms (2.0 MiB/s)"),
            "{t}"
        );
    }

    #[test]
    fn gives_the_time_to_the_guests_first_instruction() {
        let ran = "qhv: qvm-linux (pid 2): VM ended after 3 exits: 1 irq, 2 mmio; 2 to qvm; \
                   guest first ran 31.678 ms after its process started";
        let e = exits::parse([ran], "linux");
        let vm = LinuxFigures {
            qvm_start: qvm_start(e.as_ref()),
            ..Default::default()
        };
        assert!((vm.qvm_start.unwrap() - 0.031678).abs() < 1e-12);
        let t = table("Linux guest", &LinuxFigures::default(), &vm);
        assert!(
            t.contains("| qvm start → guest's first instruction | | 32 ms | |\n"),
            "{t}"
        );
        assert_eq!(t.lines().count(), 2 + 8, "{t}");
        let never = "qhv: qvm-linux (pid 2): VM ended after 0 exits; 0 to qvm; guest never ran";
        assert_eq!(qvm_start(exits::parse([never], "linux").as_ref()), None);
        let older = "qhv: qvm-linux (pid 2): VM ended after 0 exits; 0 to qvm";
        assert_eq!(qvm_start(exits::parse([older], "linux").as_ref()), None);
        assert_eq!(qvm_start(None), None);
    }

    #[test]
    fn prints_each_vms_exits() {
        let line = "qhv: qvm-linux (pid 2): VM ended after 3 exits: 1 irq, 2 mmio; 2 to qvm";
        let e = [exits::parse([line], "linux"), None, None];
        let t = exit_lines(&e);
        assert_eq!(
            t.lines().collect::<Vec<_>>(),
            [
                "exits during the Linux run (VM linux): 3 exits: 1 irq, 2 mmio; 2 to qvm",
                "exits during the network run (VM linux1): -",
                "exits during the network run (VM linux2): -",
            ]
        );
    }

    #[test]
    fn the_table_is_headed_by_its_title() {
        let t = table(
            "x86 Linux guest (virtual time, -icount)",
            &LinuxFigures::default(),
            &LinuxFigures::default(),
        );
        assert!(
            t.starts_with(
                "| x86 Linux guest (virtual time, -icount) | QEMU alone | under qhv | ratio |\n\
                 |---|---:|---:|---:|\n| time to /init | - | - | - |\n"
            ),
            "{t}"
        );
    }

    #[test]
    fn names_the_runs_with_missing_figures() {
        let runs = ["x86-linux-bare", "x86-linux-vm", "x86-linux-net"];
        let none = LinuxFigures::default();
        let all = problems(runs, &none, &none, &[None, None, None]);
        assert_eq!(
            all,
            [
                "x86-linux-bare: missing figures (console in target/bench/x86-linux-bare.log)",
                "x86-linux-vm: missing figures (console in target/bench/x86-linux-vm.log)",
                "x86-linux-vm, x86-linux-net: a VM's exit counts are missing \
                 (`qhv: qvm-NAME ... VM ended after`)",
                "x86-linux-vm: no virtio-blk figures",
                "x86-linux-net: no virtio-net figures (console in target/bench/x86-linux-net.log)",
            ]
        );
        let some = Some(1.0);
        let full = LinuxFigures {
            to_init: some,
            sha256: some,
            fork_exec: some,
            blk_write: some,
            blk_read: some,
            net_fetch: [some, some],
            qvm_start: some,
        };
        let line = "qhv: qvm-linux (pid 2): VM ended after 3 exits: 1 irq, 2 pio; 2 to qvm; \
                    guest first ran 934.611 ms after its process started";
        let e = exits::parse([line], "linux");
        let exits = [e.clone(), e.clone(), e];
        assert!(problems(runs, &full, &full, &exits).is_empty());
        let no_start = LinuxFigures {
            qvm_start: None,
            ..full
        };
        assert_eq!(
            problems(runs, &full, &no_start, &exits),
            [
                "x86-linux-vm: no time to the guest's first instruction (`; guest first ran N ms ...`)"
            ]
        );
    }
}
