//! The SMP stress cases: the `stress` guest (`guests/stress`) with 4
//! vCPUs under `qvm` (`boot/boards/qemu-virt-stress.build`), every vCPU
//! at once hammering MMIO (its own PL011 register through `qvm`, the
//! kernel's virtual GIC distributor and redistributors), IPIs to every
//! vCPU and its virtual timer for 5 s of counter time, checking every
//! answer. On a 4-CPU host each vCPU can have a CPU of its own; on a
//! 2-CPU host the vCPUs share them and are switched.
//!
//! QEMU normally runs each CPU in a thread of its own (true parallelism).
//! On a busy 2-core build machine a 4-CPU host then crawls as soon as all
//! its CPUs trap at once (the kernel lock is handed from CPU to CPU, and
//! the next holder's thread is often not running): each vCPU manages
//! only a few rounds in its 5 s. The `stress-rr-*` cases run the same on
//! QEMU with all CPUs in one thread, in turn (`-accel tcg,thread=single`),
//! where each vCPU makes thousands of rounds, interleaved with the others
//! at QEMU's granularity.
//!
//! Checked, in order: the guest's start line (4 CPUs, the host's GIC), a
//! line of counts per vCPU, `stress: ok` (the guest checked that every
//! SGI sent was taken, every timer interrupt came after its deadline and
//! none was lost, every register read gave what was written or known),
//! the guest powered off and `init` exited with 0. A wrong answer is a
//! `stress: FAIL: ...` line, which fails the case at once. No line is
//! timed: each wait is bounded only by the case's timeout (the guest's
//! own run is 5 s of counter time; it waits at most 60 s for an answer).

use super::cases::{Case, INIT_EXIT_0, STARTUP, STARTUP_DONE, machine};
use crate::qemu::{Cpu, Gic};

/// The buildfile the cases boot.
pub const BUILDFILE: &str = "boot/boards/qemu-virt-stress.build";

/// vCPUs of the stress VM (`boot/vm/stress.qvmconf`).
const VCPUS: u32 = 4;

/// GICv3 and GICv2 hosts with a CPU per vCPU (a QEMU thread per CPU, and
/// one thread for all), and a GICv3 host with half as many CPUs as vCPUs.
pub fn cases() -> Vec<Case> {
    [
        (Gic::V3, 4, false),
        (Gic::V2, 4, false),
        (Gic::V3, 2, false),
        (Gic::V3, 4, true),
        (Gic::V2, 4, true),
    ]
    .into_iter()
    .map(|(gic, smp, one_thread)| case(gic, smp, one_thread))
    .collect()
}

/// What the guest prints with `cpus` CPUs and GIC `gic`, run for `ms`
/// milliseconds with its PL011 at `uart`, in order (without the VM's
/// prefix). With `spurious_ok` (`stress.spurious-timer=ok`) duplicate
/// timer interrupts are counted, else there must be none.
pub fn guest_lines(gic: Gic, cpus: u32, ms: u32, uart: &str, spurious_ok: bool) -> Vec<String> {
    let spurious = if spurious_ok { r"\d+" } else { "0" };
    let plural = if cpus == 1 { "" } else { "s" };
    let mut lines = vec![format!(
        r"stress: {cpus} CPU{plural}, GICv{gic}, {ms} ms, timer every 200 us, PL011 at {uart}$"
    )];
    lines.extend((0..cpus).map(|c| {
        format!(
            r"stress: cpu {c}: \d+ mmio, \d+ ipis sent, \d+ received, \d+ timer irqs, {spurious} spurious, \d+ wfi, timer late by up to \d+ us$"
        )
    }));
    let let_through = match spurious_ok {
        true => r"(, \d+ spurious timer irqs let through \(stress\.spurious-timer=ok\))?",
        false => "",
    };
    lines.push(format!(
        r"stress: ok: {cpus} CPU{plural}, \d+ mmio, \d+ ipis, \d+ timer irqs, every answer as expected{let_through}$"
    ));
    lines
}

