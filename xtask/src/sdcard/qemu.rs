//! Booting an SD-card image on QEMU's model of its board, as the board
//! boots the card: QEMU runs neither the Pi's boot firmware nor the
//! ZCU102's `BOOT.BIN` and U-Boot, so the kernel and device tree are read
//! back out of the card image's FAT partition (with `fatfs`) and given to
//! QEMU as `-kernel` and `-dtb`, and the card itself is attached as the SD
//! card: what boots is what the card holds. QEMU's `raspi4b` starts the
//! kernel at EL3 on CPU 0 and parks the others on the Pi firmware's spin
//! table (`cpu-release-addr` 0xd8..0xf0); `xlnx-zcu102,virtualization=on`
//! starts it at EL2 with PSCI (SMC) answered by QEMU.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{Board, KERNEL_FILE, disk};

/// Where the files read back from the card `card` (`<stem>-sd.img`) go:
/// `target/images/<stem>-from-sd`, one folder per card.
fn dir(root: &Path, card: &Path) -> PathBuf {
    let name = card.file_stem().and_then(|s| s.to_str()).unwrap_or("card");
    let stem = name.strip_suffix("-sd").unwrap_or(name);
    root.join("target/images").join(format!("{stem}-from-sd"))
}

/// The copy of the card QEMU gets: QEMU's SD cards must be a power of two
/// in size, so the card image is padded (past its partition: the
/// partition and its files are the card's own).
pub const CARD: &str = "card.img";

/// Makes `board`'s SD-card image of `buildfile` (else the board's own;
/// without the Pi firmware, which QEMU does not run), reads its kernel and
/// device tree back, and pads a copy of the card; returns the kernel's
/// path (the device tree and card copy are beside it, where
/// [`board_args`] looks).
pub fn prepare(root: &Path, board: Board, buildfile: Option<&Path>) -> Result<PathBuf> {
    let card = super::commands::sd_image(root, board, buildfile, false)?;
    let bytes = std::fs::read(&card).with_context(|| format!("cannot read {}", card.display()))?;
    let contents = disk::read(&bytes)?;
    let out = dir(root, &card);
    std::fs::create_dir_all(&out)?;
    let kernel = contents
        .file(KERNEL_FILE)
        .with_context(|| format!("no {KERNEL_FILE} on {}", card.display()))?;
    let dtb = contents
        .file(board.dtb_file())
        .with_context(|| format!("no {} on {}", board.dtb_file(), card.display()))?;
    std::fs::write(out.join(KERNEL_FILE), kernel)?;
    std::fs::write(out.join(board.dtb_file()), dtb)?;
    let mut padded = bytes;
    padded.resize(padded.len().next_power_of_two(), 0);
    std::fs::write(out.join(CARD), padded)?;
    Ok(out.join(KERNEL_FILE))
}

/// QEMU's options for `board`: the Pi 4 (`raspi4b`: 4 Cortex-A72s, 2 GiB,
/// the GIC-400, the PL011 on `-serial`) or the ZCU102 (`xlnx-zcu102`: 4
/// Cortex-A53s, the GIC-400 with its virtualization extensions, 2 GiB, the
/// first Cadence UART on `-serial`); `kernel` read back by [`prepare`], its
/// device tree and the card beside it.
pub fn board_args(board: Board, kernel: &Path) -> Vec<String> {
    let dir = kernel.parent().unwrap_or(Path::new("."));
    let mut args: Vec<String> = match board {
        Board::Rpi4 => vec!["-M".into(), "raspi4b".into()],
        Board::Zcu102 => vec![
            "-M".into(),
            "xlnx-zcu102,virtualization=on".into(),
            "-m".into(),
            "2G".into(),
        ],
    };
    args.extend([
        "-kernel".into(),
        kernel.display().to_string(),
        "-dtb".into(),
        dir.join(board.dtb_file()).display().to_string(),
        "-drive".into(),
        format!("file={},if=sd,format=raw", dir.join(CARD).display()),
    ]);
    args
}

/// `cargo xtask run --board rpi4|zcu102`: boots `board`'s card on QEMU's
/// model of the board as the cases do ([`prepare`], [`board_args`]), the
/// console on this terminal. `given` names the `run` options the user
/// gave and whether each was: the model fixes the CPU, GIC, CPU count and
/// RAM, so each given one is refused rather than ignored. The card holds
/// `buildfile`'s image, else the board's own. Only returns on error.
pub fn run(
    root: &Path,
    board: Board,
    buildfile: Option<&Path>,
    given: &[(&str, bool)],
) -> anyhow::Error {
    let refused: Vec<&str> = given.iter().filter(|(_, g)| *g).map(|(o, _)| *o).collect();
    if !refused.is_empty() {
        return anyhow::anyhow!(
            "--board {}: QEMU's model of the board fixes the CPUs, GIC and RAM: leave out {}",
            board.name(),
            refused.join(", ")
        );
    }
    let kernel = match prepare(root, board, buildfile) {
        Ok(kernel) => kernel,
        Err(e) => return e,
    };
    let machine = crate::qemu::Machine::board(board);
    crate::qemu::run_interactive(&machine, &kernel)
}
