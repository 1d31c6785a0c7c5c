//! The x86_64 test guests as VMs under `qvm` on the SVM backend (QEMU
//! `-cpu EPYC`, 2 CPUs): `boot/boards/qemu-pc-vms.build` runs `hello`,
//! `timer`, `smp` (2 and 4 vCPUs) and `faults` each under `ktest memcheck`, then
//! a bad configuration (`qvm` exits 65 naming file and line); their
//! lines come through the VM's `ser8250` (COM1) with `qvm`'s prefix, each
//! powers off through the ACPI tables `qvm` builds (PM1 block, S5), and
//! all of its memory comes back.

use super::cases::{Case, INIT_EXIT_0, STARTUP, STARTUP_DONE, machine};
use crate::qemu::{Cpu, Gic};

/// The buildfile of the case.
pub const BUILDFILE: &str = "boot/boards/qemu-pc-vms.build";

/// `x86-vms-epyc-smp2`.
pub fn case() -> Case {
    let mut pc = machine(Cpu::Epyc, Gic::V3, 2);
    pc.mem = "512M".into();
    let mut lines = vec![STARTUP.to_string()];
    let gp = r"exception: general protection \(#GP\), error code 0x0$";
    let vm = |name: &str, body: &[String]| {
        // The guest's own prefix: `smp4` runs the `smp` guest.
        let guest = name.trim_end_matches('4');
        let mut l: Vec<String> = body
            .iter()
            .map(|b| format!("^{name}: {guest}: {b}"))
            .collect();
        l.push(format!(r"^qvm: {name}: the guest powered off \(ACPI S5\)$"));
        l.push(format!(
            r"^ktest memcheck: 'qvm @/etc/vm/{name}-x86.qvmconf' ended with Ok\(0\), free memory \d+ -> \d+ bytes$"
        ));
        l
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    lines.extend(vm(
        "hello",
        &s(&[
            r"running in long mode on 1 CPUs, COM1 at 0x3f8$",
            r"local APIC at 0xfee00000, I/O APIC at 0xfec00000, ACPI QHV, RAM 0x100000-0x3ffffff, image at 0x200000$",
            r"powering off$",
        ]),
    ));
    lines.extend(vm(
        "timer",
        &s(&[
            r"local APIC timer vector 0x40, TSC \d+ MHz, APIC timer \d+ MHz, period 10000 us$",
            r"5 ticks ok, intervals( \d+){5} us$",
            r"one-shot 5 ticks ok, intervals( \d+){5} us$",
            r"tsc-deadline 5 ticks ok, intervals( \d+){5} us$",
            r"powering off$",
        ]),
    ));
    lines.extend(vm(
        "smp",
        &s(&[
            r"2 CPUs, starting 1 with INIT and start-up IPIs$",
            r"cpu 1 up, APIC ID 0x1$",
            r"2 CPUs, IPIs both ways ok$",
            r"powering off$",
        ]),
    ));
    lines.extend(vm(
        "smp4",
        &s(&[
            r"4 CPUs, starting 3 with INIT and start-up IPIs$",
            r"cpu 1 up, APIC ID 0x1$",
            r"cpu 2 up, APIC ID 0x2$",
            r"cpu 3 up, APIC ID 0x3$",
            r"4 CPUs, IPIs both ways ok$",
            r"powering off$",
        ]),
    ));
    let mut faults = s(&[r"reading 0x4000000 \(outside RAM and devices\)$"]);
    faults.push(format!("read 0x4000000: {gp}"));
    faults.push("writing 0x4000000$".into());
    faults.push(format!("write 0x4000000: {gp}"));
    faults.push(r"reading MSR 0x1234 \(no such MSR\)$".into());
    faults.push(format!("rdmsr 0x1234: {gp}"));
    faults.push("writing MSR 0x1234$".into());
    faults.push(format!("wrmsr 0x1234: {gp}"));
    faults.push(r"reading MSR 0x802 \(x2APIC ID, in xAPIC mode\)$".into());
    faults.push(format!("rdmsr 0x802: {gp}"));
    faults.push(r"writing MSR 0x808 \(x2APIC TPR, in xAPIC mode\)$".into());
    faults.push(format!("wrmsr 0x808: {gp}"));
    faults.push("done, powering off$".into());
    lines.extend(vm("faults", &faults));
    lines.extend([
        r"^qvm: /etc/vm/bad-x86.conf:6: vdev ser8250: 'loc' expects .*, got 'io:0x103f8': 66552 is more than 65535$".to_string(),
        r"^init: 'qvm @/etc/vm/bad-x86.conf' exited with status 0x41$".to_string(),
    ]);
    lines.extend([STARTUP_DONE.to_string(), INIT_EXIT_0.to_string()]);
    Case::new("x86-vms-epyc-smp2", pc)
        .buildfile(BUILDFILE)
        .timeout(300)
        .lines(&lines)
}
