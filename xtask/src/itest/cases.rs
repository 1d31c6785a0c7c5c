//! The QEMU integration test cases, as data.
//!
//! A case boots an image on a machine and expects console lines in order
//! (regular expressions, searched anywhere in a line). [`Case::new`] starts
//! every case with the kernel banner, checked against the case's machine;
//! add the rest with [`Case::lines`]. To add a case, push one more
//! [`Case`] in [`all`], for example:
//!
//! ```text
//! Case::new("threads-smp4", machine(Cpu::CortexA72, Gic::V3, 4))
//!     .lines(&[STARTUP, r"ktest threads: \d+ threads on 4 CPUs", STARTUP_DONE, INIT_EXIT_0]),
//! ```
//!
//! Options: `.buildfile("boot/boards/other.build")` boots another image,
//! `.timeout(300)` waits longer, `.then(Expect::line(..).group(..))` adds a
//! line with named groups that must have given values.

use std::time::Duration;

use super::matcher::Expect;
use crate::qemu::{Cpu, EntryLevel, Gic, Machine};

/// Lines that fail a case wherever they appear (unless the case's next
/// expectation matches them). Regular expressions.
pub const BAD_LINES: &[&str] = &[
    "KERNEL PANIC",
    "FAIL",
    "panicked at",
    r"init: '.*' exited with status",
    "init: cannot start",
    "qhv: cannot start",
    "did not start",
    "did not report in",
];

/// The buildfile of the test image, relative to the repository root.
pub const TEST_BUILDFILE: &str = "boot/boards/qemu-virt-test.build";

/// How long a case may take, unless it says otherwise. Generous: the test
/// machine is a shared 2-core box running QEMU in TCG.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// The kernel banner. Its groups `cpus` and `gic` are checked against the
/// case's machine.
pub const BANNER: &str =
    r"qhv: hypervisor kernel at EL2, (?P<cpus>\d+) CPUs?, (?P<mib>\d+) MiB RAM, GICv(?P<gic>\d)";
/// `init` starts the startup script.
pub const STARTUP: &str = r"init: running /etc/startup";
/// `init` ran the whole startup script.
pub const STARTUP_DONE: &str = r"init: startup script done";
/// `init` exited with status 0; the kernel then powers off.
pub const INIT_EXIT_0: &str = r"qhv: init exited with status 0";

/// All integration cases.
pub fn all() -> Vec<Case> {
    let mut cases = Vec::new();

    // Boot matrix: {cortex-a72 (no VHE), max} x {GICv2, GICv3} x {1, 4 CPUs}.
    for cpu in [Cpu::CortexA72, Cpu::Max] {
        for gic in [Gic::V2, Gic::V3] {
            for smp in [1, 4] {
                let short = cpu.name().trim_start_matches("cortex-");
                cases.push(
                    Case::new(
                        format!("boot-{short}-gic{gic}-smp{smp}"),
                        machine(cpu, gic, smp),
                    )
                    .lines(&kernel_tests(smp)),
                );
            }
        }
    }

    // Entry at EL3: the kernel drops to EL2 itself (one CPU: QEMU offers no
    // PSCI with secure=on). The demo image needs no interrupts.
    let mut el3 = machine(Cpu::CortexA72, Gic::V3, 1);
    el3.entry = EntryLevel::El3;
    cases.push(
        Case::new("entry-el3-a72-gic3", el3)
            .buildfile("boot/boards/qemu-virt.build")
            .lines(&[STARTUP, "ktest hello: a host process at EL0", STARTUP_DONE]),
    );
    // Entry at EL1: the kernel refuses, saying why.
    let mut el1 = machine(Cpu::CortexA72, Gic::V3, 1);
    el1.entry = EntryLevel::El1;
    cases.push(
        Case::bare("entry-el1-refused", el1)
            .lines(&[r"qhv: started at EL1: this hypervisor must be entered at EL2"]),
    );

    cases
}

/// What the test image's startup script (`ktest` in every mode) prints on
/// a machine with `smp` CPUs, in order.
pub fn kernel_tests(smp: u32) -> Vec<String> {
    let fault = |access: &str, what: &str| {
        format!(r"qhv: process \d+ \(ktest\) ended: {access}.* at {what}")
    };
    vec![
        STARTUP.into(),
        "ktest hello: a host process at EL0".into(),
        format!("ktest threads: pinned threads ran on each of {smp} CPUs"),
        format!(r"ktest threads: \d+ spinning threads all ran, on {smp} CPUs"),
        "ktest threads: futex mutex kept 4 threads x 500 increments exact".into(),
        "ktest threads: ok".into(),
        fault(r"data abort \(write, translation fault", "0x40000000"),
        "ktest isolate: the scribbler was ended and the victim's memory is intact: ok".into(),
        fault(r"data abort \(read, translation fault", "0x40000000"),
        "ktest expect-fault: 'read-kernel' was ended by the kernel: ok".into(),
        fault(r"data abort \(write, translation fault", "0x40001000"),
        "ktest expect-fault: 'write-kernel' was ended by the kernel: ok".into(),
        fault("undefined instruction", "pc"),
        "ktest expect-fault: 'undef' was ended by the kernel: ok".into(),
        "ktest kill: a spinning process was ended with status 42: ok".into(),
        r"ktest badcalls: \d+ checks passed".into(),
        "ktest spawnloop: 200 spawn/exit cycles".into(),
        STARTUP_DONE.into(),
        "init: background job 'ktest late 200' ended with status 0".into(),
        INIT_EXIT_0.into(),
    ]
}

