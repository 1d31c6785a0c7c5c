//! The watchdogs (issue 14 item 3): a stock Debian kernel under `qvm`
//! with the architecture's watchdog vdev (`vdev wdt-sp805` on QEMU virt,
//! `vdev wdt-ib700` on QEMU's PC with SVM). `guests/linux/init`
//! (`qhv.wdt`) loads Linux's driver, sets a 6 s timeout, pets
//! `/dev/watchdog` 5 times and stops without the magic close; `qvm` must
//! then end the VM with status 4 (`action terminate`) and say why, and
//! `init` reports that status.

use super::cases::{Case, INIT_EXIT_0, STARTUP, STARTUP_DONE, machine};
use crate::qemu::{Cpu, Gic};

/// The ARM image: one `qvm` running `guests/linux/linux-wdt.qvmconf`.
pub const ARM_BUILDFILE: &str = "boot/boards/qemu-virt-wdt.build";

/// The x86 image: one `qvm` running `guests/linux/linux-wdt-x86.qvmconf`.
pub const X86_BUILDFILE: &str = "boot/boards/qemu-pc-wdt.build";

/// The cases.
pub fn cases() -> Vec<Case> {
    vec![
        Case::new("wdt-linux-a72-gic3-smp2", machine(Cpu::CortexA72, Gic::V3, 2))
            .buildfile(ARM_BUILDFILE)
            .timeout(300)
            .lines(&[STARTUP, r"linux: \[ *[0-9.]+\] Booting Linux on physical CPU 0x0"])
            .lines(&bite_lines(
                // Linux's AMBA bus matched the PrimeCell ID.
                r"sp805-wdt 1c0f0000\.watchdog: registration successful",
                r"vdev wdt-sp805 at 0x1c0f0000 \(/etc/vm/linux-wdt\.qvmconf:\d+\): the SP805's counter reached 0 twice without its interrupt being cleared \(WdogLoad 0x47868bf at 25000000 Hz: 2 x 3000 ms\), its reset output enabled",
                "linux-wdt.qvmconf",
            )),
        Case::new("x86-wdt-linux-epyc-smp2", machine(Cpu::Epyc, Gic::V3, 2))
            .buildfile(X86_BUILDFILE)
            .timeout(600)
            .lines(&[STARTUP, r"linux: \[ *[0-9.]+\] Linux version 6\.1\."])
            .lines(&bite_lines(
                "ib700wdt: WDT driver for IB700 single board computer initialising",
                r"vdev wdt-ib700 at I/O port 0x441 \(/etc/vm/linux-wdt-x86\.qvmconf:\d+\): the IB700 was not restarted within its 6 s timeout \(I/O port 0x443\)",
                "linux-wdt-x86.qvmconf",
            )),
    ]
}

/// From `/init` to the end: the driver's line `driver`, the pets, `qvm`'s
/// message naming the watchdog and why (`why`), and `init`'s report of
/// `qvm @/etc/vm/CONF` ending with status 4.
fn bite_lines(driver: &str, why: &str, conf: &str) -> Vec<String> {
    vec![
        r"linux: \[ *[0-9.]+\] Run /init as init process".into(),
        r"linux: linux-init: running, 2 CPUs, 6\.1\.".into(),
        format!(r"linux: \[ *[0-9.]+\] {driver}"),
        "linux: linux-wdt: petted 5 times".into(),
        "linux: linux-wdt: stopped petting".into(),
        format!(
            r"^qvm: linux: watchdog expired: {why}; ending the VM \(action terminate, status 4\)$"
        ),
        format!(
            r"init: 'qvm @/etc/vm/{}' exited with status 0x4",
            conf.replace('.', r"\.")
        ),
        STARTUP_DONE.into(),
        INIT_EXIT_0.into(),
    ]
}