fn case(gic: Gic, smp: u32, one_thread: bool) -> Case {
    let vm = guest_lines(gic, VCPUS, 5000, "0x1c090000", false)
        .into_iter()
        .map(|l| format!("stress: {l}"));
    let rr = if one_thread { "rr-" } else { "" };
    let mut host = machine(Cpu::CortexA72, gic, smp);
    host.one_thread = one_thread;
    Case::new(format!("stress-{rr}a72-gic{gic}-smp{smp}"), host)
        .buildfile(BUILDFILE)
        // The run is 5 s of counter time, but on a busy machine the QEMU
        // with a thread per CPU can take seconds per round of each vCPU's
        // minimum (about 30 s in all at a load of 15 on 2 cores).
        .timeout(240)
        .lines(&[STARTUP])
        .lines(&vm.collect::<Vec<_>>())
        .lines(&[
            "qvm: stress: the guest powered off",
            STARTUP_DONE,
            INIT_EXIT_0,
        ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::itest::cases::{BAD_LINES, all};
    use crate::itest::matcher::check;
    use regex_lite::Regex;

    /// The console of a real passing run of `stress-a72-gic3-smp2`.
    const PASSED: &str = "\
qhv: hypervisor kernel at EL2, 2 CPUs, 1024 MiB RAM, GICv3
init: running /etc/startup
stress: stress: 4 CPUs, GICv3, 5000 ms, timer every 200 us, PL011 at 0x1c090000
stress: stress: cpu 0: 711 mmio, 66 ipis sent, 65 received, 94 timer irqs, 0 spurious, 19 wfi, timer late by up to 1401838 us
stress: stress: cpu 1: 603 mmio, 58 ipis sent, 61 received, 81 timer irqs, 0 spurious, 16 wfi, timer late by up to 1741528 us
stress: stress: cpu 2: 675 mmio, 66 ipis sent, 64 received, 92 timer irqs, 0 spurious, 18 wfi, timer late by up to 1948811 us
stress: stress: cpu 3: 639 mmio, 61 ipis sent, 61 received, 88 timer irqs, 0 spurious, 17 wfi, timer late by up to 1871669 us
stress: stress: ok: 4 CPUs, 2628 mmio, 251 ipis, 355 timer irqs, every answer as expected
qvm: stress: the guest powered off
init: startup script done
qhv: init exited with status 0";

    #[test]
    fn a_stress_case_passes_on_a_recorded_console_and_fails_without_an_answer() {
        let cases = all();
        let case = cases
            .iter()
            .find(|c| c.name == "stress-a72-gic3-smp2")
            .unwrap();
        assert_eq!(case.buildfile, BUILDFILE);
        let bad: Vec<Regex> = BAD_LINES.iter().map(|b| Regex::new(b).unwrap()).collect();
        assert_eq!(check(&case.expect, &bad, PASSED.lines()), Ok(()));

        let lines: Vec<&str> = PASSED.lines().collect();
        let mut failing = lines.clone();
        failing.insert(
            4,
            "stress: stress: FAIL: cpu 2: GICD_IPRIORITYR byte of INTID 58: expected 0x40, saw 0x0",
        );
        assert!(check(&case.expect, &bad, failing.iter().copied()).is_err());
        let no_cpu_3: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| !l.contains("cpu 3:"))
            .collect();
        assert!(check(&case.expect, &bad, no_cpu_3).is_err());
        let gicv2 = PASSED.replace("GICv3", "GICv2");
        assert!(check(&case.expect, &bad, gicv2.lines()).is_err());
        // A duplicate timer interrupt fails the case, under qvm as bare.
        let duplicates = PASSED.replace("0 spurious", "2 spurious");
        assert!(check(&case.expect, &bad, duplicates.lines()).is_err());
        let bare = cases
            .iter()
            .find(|c| c.name == "bare-stress-gic3-smp4")
            .unwrap();
        let bare_console: Vec<String> = PASSED
            .lines()
            .filter_map(|l| l.strip_prefix("stress: "))
            .map(|l| {
                l.replace("5000 ms", "2000 ms")
                    .replace("0x1c090000", "0x9000000")
            })
            .collect();
        assert_eq!(
            check(&bare.expect, &bad, bare_console.iter().map(String::as_str)),
            Ok(())
        );
        let bare_duplicates: Vec<String> = bare_console
            .iter()
            .map(|l| l.replace("0 spurious", "1 spurious"))
            .collect();
        assert!(
            check(
                &bare.expect,
                &bad,
                bare_duplicates.iter().map(String::as_str)
            )
            .is_err()
        );
        let rr = cases
            .iter()
            .find(|c| c.name == "stress-rr-a72-gic3-smp4")
            .unwrap();
        assert!(rr.machine.one_thread);
        assert!(!case.machine.one_thread);
    }
}
