//! The `set on-reset restart` case (`boot/boards/qemu-virt-restart.build`):
//! a `ticker` VM whose guest resets on the typed line `r`.
//!
//! Checked, in order: the guest resets; `qvm` says so and starts the VM
//! again; the guest comes up a second time and ticks from 1 again (a fresh
//! VM: its counter is in RAM that was loaded anew); `q` powers it off and
//! `qvm` ends with 0, all its memory back. Then a second `qvm` whose guest
//! resets every time it comes up: restarted 5 times, then the sixth reset
//! within 60 s ends it (status 0, memory back).

use super::cases::{Case, INIT_EXIT_0, STARTUP, STARTUP_DONE, machine};
use super::matcher::Expect;
use crate::qemu::{Cpu, Gic};

/// The buildfile the case boots.
pub const BUILDFILE: &str = "boot/boards/qemu-virt-restart.build";

/// The ticker's line when it starts.
const UP: &str = "ticker1: ticker: up on 1 CPU";

/// `ktest memcheck`'s line for one `qvm` run that ended with 0.
const MEMCHECK: &str = r"ktest memcheck: 'qvm @/etc/vm/ticker1\.qvmconf set on-reset restart' ended with Ok\(0\), free memory";

/// The restart lines of reset `n`.
fn restarted(n: u32) -> [String; 3] {
    [
        "ticker1: ticker: resetting".to_string(),
        "qvm: ticker1: the guest asked for a reset".to_string(),
        format!(r"qvm: ticker1: restarting the VM \(set on-reset restart; restart {n}\)"),
    ]
}

/// The one case.
pub fn cases() -> Vec<Case> {
    let line = |p: &str| Expect::line(p);
    let mut case = Case::new(
        "qvm-restart-a72-gic3-smp2",
        machine(Cpu::CortexA72, Gic::V3, 2),
    )
    .buildfile(BUILDFILE)
    .timeout(180)
    .lines(&[STARTUP])
    .then(line(UP).then_type(b"r\r"))
    .lines(&restarted(1))
    .then(line(UP))
    .then(line(r"ticker1: ticker: tick 1\b").then_type(b"q\r"))
    .lines(&[
        "ticker1: ticker: powering off",
        "qvm: ticker1: the guest powered off",
        MEMCHECK,
    ]);
    // The second run: reset at every start.
    for n in 1..=5 {
        case = case.then(line(UP).then_type(b"r\r")).lines(&restarted(n));
    }
    vec![case.then(line(UP).then_type(b"r\r")).lines(&[
        "ticker1: ticker: resetting",
        "qvm: ticker1: the guest asked for a reset",
        "qvm: ticker1: the guest reset more than 5 times within 60 s: not restarting it again",
        MEMCHECK,
        STARTUP_DONE,
        INIT_EXIT_0,
    ])]
}