/// A machine with the default 1 GiB of RAM.
pub fn machine(cpu: Cpu, gic: Gic, smp: u32) -> Machine {
    Machine {
        cpu,
        gic,
        smp,
        mem: "1G".into(),
        entry: EntryLevel::El2,
    }
}

/// One integration test: boot `buildfile`'s image on `machine` and see the
/// `expect` lines in order within `timeout`.
#[derive(Clone, Debug)]
pub struct Case {
    /// Unique name; also the name of its log, `target/test-logs/<name>.log`.
    pub name: String,
    /// What QEMU emulates.
    pub machine: Machine,
    /// The image's buildfile, relative to the repository root.
    pub buildfile: String,
    /// The expected console lines, in order.
    pub expect: Vec<Expect>,
    /// How long the whole run may take.
    pub timeout: Duration,
}

impl Case {
    /// A case booting the test image on `machine`, expecting the kernel
    /// banner with the machine's CPU count and GIC version.
    pub fn new(name: impl Into<String>, machine: Machine) -> Case {
        let banner = Expect::line(BANNER)
            .group("cpus", machine.smp)
            .group("gic", machine.gic);
        Case {
            name: name.into(),
            machine,
            buildfile: TEST_BUILDFILE.into(),
            expect: vec![banner],
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// A case that expects no banner (the kernel does not get that far).
    pub fn bare(name: impl Into<String>, machine: Machine) -> Case {
        Case {
            name: name.into(),
            machine,
            buildfile: TEST_BUILDFILE.into(),
            expect: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Then expect these lines, in order.
    pub fn lines(mut self, patterns: &[impl AsRef<str>]) -> Case {
        self.expect
            .extend(patterns.iter().map(|p| Expect::line(p.as_ref())));
        self
    }

    /// Then expect this line.
    #[allow(dead_code, reason = "for cases to come")]
    pub fn then(mut self, expect: Expect) -> Case {
        self.expect.push(expect);
        self
    }

    /// Boot the image of another buildfile (relative to the repository root).
    pub fn buildfile(mut self, path: &str) -> Case {
        self.buildfile = path.into();
        self
    }

    /// Allow this many seconds instead of [`DEFAULT_TIMEOUT`].
    #[allow(dead_code, reason = "for cases to come")]
    pub fn timeout(mut self, seconds: u64) -> Case {
        self.timeout = Duration::from_secs(seconds);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::itest::matcher::check;
    use regex_lite::Regex;

    #[test]
    fn cases_are_well_formed() {
        let cases = all();
        assert_eq!(cases.len(), 10);
        let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), cases.len(), "case names must be unique");
        for case in &cases {
            case.machine.validate().unwrap();
            assert!(!case.expect.is_empty());
            assert!(
                crate::build::root().join(&case.buildfile).is_file(),
                "{}: no {}",
                case.name,
                case.buildfile
            );
            let safe = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
            assert!(case.name.chars().all(safe), "{}", case.name);
        }
        assert!(names.contains(&"boot-a72-gic3-smp4"));
        assert!(names.contains(&"boot-max-gic2-smp1"));
        for bad in BAD_LINES {
            Regex::new(bad).unwrap();
        }
    }

    #[test]
    fn a_boot_case_passes_on_a_recorded_console() {
        let case = all()
            .into_iter()
            .find(|c| c.name == "boot-a72-gic3-smp4")
            .unwrap();
        let bad: Vec<Regex> = BAD_LINES.iter().map(|b| Regex::new(b).unwrap()).collect();
        // The console of a real passing run.
        let good: Vec<&str> = include_str!("testdata/boot-a72-gic3-smp4.log")
            .lines()
            .collect();
        assert_eq!(check(&case.expect, &bad, good.iter().copied()), Ok(()));
        let one_cpu: Vec<String> = good.iter().map(|l| l.replace("4 CPUs", "1 CPU")).collect();
        assert!(check(&case.expect, &bad, one_cpu.iter().map(String::as_str)).is_err());
        let mut failing = good.clone();
        failing.insert(10, "init: 'ktest badcalls' exited with status 0x1");
        assert!(check(&case.expect, &bad, failing.iter().copied()).is_err());
        let truncated = &good[..good.len() - 3];
        assert!(check(&case.expect, &bad, truncated.iter().copied()).is_err());
    }
}
