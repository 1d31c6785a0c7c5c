//! `cargo xtask lint`: formatting and clippy with warnings denied, for the
//! host crates and for the aarch64 crates, and the import graph of the crates
//! of [`IMPORT_CRATES`] (`cargo xtask imports`). Each check counts as one
//! test.

use std::path::Path;

use crate::Tally;
use crate::build::{AARCH64_TARGET, cargo, describe};
use crate::imports;

/// Crates checked on the build host (their tests too).
const HOST_CRATES: &[&str] = &[
    "xtask",
    "boot",
    "ulib",
    "arch",
    "abi",
    "vdev",
    "qvm",
    "blkchan",
    "shell",
    "gsupport",
    "fuzz-harness",
];
/// Crates checked for the aarch64 target.
const TARGET_CRATES: &[&str] = &[
    "kernel", "arch", "ulib", "init", "ktest", "rtc", "vblk", "shell", "blkchan", "boot", "abi",
    "vdev", "qvm", "gsupport", "hello", "timer", "smp", "faults", "bench", "virtio", "hostile",
    "stress", "ticker", "shmem",
];

/// Crates checked for the x86_64 target (issue 12: the rest follow as
/// they are ported).
const X86_64_TARGET_CRATES: &[&str] = &[
    "kernel", "arch", "abi", "ulib", "init", "ktest", "boot", "shell", "hwcheck", "gsupport",
    "hello", "timer", "smp", "faults", "bench", "ticker", "shmem",
];

/// Crates whose files may not import each other in a loop beyond the knots
/// of `xtask/src/imports/allowed.txt`: one check per crate root
/// (`kernel/src/lib.rs`, `kernel/src/bin/kernel/main.rs`, ...).
pub const IMPORT_CRATES: &[&str] = &["kernel", "arch", "vdev", "qvm"];

/// Crate roots of [`IMPORT_CRATES`] whose knots are still being cut (issue
/// 9): the lint prints how many they have but does not fail on them. Remove
/// a root once `cargo xtask imports --crate <dir>` passes for it: from then
/// on the lint keeps it clean, and it fails on a root still listed here that
/// has become clean, so that the entry does not outlive its reason.
pub const IMPORTS_PENDING: &[&str] = &[];

/// Runs every check and counts the results.
pub fn run_all(root: &Path) -> Tally {
    println!("== lint");
    let mut tally = Tally::default();
    imports(root, &mut tally);
    let mut checks: Vec<(String, std::process::Command)> = Vec::new();

    let mut fmt = cargo(root);
    fmt.args(["fmt", "--all", "--", "--check"]);
    checks.push(("cargo fmt --check".into(), fmt));

    let mut host = cargo(root);
    host.arg("clippy");
    for c in HOST_CRATES {
        host.args(["-p", c]);
    }
    host.args(["--all-targets", "--", "-D", "warnings"]);
    checks.push(("clippy (host)".into(), host));

    let mut kernel_lib = cargo(root);
    kernel_lib.args([
        "clippy", "-p", "kernel", "--lib", "--tests", "--", "-D", "warnings",
    ]);
    checks.push(("clippy (kernel library, host)".into(), kernel_lib));

    let mut target = cargo(root);
    target.args(["clippy", "--target", AARCH64_TARGET]);
    for c in TARGET_CRATES {
        target.args(["-p", c]);
    }
    target.args([
        "--features",
        crate::build::USER_FEATURES,
        "--",
        "-D",
        "warnings",
    ]);
    target.env("CARGO_TARGET_DIR", root.join("target/clippy"));
    checks.push(("clippy (aarch64)".into(), target));

    let mut x86 = cargo(root);
    x86.args(["clippy", "--target", crate::build::X86_64_TARGET]);
    for c in X86_64_TARGET_CRATES {
        x86.args(["-p", c]);
    }
    x86.args(["--features", "shell/app", "--", "-D", "warnings"]);
    x86.env("CARGO_TARGET_DIR", root.join("target/clippy"));
    checks.push(("clippy (x86_64)".into(), x86));

    for (name, mut cmd) in checks {
        println!("-- {}", describe(&cmd));
        match cmd.status() {
            Ok(s) if s.success() => {
                println!("PASS {name}");
                tally.passed += 1;
            }
            Ok(s) => {
                println!("FAIL {name}: {s}");
                tally.failed += 1;
                tally.failures.push(format!("{name}: {s}"));
            }
            Err(e) => {
                println!("FAIL {name}: cannot run: {e}");
                tally.failed += 1;
                tally.failures.push(format!("{name}: cannot run: {e}"));
            }
        }
    }
    tally
}

/// The import graph of every root of [`IMPORT_CRATES`], one check each.
fn imports(root: &Path, tally: &mut Tally) {
    let fail = |tally: &mut Tally, name: String, why: String| {
        println!("FAIL {name}: {why}");
        tally.failed += 1;
        tally.failures.push(format!("{name}: {why}"));
    };
    let allowed = match imports::parse_allowed(imports::ALLOWED) {
        Ok(a) => a,
        Err(e) => return fail(tally, "imports".into(), format!("{e:#}")),
    };
    println!("-- cargo xtask imports (in process)");
    for dir in IMPORT_CRATES {
        let c = match imports::check_crate(root, dir, &allowed) {
            Ok(c) => c,
            Err(e) => {
                fail(tally, format!("imports {dir}"), format!("{e:#}"));
                continue;
            }
        };
        for g in &c.graphs {
            let name = format!("imports {}", g.id);
            let pending = IMPORTS_PENDING.contains(&g.id.as_str());
            match imports::lint_verdict(g, pending, dir) {
                imports::Verdict::Pass => {
                    println!("PASS {name}");
                    tally.passed += 1;
                }
                imports::Verdict::Fail(why) => fail(tally, name, why),
                imports::Verdict::Pending(why) => println!("PENDING {name}: {why}"),
            }
        }
    }
}
