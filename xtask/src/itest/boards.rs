//! The dev boards' cases (issue 15): QEMU's `raspi4b` and `xlnx-zcu102`
//! boot the kernel and device tree read back out of each board's SD-card
//! image (`cargo xtask image --board rpi4|zcu102`, `sdcard::qemu`), with
//! the card attached: the host banner (4 CPUs, the GIC-400 as GICv2), the
//! startup script, the host shell in the background and a VM running the
//! `ticker` guest.

use super::cases::{Case, STARTUP, STARTUP_DONE, machine};
use crate::qemu::{Cpu, Gic};

/// The buildfiles the boards' cards hold.
pub const RPI4_BUILDFILE: &str = "boot/boards/rpi4.build";
pub const ZCU102_BUILDFILE: &str = "boot/boards/zcu102.build";

/// The lines of a board's boot, its model as its device tree names it.
fn board_lines(model: &str) -> Vec<String> {
    vec![
        format!("^qhv: starting on {model} at EL2$"),
        r"^qhv: hypervisor kernel at EL2, 4 CPUs, \d+ MiB RAM, GICv2$".into(),
        STARTUP.into(),
        STARTUP_DONE.into(),
        "ticker1: ticker: up on 1 CPU".into(),
        "ticker1: ticker: tick 2".into(),
    ]
}

/// The cases.
pub fn cases() -> Vec<Case> {
    let mut pi = machine(Cpu::Raspi4b, Gic::V2, 4);
    pi.mem = "2G".into();
    let mut zcu = machine(Cpu::Zcu102, Gic::V2, 4);
    zcu.mem = "2G".into();
    // The banner's own lines, the board's model first (`Case::new` would
    // expect the banner before it).
    vec![
        Case::bare("rpi4-raspi4b-sd-smp4", pi)
            .buildfile(RPI4_BUILDFILE)
            .timeout(240)
            .lines(&board_lines("Raspberry Pi 4 Model B")),
        Case::bare("zcu102-xlnx-zcu102-sd-smp4", zcu)
            .buildfile(ZCU102_BUILDFILE)
            .timeout(240)
            .lines(&board_lines("ZynqMP ZCU102 Rev1.0")),
    ]
}
