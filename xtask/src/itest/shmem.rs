//! The `vdev shmem` cases (`boot/boards/qemu-virt-shmem.build`): two VMs,
//! each a `qvm` running the `shmem` guest, share the region `ring`. VM a
//! writes a message into it and rings VM b's doorbell; b, woken by the
//! doorbell interrupt, prints the message, writes a reply and rings back;
//! a prints the reply. Both power off and their `qvm`s end with 0.

use super::cases::{Case, INIT_EXIT_0, STARTUP, machine};
use super::matcher::Expect;
use crate::qemu::{Cpu, Gic};

/// One case per host GIC version.
pub fn cases() -> Vec<Case> {
    [Gic::V3, Gic::V2].into_iter().map(case).collect()
}

fn case(gic: Gic) -> Case {
    Case::new(
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
    ])
    // Two VMs' consoles and init's: once b has rung, what a and the two
    // jobs print may come before b's own line, and either job may end
    // first.
    .then(Expect::line(r"shmem-a: shmem: a: doorbell from \d: 'reply from b'").any_order())
    .then(Expect::line("qvm: shmem-a: the guest powered off").any_order())
    .then(
        Expect::line(
            "init: background job 'shm=shmem qvm @/etc/vm/shmem-a.qvmconf' ended with status 0",
        )
        .any_order(),
    )
    .then(
        Expect::line(
            "init: background job 'shm=shmem qvm @/etc/vm/shmem-b.qvmconf' ended with status 0",
        )
        .any_order(),
    )
    .lines(&[INIT_EXIT_0])
}
