//! The dev boards' cases (issue 15): QEMU's `raspi4b` and `xlnx-zcu102`
//! boot the kernel and device tree read back out of each board's SD-card
//! image (`cargo xtask image --board rpi4|zcu102`, `sdcard::qemu`), with
//! the card attached: the host banner (4 CPUs, the GIC-400 as GICv2), the
//! startup script, the host shell in the background, a VM running the
//! `hello` guest to its power-off, then one running the `ticker` guest,
//! and a shell command typed on the board's console UART.

use super::cases::{Case, STARTUP, STARTUP_DONE};
use super::matcher::Expect;
use crate::qemu::Machine;
use crate::sdcard::Board;

/// The buildfiles the boards' cards hold.
pub const RPI4_BUILDFILE: &str = "boot/boards/rpi4.build";
pub const ZCU102_BUILDFILE: &str = "boot/boards/zcu102.build";
/// The cards with the Linux test VM.
pub const RPI4_LINUX_BUILDFILE: &str = "boot/boards/rpi4-linux.build";
pub const ZCU102_LINUX_BUILDFILE: &str = "boot/boards/zcu102-linux.build";

/// The lines of a board's boot, its model as its device tree names it.
fn board_lines(model: &str) -> Vec<String> {
    vec![
        format!("^qhv: starting on {model} at EL2$"),
        r"^qhv: hypervisor kernel at EL2, 4 CPUs, \d+ MiB RAM, GICv2$".into(),
        STARTUP.into(),
        // After the shell's first prompt, on the same line.
        "hello: hello: running at EL1 on 1 CPUs, PL011 at 0x1c090000$".into(),
        r"^hello: hello: GICv2 at 0x2c001000, PSCI 1\.0 over hvc, ".into(),
        "^hello: hello: powering off$".into(),
        "^qvm: hello: the guest powered off$".into(),
        STARTUP_DONE.into(),
        "ticker1: ticker: up on 1 CPU".into(),
    ]
}

/// A command typed on the console, which the kernel reads by its UART's
/// interrupt (`uart_intid`: the Pi's mini UART, SPI 93; the ZCU102's
/// first Cadence UART, SPI 21), and the shell's answer: the kernel's
/// interrupts, that one among them.
fn console_lines(uart_intid: u32) -> Vec<Expect> {
    vec![
        Expect::line("ticker1: ticker: tick 2").then_type(b"pidin irqs\r"),
        Expect::line(r"^intid kind\s+owner\s+count cpu\s+virq masked trigger$"),
        Expect::line(&format!(
            r"^\s+{uart_intid} kernel kernel\s+-\s+\d+\s+- no\s+level$"
        )),
    ]
}

/// The cases.
pub fn cases() -> Vec<Case> {
    vec![
        board_case(
            "rpi4-raspi4b-sd-smp4",
            Board::Rpi4,
            RPI4_BUILDFILE,
            "Raspberry Pi 4 Model B",
            125,
        ),
        board_case(
            "zcu102-xlnx-zcu102-sd-smp4",
            Board::Zcu102,
            ZCU102_BUILDFILE,
            "ZynqMP ZCU102 Rev1.0",
            53,
        ),
        linux_case(
            "linux-raspi4b-sd-smp4",
            Board::Rpi4,
            RPI4_LINUX_BUILDFILE,
            "Raspberry Pi 4 Model B",
        ),
        linux_case(
            "linux-xlnx-zcu102-sd-smp4",
            Board::Zcu102,
            ZCU102_LINUX_BUILDFILE,
            "ZynqMP ZCU102 Rev1.0",
        ),
    ]
}

/// The Linux test VM (`guests/linux/linux.qvmconf`) on a board's card:
/// the same lines as on `virt`, to its power-off.
fn linux_case(name: &str, board: Board, buildfile: &str, model: &str) -> Case {
    Case::bare(name, Machine::board(board))
        .buildfile(buildfile)
        .timeout(300)
        .lines(&[
            format!("^qhv: starting on {model} at EL2$"),
            STARTUP.into(),
            r"linux: \[ *[0-9.]+\] Booting Linux on physical CPU 0x0".into(),
            r"linux: \[ *[0-9.]+\] psci: PSCIv1.0 detected".into(),
            r"linux: \[ *[0-9.]+\] Run /init as init process".into(),
        ])
        .linux_init()
}

/// A board's case: its card's image booted to a ticking VM, then a shell
/// command typed on the console.
fn board_case(name: &str, board: Board, buildfile: &str, model: &str, uart_intid: u32) -> Case {
    // The banner's own lines, the board's model first (`Case::new` would
    // expect the banner before it).
    let case = Case::bare(name, Machine::board(board))
        .buildfile(buildfile)
        .timeout(240)
        .lines(&board_lines(model));
    console_lines(uart_intid).into_iter().fold(case, Case::then)
}
