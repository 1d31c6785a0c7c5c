//! The x86_64 test guests booted bare on QEMU's PC (`-cpu EPYC`, TCG) with
//! no hypervisor, through their multiboot header, as a guest is checked on
//! a machine before it is virtualized: each must print its lines and power
//! off through ACPI S5 (`guests/README.md` has the lines).

use super::cases::{Case, machine};
use crate::qemu::{Cpu, Gic};

/// How long a case may take: the guests finish in seconds.
const TIMEOUT_S: u64 = 60;

/// The `x86-bare-*` cases: `smp` on 4 CPUs, `bench` on 2 (for its IPI
/// row), the others on 1.
pub fn cases() -> Vec<Case> {
    [
        ("hello", 1),
        ("timer", 1),
        ("smp", 4),
        ("faults", 1),
        ("bench", 2),
    ]
    .into_iter()
    .map(|(guest, smp)| {
        Case::bare(
            format!("x86-bare-{guest}-smp{smp}"),
            machine(Cpu::Epyc, Gic::V3, smp),
        )
        .guest(guest)
        .timeout(TIMEOUT_S)
        .lines(&guest_lines(guest, smp))
    })
    .collect()
}

/// What x86 guest `guest` prints on bare QEMU `q35` with 1 GiB of RAM and
/// `smp` CPUs, in order.
pub fn guest_lines(guest: &str, smp: u32) -> Vec<String> {
    let gp = r"exception: general protection \(#GP\), error code 0x0$";
    let lines: Vec<String> = match guest {
        "hello" => vec![
            format!(r"^hello: running in long mode on {smp} CPUs, COM1 at 0x3f8$"),
            r"^hello: local APIC at 0xfee00000, I/O APIC at 0xfec00000, ACPI BOCHS, RAM 0x100000-0x[0-9a-f]+, image at 0x200000$".into(),
            "^hello: powering off$".into(),
        ],
        "faults" => vec![
            r"^faults: reading 0x40000000 \(outside RAM and devices\)$".into(),
            // QEMU's TCG reads unassigned memory as 0 and ignores unknown
            // MSRs (hardware raises #GP for those).
            "^faults: read 0x40000000: value 0x0$".into(),
            "^faults: writing 0x40000000$".into(),
            "^faults: write 0x40000000: no exception: ignored$".into(),
            r"^faults: reading MSR 0x1234 \(no such MSR\)$".into(),
            "^faults: rdmsr 0x1234: value 0x0$".into(),
            "^faults: writing MSR 0x1234$".into(),
            "^faults: wrmsr 0x1234: no exception: ignored$".into(),
            r"^faults: reading MSR 0x802 \(x2APIC ID, in xAPIC mode\)$".into(),
            format!("^faults: rdmsr 0x802: {gp}"),
            r"^faults: writing MSR 0x808 \(x2APIC TPR, in xAPIC mode\)$".into(),
            format!("^faults: wrmsr 0x808: {gp}"),
            "^faults: done, powering off$".into(),
        ],
        "timer" => vec![
            r"^timer: local APIC timer vector 0x40, TSC \d+ MHz, APIC timer \d+ MHz, period 10000 us$".into(),
            r"^timer: 5 ticks ok, intervals( \d+){5} us$".into(),
            r"^timer: one-shot 5 ticks ok, intervals( \d+){5} us$".into(),
            // TCG's CPUs have no TSC-deadline mode.
            "^timer: tsc-deadline not offered by the CPU$".into(),
            r"^timer: cmos: base memory \d+ KiB, extended \d+ KiB, above 16 MiB \d+ x 64 KiB$".into(),
            r"^timer: rtc periodic 16 Hz: 1[5-7] interrupts in one second of its updates$".into(),
            "^timer: powering off$".into(),
        ],
        "smp" => {
            let cpus = if smp == 1 { "CPU" } else { "CPUs" };
            let mut lines = vec![format!(
                "^smp: {smp} {cpus}, starting {} with INIT and start-up IPIs$",
                smp - 1
            )];
            lines.extend((1..smp).map(|i| format!("^smp: cpu {i} up, APIC ID {i:#x}$")));
            lines.push(format!("^smp: {smp} {cpus}, IPIs both ways ok$"));
            lines.push("^smp: powering off$".into());
            lines
        }
        "bench" => {
            let row = |name: &str| format!(r"^bench: {name} min \d+ median \d+ mean \d+\.\d\d$");
            let mut lines =
                vec![r"^bench: TSC \d+ MHz, 1000 iterations, TSC ticks per round trip$".into()];
            lines.extend(
                ["empty", "cpuid", "pio-read", "lapic-read", "mmio-read", "mmio-write"].map(row),
            );
            lines.push(if smp > 1 {
                row("ipi")
            } else {
                "^bench: ipi not measured: one CPU$".into()
            });
            // QEMU's CPU models say "hypervisor" in CPUID under TCG too;
            // the VMMCALL then raises #UD, which the guest catches.
            lines.push(
                r"^bench: vmcall not measured: exception: invalid opcode \(#UD\), error code 0x0$"
                    .into(),
            );
            lines.push("^bench: done, powering off$".into());
            lines
        }
        _ => Vec::new(),
    };
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::itest::cases::BAD_LINES;
    use crate::itest::matcher::check;
    use regex_lite::Regex;

    #[test]
    fn x86_guest_cases_pass_on_recorded_consoles() {
        let bad: Vec<Regex> = BAD_LINES.iter().map(|b| Regex::new(b).unwrap()).collect();
        // Consoles of real passing runs.
        let consoles = [
            (
                "x86-bare-hello-smp1",
                "hello: running in long mode on 1 CPUs, COM1 at 0x3f8\n\
                 hello: local APIC at 0xfee00000, I/O APIC at 0xfec00000, ACPI BOCHS, RAM 0x100000-0x3ffdffff, image at 0x200000\n\
                 hello: powering off",
            ),
            (
                "x86-bare-faults-smp1",
                "faults: reading 0x40000000 (outside RAM and devices)\n\
                 faults: read 0x40000000: value 0x0\n\
                 faults: writing 0x40000000\n\
                 faults: write 0x40000000: no exception: ignored\n\
                 faults: reading MSR 0x1234 (no such MSR)\n\
                 faults: rdmsr 0x1234: value 0x0\n\
                 faults: writing MSR 0x1234\n\
                 faults: wrmsr 0x1234: no exception: ignored\n\
                 faults: reading MSR 0x802 (x2APIC ID, in xAPIC mode)\n\
                 faults: rdmsr 0x802: exception: general protection (#GP), error code 0x0\n\
                 faults: writing MSR 0x808 (x2APIC TPR, in xAPIC mode)\n\
                 faults: wrmsr 0x808: exception: general protection (#GP), error code 0x0\n\
                 faults: done, powering off",
            ),
            (
                "x86-bare-timer-smp1",
                "timer: local APIC timer vector 0x40, TSC 2306 MHz, APIC timer 999 MHz, period 10000 us\n\
                 timer: 5 ticks ok, intervals 10479 9794 9981 12640 7293 us\n\
                 timer: one-shot 5 ticks ok, intervals 10151 10218 10135 10125 10141 us\n\
                 timer: tsc-deadline not offered by the CPU\n\
                 timer: cmos: base memory 640 KiB, extended 65535 KiB, above 16 MiB 16128 x 64 KiB\n\
                 timer: rtc periodic 16 Hz: 16 interrupts in one second of its updates\n\
                 timer: powering off",
            ),
            (
                "x86-bare-smp-smp4",
                "smp: 4 CPUs, starting 3 with INIT and start-up IPIs\n\
                 smp: cpu 1 up, APIC ID 0x1\n\
                 smp: cpu 2 up, APIC ID 0x2\n\
                 smp: cpu 3 up, APIC ID 0x3\n\
                 smp: 4 CPUs, IPIs both ways ok\n\
                 smp: powering off",
            ),
            (
                "x86-bare-bench-smp2",
                "bench: TSC 2302 MHz, 1000 iterations, TSC ticks per round trip\n\
                 bench: empty min 60 median 64 mean 75.80\n\
                 bench: cpuid min 90 median 96 mean 142.72\n\
                 bench: pio-read min 182 median 186 mean 222.81\n\
                 bench: lapic-read min 500 median 506 mean 558.37\n\
                 bench: mmio-read min 472 median 478 mean 949.06\n\
                 bench: mmio-write min 582 median 886 mean 940.63\n\
                 bench: ipi min 20572 median 85120 mean 365286.45\n\
                 bench: vmcall not measured: exception: invalid opcode (#UD), error code 0x0\n\
                 bench: done, powering off",
            ),
        ];
        let cases = cases();
        for (name, console) in consoles {
            let case = cases.iter().find(|c| c.name == name).unwrap();
            assert_eq!(check(&case.expect, &bad, console.lines()), Ok(()), "{name}");
            let cut: Vec<&str> = console.lines().take(2).collect();
            assert!(check(&case.expect, &bad, cut).is_err(), "{name}");
        }
        let hello = cases
            .iter()
            .find(|c| c.name == "x86-bare-hello-smp1")
            .unwrap();
        let four = ["hello: running in long mode on 4 CPUs, COM1 at 0x3f8"];
        assert!(check(&hello.expect, &bad, four).is_err());
        let smp = cases
            .iter()
            .find(|c| c.name == "x86-bare-smp-smp4")
            .unwrap();
        let failing = [
            "smp: 4 CPUs, starting 3 with INIT and start-up IPIs",
            "smp: FAIL: cpu 1 did not start: NotStarted",
        ];
        assert!(check(&smp.expect, &bad, failing).is_err());
        assert_eq!(
            guest_lines("bench", 1)[7],
            "^bench: ipi not measured: one CPU$"
        );
        for case in &cases {
            assert!(
                case.machine.cpu.is_x86() && case.powers_off,
                "{}",
                case.name
            );
            crate::guests::check_x86_name(case.guest.as_deref().unwrap()).unwrap();
            assert!(!case.expect.is_empty(), "{}", case.name);
        }
    }
}
