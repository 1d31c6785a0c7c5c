//! The test guests bare on the dev boards' QEMU models (issue 15: "the
//! same guest also bare on each board model, validated bare first"):
//! `raspi4b` and `xlnx-zcu102` boot a guest's flat image as `-kernel`
//! with the board's device tree read back out of its SD-card image, as
//! the kernel's board cases (`boards.rs`) do, the card attached. What the
//! guest must cope with there: entry at EL2 (QEMU 10 enters an arm64
//! `Image` there on both, also on `raspi4b`, whose CPUs have EL3; the
//! `hello` line says so), NOP tokens in the tree, device addresses through
//! `/soc`'s `ranges`, the console on the mini UART or a Cadence UART, the
//! ZynqMP's aliased GIC CPU interface, and on the Pi no PSCI: the guest
//! cannot power off, says so and parks, so QEMU is stopped after its lines.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::cases::Case;
use crate::qemu::{Cpu, Machine};
use crate::sdcard::Board;

/// The guests booted bare on each board.
pub const GUESTS: [&str; 3] = ["hello", "timer", "smp"];

/// A guest's image in a folder of its own with `board`'s device tree as
/// read back from the board's SD-card image (`sdcard::qemu::prepare`) and
/// an empty card of the same size, where the board's QEMU arguments look
/// for them: the guest reads no card, and the kernel's case, which may
/// run at the same time, holds the real one (QEMU locks a card's file).
pub fn prepare(root: &Path, board: Board, guest: &str) -> Result<PathBuf> {
    let kernel = crate::sdcard::qemu::prepare(root, board, None)?;
    let from = kernel.parent().context("the card's files have no folder")?;
    let dir = root
        .join("target/images")
        .join(format!("{}-bare-{guest}", board.name()));
    std::fs::create_dir_all(&dir)?;
    let dtb = board.dtb_file();
    std::fs::copy(from.join(dtb), dir.join(dtb))
        .with_context(|| format!("cannot copy {dtb} to {}", dir.display()))?;
    let card_len = std::fs::metadata(from.join(crate::sdcard::qemu::CARD))?.len();
    let card = std::fs::File::create(dir.join(crate::sdcard::qemu::CARD))?;
    card.set_len(card_len)?;
    let image = crate::guests::image_path(root, guest);
    let placed = dir.join(format!("guest-{guest}.img"));
    std::fs::copy(&image, &placed)
        .with_context(|| format!("cannot copy {} to {}", image.display(), placed.display()))?;
    Ok(placed)
}

/// What `guest` prints on `cpu`'s board.
fn lines(guest: &str, cpu: Cpu) -> Vec<String> {
    let pi = cpu == Cpu::Raspi4b;
    let mut lines: Vec<String> = match (guest, pi) {
        ("hello", true) => vec![
            r"^hello: running at EL1 \(entered at EL2\) on 4 CPUs, mini UART at 0xfe215040$".into(),
            r"^hello: GICv2 at 0xff841000, no PSCI \(none: NotSupported\), RAM 0x0\.\.0x3c000000, image at 0x200000$".into(),
        ],
        ("hello", false) => vec![
            r"^hello: running at EL1 \(entered at EL2\) on 4 CPUs, Cadence UART at 0xff000000$".into(),
            r"^hello: GICv2 at 0xf9010000, PSCI 1\.1 over smc, RAM 0x0\.\.0x80000000, image at 0x200000$".into(),
        ],
        ("timer", _) => vec![
            r"^timer: virtual timer INTID 27, GICv2, CNTFRQ 62500000 Hz, period 10000 us$".into(),
            r"^timer: 5 ticks ok, intervals( \d+){5} us$".into(),
        ],
        ("smp", _) => {
            let start = if pi {
                "from their spin tables"
            } else {
                "with PSCI CPU_ON over smc"
            };
            let mut smp = vec![format!("^smp: 4 CPUs, starting 3 {start}$")];
            smp.extend((1..4).map(|i| format!("^smp: cpu {i} up, MPIDR {i:#x}$")));
            smp.push("^smp: 4 CPUs, IPIs both ways ok$".into());
            smp
        }
        _ => Vec::new(),
    };
    lines.push(format!("^{guest}: powering off$"));
    if pi {
        lines
            .push(r"^gsupport: no PSCI in the device tree: cannot power off; cpu 0 parked$".into());
    }
    lines
}

