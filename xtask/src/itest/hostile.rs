//! The hostile-guest cases: the `hostile` guest (2 vCPUs) attacks the
//! hypervisor under each `unsupported` policy while a well-behaved
//! `ticker` VM runs beside it (`boot/boards/qemu-virt-hostile.build`).
//!
//! Checked, in order: the ticker is up; `hostile-fail` (policy `fail`)
//! prints its seed, rounds and `done` line and powers off, and `ktest
//! memcheck` finds all its memory back;
//! `hostile-abort` is ended by `qvm` at its first reference to nothing
//! (status 5, with the reason), memory back; `hostile-ignore` runs to its
//! end too, memory back; the ticker still ticks; a new host program
//! (`ktest hello`) starts; the ticker ends when told (`q`) and `init`
//! exits with 0. No line is timed: each wait is bounded only by the
//! case's timeout. In particular no ticker tick is required inside a
//! hostile VM's 4 s: on a busy 2-core build machine QEMU's four CPUs get
//! so little of it that a 2 s tick may take longer than a hostile run (a
//! timing check that failed about one run in three); the ticker's ticks
//! after the attacks, and its answer to `q`, show it survived them.

use super::cases::{Case, INIT_EXIT_0, STARTUP, STARTUP_DONE, machine};
use super::matcher::Expect;
use crate::qemu::{Cpu, Gic};

/// The buildfile the cases boot.
pub const BUILDFILE: &str = "boot/boards/qemu-virt-hostile.build";

/// One case per host GIC version.
pub fn cases() -> Vec<Case> {
    [Gic::V3, Gic::V2].into_iter().map(case).collect()
}

/// `ktest memcheck` of one hostile VM: its status, free memory back.
fn memcheck(policy: &str, status: u32) -> String {
    format!(
        r"ktest memcheck: 'qvm @/etc/vm/hostile-{policy}\.qvmconf' ended with Ok\({status}\), free memory (\d+) -> \d+ bytes"
    )
}

/// The lines of a hostile VM that runs to its end.
fn runs_to_end(policy: &str, gic: Gic) -> Vec<String> {
    let vm = format!("hostile-{policy}");
    vec![
        format!(r"{vm}: hostile: seed 0x5eed, 2 CPUs, GICv{gic}, 3 virtio devices, 4 s"),
        format!(r"{vm}: hostile: done, \d+ accesses, \d+ exceptions taken"),
        format!("qvm: {vm}: the guest powered off"),
        memcheck(policy, 0),
    ]
}

fn case(gic: Gic) -> Case {
    let line = |p: &str| Expect::line(p);
    let mut case = Case::new(
        format!("hostile-a72-gic{gic}-smp4"),
        machine(Cpu::CortexA72, gic, 4),
    )
    .buildfile(BUILDFILE)
    .timeout(150)
    .lines(&[
        STARTUP,
        "ticker1: ticker: up on 1 CPU",
        "ktest late: done after 2000 ms",
    ])
    .lines(&runs_to_end("fail", gic))
    .lines(&[
        r"qvm: hostile-abort: .*: ending the VM".to_string(),
        memcheck("abort", 5),
    ])
    .lines(&runs_to_end("ignore", gic))
    .lines(&[r"ktest hello: a host process at EL0", STARTUP_DONE]);
    case = case
        .then(line(r"ticker1: ticker: tick \d+").then_type(b"\x140"))
        .then(line(r"qhv: console input goes to 0: qvm-ticker1 \(pid \d+\)").then_type(b"q\r"))
        .then(line("qvm: ticker1: the guest powered off"))
        .then(line(
            "init: background job 'qvm @/etc/vm/ticker1.qvmconf' ended with status 0",
        ))
        .then(line(INIT_EXIT_0));
    case
}
