//! The pass-through cases (`boot/boards/qemu-virt-pass.build`): QEMU's
//! PL031 real-time clock goes to a Linux VM. A `qvm` the host did not
//! grant the clock is refused with a message naming the `pass` line; a
//! `qvm` granted the clock's region and interrupt maps it into its VM
//! (`vm_map_device`) and binds its interrupt to guest INTID 40
//! (`vm_irq_pass`, a list register with the HW bit); the stock Debian
//! kernel probes it from the generated device-tree node, `hwclock` reads
//! the host's date and the alarm's interrupt reaches the guest.

use super::cases::{Case, INIT_EXIT_0, STARTUP, STARTUP_DONE, machine};
use crate::qemu::{Cpu, Gic};

/// The buildfile the cases boot.
pub const BUILDFILE: &str = "boot/boards/qemu-virt-pass.build";

/// One case per host GIC version.
pub fn cases() -> Vec<Case> {
    [Gic::V3, Gic::V2].into_iter().map(case).collect()
}

fn case(gic: Gic) -> Case {
    Case::new(
        format!("pass-rtc-linux-a72-gic{gic}-smp2"),
        machine(Cpu::CortexA72, gic, 2),
    )
    .buildfile(BUILDFILE)
    .timeout(300)
    .lines(&[
        STARTUP,
        r"^qvm: nogrant: /etc/vm/linux-pass-nogrant\.qvmconf:8: pass loc mem:0x1c0a0000,0x1000,rw=0x9010000: the host did not grant qvm this device region \(put 'dev=ADDRESS' before qvm on its startup line\) \(EACCES\)$",
        r"^init: 'qvm @/etc/vm/linux-pass-nogrant\.qvmconf' exited with status 0x40$",
        r"linux: \[ *[0-9.]+\] Booting Linux on physical CPU 0x0",
        r"linux: \[ *[0-9.]+\] rtc-pl031 1c0a0000\.pl031: registered as rtc0",
        r"linux: linux-pass: rtc0 is rtc-pl031 1c0a0000\.pl031$",
        r"linux: linux-pass: hwclock \w{3} \w{3} +\d+ \d\d:\d\d:\d\d 20[2-6]\d +0\.000000 seconds$",
        r"linux: linux-pass: alarm interrupts before: 0$",
        r"linux: linux-pass: alarm interrupts after: 1$",
        r"linux: linux-pass: powering off",
        "qvm: linux: the guest powered off",
        STARTUP_DONE,
        INIT_EXIT_0,
    ])
}
