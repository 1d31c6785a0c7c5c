//! The `vdev shmem` cases: two VMs, each a `qvm` running the `shmem`
//! guest, share the region `ring`. VM a writes a message into it and
//! rings VM b's doorbell; b, woken by the doorbell interrupt, prints the
//! message, writes a reply and rings back; a prints the reply. Both power
//! off and their `qvm`s end with 0. On ARM (`boot/boards/qemu-virt-shmem.build`)
//! on GICv3 and GICv2 hosts, the guest finding the device in its device
//! tree; on x86 (`boot/boards/qemu-pc-shmem.build`, QEMU's PC with SVM),
//! in the DSDT, its doorbell on I/O APIC pin 20.

use super::cases::{Case, INIT_EXIT_0, STARTUP, machine};
use super::matcher::Expect;
use crate::qemu::{Cpu, Gic};

/// One case per host GIC version, and the x86 one.
pub fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = [Gic::V3, Gic::V2].into_iter().map(arm).collect();
    cases.push(x86());
    cases
}

fn arm(gic: Gic) -> Case {
    let case = Case::new(
        format!("shmem-a72-gic{gic}-smp2"),
        machine(Cpu::CortexA72, gic, 2),
    )
    .buildfile("boot/boards/qemu-virt-shmem.build")
    .timeout(120)
    .lines(&[
        STARTUP,
        r"shmem-b: shmem: b: index \d, region 0x4000000000 \(65536 bytes\), intid \d+",
        r"shmem-b: shmem: b: doorbell from \d: 'hello from a'",
        "shmem-b: shmem: b: replied",
    ]);
    ends(case, "shmem-a.qvmconf", "", None).lines(&[INIT_EXIT_0])
}

fn x86() -> Case {
    let mut pc = machine(Cpu::Epyc, Gic::V3, 2);
    pc.mem = "512M".into();
    let case = Case::new("x86-shmem-epyc-smp2", pc)
        .buildfile("boot/boards/qemu-pc-shmem.build")
        .timeout(300)
        .lines(&[
            STARTUP,
            r"^shmem-b: shmem: b: index \d, region 0x4000000000 \(65536 bytes\), GSI 20$",
            r"^shmem-b: shmem: b: doorbell from \d: 'hello from a'$",
            "^shmem-b: shmem: b: replied$",
        ]);
    ends(
        case,
        "shmem-a-x86.qvmconf",
        r" \(ACPI S5\)",
        Some("shmem-b"),
    )
    .lines(&[INIT_EXIT_0])
}

/// `case` and what follows b's reply: a's line with the reply, a's
/// power-off (and `also_off`'s, if named), both `qvm`s' jobs ending
/// with 0. Two VMs'
/// consoles and init's: once b has rung, what a and the jobs print may
/// come before b's own line, and either job may end first. `a_config`
/// is VM a's configuration file (b's is the same with `b`); `off_suffix`
/// what `qvm` adds to its power-off line.
fn ends(case: Case, a_config: &str, off_suffix: &str, also_off: Option<&str>) -> Case {
    let mut e = vec![
        Expect::line(r"shmem-a: shmem: a: doorbell from \d: 'reply from b'").any_order(),
        Expect::line(&format!("qvm: shmem-a: the guest powered off{off_suffix}")).any_order(),
    ];
    if let Some(vm) = also_off {
        e.push(Expect::line(&format!("qvm: {vm}: the guest powered off{off_suffix}")).any_order());
    }
    for config in [a_config.to_string(), a_config.replacen("-a", "-b", 1)] {
        e.push(
            Expect::line(&format!(
                "init: background job 'shm=shmem qvm @/etc/vm/{config}' ended with status 0"
            ))
            .any_order(),
        );
    }
    e.into_iter().fold(case, Case::then)
}
