//! x86 Linux guests (issue 13): a stock Debian amd64 kernel (bzImage) with
//! the busybox initramfs under `qvm` on QEMU's PC with SVM, as the arm64
//! kernel runs on `virt` (`cases.rs`): two vCPUs found in the MADT, its
//! virtio devices found in the DSDT, the disk, entropy, network and
//! console devices used by `guests/linux/init`, a line typed into the
//! virtio-console, and the power-off through ACPI S5; and two such VMs
//! whose virtio-net cards are linked, pinging each other and moving 1 MiB
//! (one powers off, the other goes on and then powers off too).

use super::cases::{Case, INIT_EXIT_0, STARTUP, STARTUP_DONE, linux_net_lines, machine};
use crate::qemu::{Cpu, Gic};

/// The buildfile: one `qvm` running `guests/linux/linux-x86.qvmconf`.
pub const BUILDFILE: &str = "boot/boards/qemu-pc-linux.build";

/// Two VMs with linked virtio-net cards.
pub const NET_BUILDFILE: &str = "boot/boards/qemu-pc-linux-net.build";

/// Bochs with VMX: a smoke test (boot to /init, power off).
pub const VMX_BUILDFILE: &str = "boot/boards/pc-vmx-linux.build";

/// The cases.
pub fn cases() -> Vec<Case> {
    let pc = machine(Cpu::Epyc, Gic::V3, 2);
    let mut bochs = machine(Cpu::Skylake, Gic::V3, 1);
    bochs.mem = "512M".into();
    vec![
        Case::new("x86-bochs-vmx-linux-smp1", bochs)
            .buildfile(VMX_BUILDFILE)
            .timeout(1800)
            .lines(&[
                STARTUP,
                r"linux: \[ *[0-9.]+\] Linux version 6\.1\.",
                r"linux: \[ *[0-9.]+\] Run /init as init process",
                r"linux: linux-init: running, 1 CPUs, 6\.1\.",
                r"linux: linux-init: smoke test done, powering off",
                r"linux: \[ *[0-9.]+\] reboot: Power down",
                r"^qvm: linux: the guest powered off \(ACPI S5\)$",
                STARTUP_DONE,
                INIT_EXIT_0,
            ]),
        Case::new("x86-linux-net-epyc-smp2", pc.clone())
            .buildfile(NET_BUILDFILE)
            .timeout(600)
            .lines(&linux_net_lines(
                "linux-net1-x86.qvmconf",
                "linux-net2-x86.qvmconf",
            )),
        Case::new("x86-linux-epyc-smp2", pc)
            .buildfile(BUILDFILE)
            .timeout(600)
            .lines(&[
                STARTUP,
                r"linux: \[ *[0-9.]+\] Linux version 6\.1\.",
                r"linux: \[ *[0-9.]+\] ACPI: Using ACPI \(MADT\) for SMP configuration information",
                r"linux: \[ *[0-9.]+\] smp: Brought up 1 node, 2 CPUs",
                r"linux: \[ *[0-9.]+\] serial8250: ttyS0 at I/O 0x3f8 \(irq = 4, base_baud = 115200\) is a 16550A",
                r"linux: \[ *[0-9.]+\] Run /init as init process",
            ])
            .linux_init(),
    ]
}
