//! `cargo xtask flash --board B --device PATH`: writes a board's SD-card
//! image (`target/images/<board>-sd.img`, made first unless `--no-build`)
//! to a card, after the checks of [`checks`] and [`usage`] on what `PATH`
//! is ([`system`] reads `/sys` and `/proc`) and a confirmation unless
//! `--yes`; then writes, syncs and reads back ([`write`]). `--dry-run`
//! prints every check and what it would write, and writes nothing.

pub mod checks;
pub mod system;
#[cfg(test)]
mod tests;
mod usage;
pub mod write;

use std::io::{BufRead, IsTerminal};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;

use crate::sdcard::Board;
use checks::{Node, Policy, Target};
use system::Host;

/// The largest disk written without `--force`: SD cards for these boards
/// are 64 GiB or less; a bigger disk is more likely a backup drive.
pub const MAX_CARD_BYTES: u64 = 64 << 30;

/// Arguments of `cargo xtask flash`.
#[derive(Args, Debug, Clone)]
pub struct FlashArgs {
    /// The board whose SD-card image to write (rpi4, zcu102).
    #[arg(long)]
    pub board: String,
    /// The card: a whole removable disk, e.g. /dev/sdX or /dev/mmcblkN.
    #[arg(long, value_name = "PATH")]
    pub device: PathBuf,
    /// Also write a disk bigger than 64 GiB, or a regular file.
    #[arg(long)]
    pub force: bool,
    /// Print every check and what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask before writing.
    #[arg(long)]
    pub yes: bool,
    /// Write the image already in target/images instead of making it first.
    #[arg(long)]
    pub no_build: bool,
    /// Put the Raspberry Pi's boot firmware on the card (as `image --with-firmware`).
    #[arg(long)]
    pub with_firmware: bool,
}

/// `cargo xtask flash`: makes the board's SD-card image (or, with
/// `--no-build`, takes the one made before), then [`run`].
pub fn command(root: &Path, args: &FlashArgs) -> Result<()> {
    let board = Board::from_name(&args.board)
        .with_context(|| format!("no SD-card image for board `{}` (rpi4, zcu102)", args.board))?;
    let image = if args.no_build {
        let path = crate::sdcard::image_path(root, board);
        anyhow::ensure!(
            path.is_file(),
            "--no-build: no {} (`cargo xtask image --board {}` makes it)",
            path.display(),
            board.name()
        );
        path
    } else {
        crate::sdcard::commands::sd_image(root, board, None, args.with_firmware)?
    };
    run(args, &image)
}

/// What a path is, from `stat` (symbolic links followed).
pub fn node_of(path: &Path) -> Node {
    let Ok(meta) = std::fs::metadata(path) else {
        return Node::Missing;
    };
    let kind = meta.file_type();
    if kind.is_block_device() {
        let (major, minor) = dev_numbers(meta.rdev());
        Node::Block(major, minor)
    } else if kind.is_file() {
        Node::Regular
    } else if kind.is_dir() {
        Node::Other("folder")
    } else if kind.is_char_device() {
        Node::Other("character device")
    } else {
        Node::Other("special file")
    }
}

/// Major and minor numbers of a Linux `dev_t` (glibc's `gnu_dev_major` and
/// `gnu_dev_minor`: 12 bits of major and 20 of minor, split).
pub fn dev_numbers(rdev: u64) -> (u32, u32) {
    let major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & !0xfff);
    let minor = (rdev & 0xff) | ((rdev >> 12) & !0xff);
    (major as u32, minor as u32)
}

/// Flashes `image_path` as `args` say, with this machine's `/sys` and
/// `/proc`, asking on the terminal.
pub fn run(args: &FlashArgs, image_path: &Path) -> Result<()> {
    let stdin = std::io::stdin();
    let live = std::io::stderr().is_terminal();
    flash(
        args,
        image_path,
        &Host::real(),
        &mut stdin.lock(),
        &mut std::io::stderr(),
        live,
    )
}

/// The whole command on given inputs: checks, the answer to the question
/// read from `answer`, report and progress to `out` (a terminal if `live`).
pub fn flash(
    args: &FlashArgs,
    image_path: &Path,
    host: &Host,
    answer: &mut dyn BufRead,
    out: &mut dyn std::io::Write,
    live: bool,
) -> Result<()> {
    let image = std::fs::read(image_path)
        .with_context(|| format!("cannot read the image {}", image_path.display()))?;
    let contents = crate::sdcard::disk::read(&image)
        .with_context(|| format!("{} is not an SD-card image", image_path.display()))?;
    let names: Vec<&str> = contents.files.iter().map(|f| f.name.as_str()).collect();
    writeln!(
        out,
        "image {} ({} bytes): partition 1 type {:#04x}{}, {:?}, sectors {}..{}, files {}",
        image_path.display(),
        image.len(),
        contents.partition_type,
        if contents.bootable { " bootable" } else { "" },
        contents.fat_type,
        contents.start_lba,
        u64::from(contents.start_lba) + u64::from(contents.sectors),
        names.join(", ")
    )?;
    // /dev/disk/by-id/... names are links: the checks see what they name.
    let dest = std::fs::canonicalize(&args.device).unwrap_or_else(|_| args.device.clone());
    let policy = Policy {
        force: args.force,
        image_len: image.len() as u64,
        max_bytes: MAX_CARD_BYTES,
    };
    let exam = checks::examine(&dest, node_of(&dest), host, &policy);
    for c in &exam.checks {
        let verdict = if c.ok { "ok" } else { "REFUSED" };
        writeln!(out, "  {verdict:<7} {:<11} {}", c.what, c.detail)?;
    }
    let refusals = exam.refusals();
    let target = match (&exam.target, refusals.is_empty()) {
        (Some(target), true) => target,
        _ => {
            let why: Vec<&str> = refusals.iter().map(|c| c.detail.as_str()).collect();
            bail!("not writing to {}: {}", dest.display(), why.join("; "));
        }
    };
    let what = match target {
        Target::Disk { name, bytes, model } => {
            let gib = *bytes as f64 / (1u64 << 30) as f64;
            match model.as_str() {
                "" => format!("disk {name} ({gib:.1} GiB)"),
                model => format!("disk {name} ({model}, {gib:.1} GiB)"),
            }
        }
        Target::File => "the regular file".to_string(),
    };
    let plan = format!(
        "write {} bytes of {} to {what} {}, fsync, then read them back and compare",
        image.len(),
        image_path.display(),
        dest.display()
    );
    if args.dry_run {
        writeln!(out, "dry run: would {plan}; nothing written")?;
        return Ok(());
    }
    if !args.yes {
        write!(
            out,
            "About to {plan}. Everything on it is lost. Type yes to go on: "
        )?;
        out.flush()?;
        let mut line = String::new();
        answer.read_line(&mut line)?;
        if line.trim() != "yes" {
            bail!("not confirmed: nothing written");
        }
    }
    let block = matches!(target, Target::Disk { .. });
    let mut progress = write::Progress { out, live };
    write::write_and_verify(&image, &dest, block, &mut progress)?;
    let out = progress.out;
    writeln!(
        out,
        "wrote and verified {} bytes on {}",
        image.len(),
        dest.display()
    )?;
    Ok(())
}