/// The cases: each guest of [`GUESTS`] on each board, 4 CPUs.
pub fn cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for (sd, short) in [(Board::Rpi4, "raspi4b"), (Board::Zcu102, "zcu102")] {
        let board = Machine::board(sd);
        let cpu = board.cpu;
        for guest in GUESTS {
            let case = Case::bare(format!("bare-{guest}-{short}-smp4"), board.clone())
                .guest(guest)
                .timeout(60)
                .lines(&lines(guest, cpu));
            // No PSCI on the Pi: the guest parks instead of powering off.
            // (Its console, the mini UART, is QEMU's second serial port:
            // `Cpu::console_serial_args`.)
            cases.push(if cpu == Cpu::Raspi4b {
                case.parks()
            } else {
                case
            });
        }
    }
    cases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::itest::cases::BAD_LINES;
    use crate::itest::matcher::check;
    use regex_lite::Regex;

    #[test]
    fn board_guest_cases_pass_on_recorded_consoles() {
        let bad: Vec<Regex> = BAD_LINES.iter().map(|b| Regex::new(b).unwrap()).collect();
        // Consoles of real passing runs.
        let consoles = [
            (
                "bare-hello-raspi4b-smp4",
                "hello: running at EL1 (entered at EL2) on 4 CPUs, mini UART at 0xfe215040\n\
                 hello: GICv2 at 0xff841000, no PSCI (none: NotSupported), RAM 0x0..0x3c000000, image at 0x200000\n\
                 hello: powering off\n\
                 gsupport: no PSCI in the device tree: cannot power off; cpu 0 parked",
            ),
            (
                "bare-timer-raspi4b-smp4",
                "timer: virtual timer INTID 27, GICv2, CNTFRQ 62500000 Hz, period 10000 us\n\
                 timer: 5 ticks ok, intervals 11029 10111 10087 10227 10077 us\n\
                 timer: powering off\n\
                 gsupport: no PSCI in the device tree: cannot power off; cpu 0 parked",
            ),
            (
                "bare-hello-zcu102-smp4",
                "hello: running at EL1 (entered at EL2) on 4 CPUs, Cadence UART at 0xff000000\n\
                 hello: GICv2 at 0xf9010000, PSCI 1.1 over smc, RAM 0x0..0x80000000, image at 0x200000\n\
                 hello: powering off",
            ),
            (
                "bare-timer-zcu102-smp4",
                "timer: virtual timer INTID 27, GICv2, CNTFRQ 62500000 Hz, period 10000 us\n\
                 timer: 5 ticks ok, intervals 10475 10115 10092 10128 10118 us\n\
                 timer: powering off",
            ),
            (
                "bare-smp-raspi4b-smp4",
                "smp: 4 CPUs, starting 3 from their spin tables\n\
                 smp: cpu 1 up, MPIDR 0x1\n\
                 smp: cpu 2 up, MPIDR 0x2\n\
                 smp: cpu 3 up, MPIDR 0x3\n\
                 smp: 4 CPUs, IPIs both ways ok\n\
                 smp: powering off\n\
                 gsupport: no PSCI in the device tree: cannot power off; cpu 0 parked",
            ),
            (
                "bare-smp-zcu102-smp4",
                "smp: 4 CPUs, starting 3 with PSCI CPU_ON over smc\n\
                 smp: cpu 1 up, MPIDR 0x1\n\
                 smp: cpu 2 up, MPIDR 0x2\n\
                 smp: cpu 3 up, MPIDR 0x3\n\
                 smp: 4 CPUs, IPIs both ways ok\n\
                 smp: powering off",
            ),
        ];
        let cases = cases();
        assert_eq!(cases.len(), consoles.len());
        for (name, console) in consoles {
            let case = cases.iter().find(|c| c.name == name).unwrap();
            assert_eq!(check(&case.expect, &bad, console.lines()), Ok(()), "{name}");
            let cut: Vec<&str> = console.lines().take(2).collect();
            assert!(check(&case.expect, &bad, cut).is_err(), "{name}");
        }
        // The Pi's hello on a PL011 (not its console), or a zcu102 hello
        // claiming PSCI it does not have, does not pass.
        let pi = cases
            .iter()
            .find(|c| c.name == "bare-hello-raspi4b-smp4")
            .unwrap();
        let pl011 = consoles[0]
            .1
            .replace("mini UART at 0xfe215040", "PL011 at 0xfe201000");
        assert!(check(&pi.expect, &bad, pl011.lines()).is_err());
        let zcu = cases
            .iter()
            .find(|c| c.name == "bare-hello-zcu102-smp4")
            .unwrap();
        let nopsci = consoles[2]
            .1
            .replace("PSCI 1.1 over smc", "no PSCI (none: NotSupported)");
        assert!(check(&zcu.expect, &bad, nopsci.lines()).is_err());
    }
}
