//! The x86_64 test guests as VMs under `qvm`. On the SVM backend (QEMU
//! `-cpu EPYC`, 2 CPUs) `boot/boards/qemu-pc-vms.build` runs `hello` (also
//! as `hello32`, an ELF32 multiboot kernel without address fields, and
//! `hello64`, an ELF64 image `qvm` starts in long mode), `timer`, `smp` (2
//! and 4 vCPUs) and `faults` each under `ktest memcheck`,
//! then a bad configuration (`qvm` exits 65 naming file and line); on the
//! VMX backend (Bochs, one CPU) `boot/boards/pc-vmx-vms.build` runs the
//! same guests. Their lines come through
//! the VM's `ser8250` (COM1) with `qvm`'s prefix, each powers off through
//! the ACPI tables `qvm` builds (PM1 block, S5), and all of its memory
//! comes back.

use super::cases::{Case, INIT_EXIT_0, STARTUP, STARTUP_DONE, machine};
use crate::qemu::{Cpu, Gic};

/// The buildfile of the QEMU (SVM) case.
pub const BUILDFILE: &str = "boot/boards/qemu-pc-vms.build";
/// The buildfile of the Bochs (VMX) case.
pub const VMX_BUILDFILE: &str = "boot/boards/pc-vmx-vms.build";

/// The VMs both cases run (`boot/vm/NAME-x86.qvmconf`), in order.
const VMS: [&str; 7] = [
    "hello", "hello32", "hello64", "timer", "smp", "smp4", "faults",
];

/// The cases: all guests on QEMU's SVM, the small ones on Bochs's VMX.
pub fn cases() -> Vec<Case> {
    let mut pc = machine(Cpu::Epyc, Gic::V3, 2);
    pc.mem = "512M".into();
    let mut lines = vec![STARTUP.to_string()];
    for name in VMS {
        lines.extend(vm(name));
    }
    lines.extend([
        r"^qvm: /etc/vm/bad-x86.conf:6: vdev ser8250: 'loc' expects .*, got 'io:0x103f8': 66552 is more than 65535$".to_string(),
        r"^init: 'qvm @/etc/vm/bad-x86.conf' exited with status 0x41$".to_string(),
    ]);
    lines.extend([STARTUP_DONE.to_string(), INIT_EXIT_0.to_string()]);
    let svm = Case::new("x86-vms-epyc-smp2", pc)
        .buildfile(BUILDFILE)
        .timeout(300)
        .lines(&lines);

    let mut bochs = machine(Cpu::Skylake, Gic::V3, 2);
    bochs.mem = "256M".into();
    let mut lines = vec![STARTUP.to_string()];
    for name in VMS {
        lines.extend(vm(name));
    }
    lines.extend([STARTUP_DONE.to_string(), INIT_EXIT_0.to_string()]);
    let vmx = Case::new("x86-bochs-vmx-vms-smp2", bochs)
        .buildfile(VMX_BUILDFILE)
        .timeout(600)
        .lines(&lines);
    vec![svm, vmx]
}

/// What VM `name` (`boot/vm/NAME-x86.qvmconf`) prints, with `qvm`'s
/// prefix, then its power-off and its memory all back.
fn vm(name: &str) -> Vec<String> {
    // The guest's own prefix: `smp4` runs the `smp` guest, `hello32` and
    // `hello64` variants of `hello`.
    let guest = match name {
        "smp4" => "smp",
        "hello32" | "hello64" => "hello",
        other => other,
    };
    let mut l: Vec<String> = body(name)
        .iter()
        .map(|b| format!("^{name}: {guest}: {b}"))
        .collect();
    l.push(format!(r"^qvm: {name}: the guest powered off \(ACPI S5\)$"));
    l.push(format!(
        r"^ktest memcheck: 'qvm @/etc/vm/{name}-x86.qvmconf' ended with Ok\(0\), free memory \d+ -> \d+ bytes$"
    ));
    l
}

/// The lines of the guest of VM `name`, after its prefixes.
fn body(name: &str) -> Vec<String> {
    let gp = r"exception: general protection \(#GP\), error code 0x0$";
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    match name {
        // Started through its multiboot header (v1 information: RAM up to
        // the end of the 64 MiB).
        "hello" | "hello32" => s(&[
            r"running in long mode on 1 CPUs, COM1 at 0x3f8$",
            r"local APIC at 0xfee00000, I/O APIC at 0xfec00000, ACPI QHV, RAM 0x100000-0x3ffffff, image at 0x200000$",
            r"powering off$",
        ]),
        // Started in long mode: the Multiboot2 memory map reserves the
        // page tables qvm wrote at the top of RAM (6 pages for the first
        // 4 GiB), the RSDP comes from its ACPI tag.
        "hello64" => s(&[
            r"running in long mode on 1 CPUs, COM1 at 0x3f8$",
            r"local APIC at 0xfee00000, I/O APIC at 0xfec00000, ACPI QHV, RAM 0x100000-0x3ff9fff, image at 0x200000$",
            r"powering off$",
        ]),
        "timer" => s(&[
            r"local APIC timer vector 0x40, TSC \d+ MHz, APIC timer \d+ MHz, period 10000 us$",
            r"5 ticks ok, intervals( \d+){5} us$",
            r"one-shot 5 ticks ok, intervals( \d+){5} us$",
            r"tsc-deadline 5 ticks ok, intervals( \d+){5} us$",
            // 64 MiB from 0: qvm's CMOS bytes (`cmos.rs`).
            r"cmos: base memory 640 KiB, extended 64512 KiB, above 16 MiB 768 x 64 KiB$",
            r"rtc periodic 16 Hz: 1[5-7] interrupts in one second of its updates$",
            r"powering off$",
        ]),
        "smp" => s(&[
            r"2 CPUs, starting 1 with INIT and start-up IPIs$",
            r"cpu 1 up, APIC ID 0x1$",
            r"2 CPUs, IPIs both ways ok$",
            r"powering off$",
        ]),
        "smp4" => s(&[
            r"4 CPUs, starting 3 with INIT and start-up IPIs$",
            r"cpu 1 up, APIC ID 0x1$",
            r"cpu 2 up, APIC ID 0x2$",
            r"cpu 3 up, APIC ID 0x3$",
            r"4 CPUs, IPIs both ways ok$",
            r"powering off$",
        ]),
        _ => {
            let mut faults = s(&[r"reading 0x4000000 \(outside RAM and devices\)$"]);
            for (what, line) in [
                ("read 0x4000000", "writing 0x4000000$"),
                ("write 0x4000000", r"reading MSR 0x1234 \(no such MSR\)$"),
                ("rdmsr 0x1234", "writing MSR 0x1234$"),
                (
                    "wrmsr 0x1234",
                    r"reading MSR 0x802 \(x2APIC ID, in xAPIC mode\)$",
                ),
                (
                    "rdmsr 0x802",
                    r"writing MSR 0x808 \(x2APIC TPR, in xAPIC mode\)$",
                ),
                ("wrmsr 0x808", "done, powering off$"),
            ] {
                faults.push(format!("{what}: {gp}"));
                faults.push(line.into());
            }
            faults
        }
    }
}
