//! The dev boards' cases (issue 15): QEMU's `raspi4b` boots the kernel and
//! device tree read back out of the Pi's SD-card image (`cargo xtask image
//! --board rpi4`, `sdcard::qemu`), with the card attached: the host banner
//! (4 CPUs, the GIC-400 as GICv2), the startup script, the host shell in
//! the background and a VM running the `ticker` guest.

use super::cases::{Case, STARTUP, STARTUP_DONE, machine};
use crate::qemu::{Cpu, Gic};

/// The buildfile the Pi's card holds.
pub const RPI4_BUILDFILE: &str = "boot/boards/rpi4.build";

/// The cases.
pub fn cases() -> Vec<Case> {
    let mut pi = machine(Cpu::Raspi4b, Gic::V2, 4);
    pi.mem = "2G".into();
    vec![
        // The banner's own lines, the board's model first (`Case::new`
        // would expect the banner before it).
        Case::bare("rpi4-raspi4b-sd-smp4", pi)
            .buildfile(RPI4_BUILDFILE)
            .timeout(240)
            .lines(&[
                r"^qhv: starting on Raspberry Pi 4 Model B at EL2$",
                r"^qhv: hypervisor kernel at EL2, 4 CPUs, \d+ MiB RAM, GICv2$",
                STARTUP,
                STARTUP_DONE,
                "ticker1: ticker: up on 1 CPU",
                "ticker1: ticker: tick 2",
            ]),
    ]
}
