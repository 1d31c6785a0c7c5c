//! The SD-card boards in `cargo xtask image` and `flash`: which boards
//! have an SD-card image, and making it after the boot image.

use std::path::{Path, PathBuf};

use anyhow::{Result, ensure};
use clap::Args;

use super::Board;
use crate::ImageArgs;
use crate::build::Arch;

/// Arguments of `cargo xtask image`.
#[derive(Args)]
pub struct ImageCmd {
    /// Which image.
    #[command(flatten)]
    pub image: ImageArgs,
    /// With --board rpi4: put the Pi's boot firmware (start4.elf, fixup4.dat) on the SD card, from Debian's raspi-firmware package (non-free-firmware).
    #[arg(long)]
    pub with_firmware: bool,
}

/// `cargo xtask image`: the boot image of `args`, and for an SD-card board
/// its SD-card image too; the path to print (the SD-card image's, if any).
pub fn image(root: &Path, args: &ImageArgs, with_firmware: bool) -> Result<PathBuf> {
    match board_of(args)? {
        Some(board) => sd_image(root, board, args.buildfile.as_deref(), with_firmware),
        None => {
            ensure!(
                !with_firmware,
                "--with-firmware is for the SD-card boards (--board rpi4)"
            );
            crate::build_image(root, args)
        }
    }
}

/// The SD-card board `args` names, if any (their images are aarch64 ones,
/// from the board's own buildfile or `--buildfile`).
fn board_of(args: &ImageArgs) -> Result<Option<Board>> {
    let board = args.board.as_deref().and_then(Board::from_name);
    if let Some(board) = board {
        ensure!(
            args.arch == Arch::Aarch64,
            "--board {}: its SD-card image holds an --arch aarch64 image",
            board.name()
        );
    }
    Ok(board)
}

/// Builds the boot image of `board` (from `buildfile`, else the board's
/// own), then its SD-card image (named after the boot image:
/// `target/images/<stem>-sd.img`); returns the latter's path. The
/// firmware is looked for first, so that a missing apt component stops
/// the command before the build.
pub fn sd_image(
    root: &Path,
    board: Board,
    buildfile: Option<&Path>,
    with_firmware: bool,
) -> Result<PathBuf> {
    let firmware = super::firmware(root, board, with_firmware)?;
    let args = ImageArgs {
        arch: Arch::Aarch64,
        board: Some(board.name().to_string()),
        buildfile: buildfile.map(Path::to_path_buf),
    };
    let boot_image = crate::build_image(root, &args)?;
    super::make(root, board, &boot_image, firmware)
}
