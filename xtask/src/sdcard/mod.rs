//! SD-card images for the dev boards, `cargo xtask image --board rpi4|zcu102`:
//! the board's boot image (`target/images/<board>.img`, the same kernel
//! binary as every aarch64 board's, with the bootfs of
//! `boot/boards/<board>.build`) put on an MBR disk with one FAT32 boot
//! partition ([`disk`]), written to `target/images/<board>-sd.img`.
//!
//! - Raspberry Pi 4: `qhv.img`, `config.txt` (`boot/boards/rpi4/config.txt`),
//!   `bcm2711-rpi-4-b.dtb` from Debian's arm64 kernel package, and with
//!   `--with-firmware` the Pi's boot firmware ([`firmware`]).
//! - ZCU102: `qhv.img`, `zynqmp-zcu102-rev1.0.dtb` from the same package
//!   (when it has it), `boot.scr` for U-Boot ([`uimage`]) and its source
//!   `boot.cmd` (`boot/boards/zcu102/boot.cmd`). The board's own boot
//!   firmware, `BOOT.BIN` (FSBL, PMU firmware, TF-A, U-Boot), is not in
//!   Debian and is not made here.
//!
//! QEMU's `raspi4b` boots the Pi's card ([`qemu`], the `rpi4-*` case);
//! the ZCU102's is not booted yet (its Cadence UART has no driver).

pub mod commands;
pub mod disk;
mod firmware;
pub mod qemu;
#[cfg(test)]
mod tests;
pub mod uimage;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use disk::BootFile;

/// The boot image's name on the card (`kernel=` in the Pi's `config.txt`,
/// loaded by name in the ZCU102's `boot.cmd`).
pub const KERNEL_FILE: &str = "qhv.img";
/// The Pi 4's `config.txt`.
pub const RPI4_CONFIG: &str = include_str!("../../../boot/boards/rpi4/config.txt");
/// The ZCU102's U-Boot script, source of `boot.scr`.
pub const ZCU102_SCRIPT: &str = include_str!("../../../boot/boards/zcu102/boot.cmd");

/// A board that boots from an SD card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Board {
    /// Raspberry Pi 4 Model B (BCM2711).
    Rpi4,
    /// AMD/Xilinx ZCU102 (Zynq UltraScale+ MPSoC).
    Zcu102,
}

impl Board {
    /// Every SD-card board.
    pub const ALL: [Board; 2] = [Board::Rpi4, Board::Zcu102];

    /// The board named `name` (its buildfile's stem), if it boots from SD.
    pub fn from_name(name: &str) -> Option<Board> {
        Board::ALL.into_iter().find(|b| b.name() == name)
    }

    /// `rpi4` or `zcu102`.
    pub fn name(self) -> &'static str {
        match self {
            Board::Rpi4 => "rpi4",
            Board::Zcu102 => "zcu102",
        }
    }

    /// The device tree under Debian's `/usr/lib/linux-image-VERSION/`.
    pub fn dtb(self) -> &'static str {
        match self {
            Board::Rpi4 => "broadcom/bcm2711-rpi-4-b.dtb",
            Board::Zcu102 => "xilinx/zynqmp-zcu102-rev1.0.dtb",
        }
    }

    /// The device tree's name on the card.
    pub fn dtb_file(self) -> &'static str {
        self.dtb().rsplit('/').next().unwrap_or(self.dtb())
    }
}

/// Where the SD-card image of `board` goes (made from its own buildfile).
pub fn image_path(root: &Path, board: Board) -> PathBuf {
    card_path(root, board.name())
}

/// Where the SD-card image holding the boot image named `stem` goes
/// (`target/images/<stem>-sd.img`: `rpi4-sd.img` for `rpi4.img`).
fn card_path(root: &Path, stem: &str) -> PathBuf {
    root.join("target/images").join(format!("{stem}-sd.img"))
}

/// The boot partition's files for `board`: the boot image `kernel`, the
/// device tree if there is one, the board's boot configuration, and
/// `firmware` (Pi only).
pub fn boot_files(
    board: Board,
    kernel: Vec<u8>,
    dtb: Option<Vec<u8>>,
    firmware: Vec<BootFile>,
) -> Result<Vec<BootFile>> {
    let mut files = firmware;
    files.push(BootFile::new(KERNEL_FILE, kernel));
    if let Some(dtb) = dtb {
        files.push(BootFile::new(board.dtb_file(), dtb));
    }
    match board {
        Board::Rpi4 => files.push(BootFile::new("config.txt", RPI4_CONFIG)),
        Board::Zcu102 => {
            let scr = uimage::script_image("qhv boot script", ZCU102_SCRIPT)?;
            files.push(BootFile::new("boot.scr", scr));
            files.push(BootFile::new("boot.cmd", ZCU102_SCRIPT));
        }
    }
    Ok(files)
}

/// Reads `image` back as the boards will: one bootable FAT32 partition
/// from 1 MiB to the end, every file there with its bytes, and `boot.scr`,
/// if any, a script image U-Boot accepts.
fn check_card(image: &[u8], files: &[BootFile]) -> Result<()> {
    let card = disk::read(image).context("the new SD-card image does not read back")?;
    let start = u64::from(card.start_lba) * disk::SECTOR;
    let end = start + u64::from(card.sectors) * disk::SECTOR;
    anyhow::ensure!(
        card.partition_type == disk::FAT32_LBA
            && card.bootable
            && card.fat_type == fatfs::FatType::Fat32
            && start == disk::PARTITION_START
            && end == image.len() as u64,
        "the new SD-card image's partition reads back wrong: type {:#04x}, bootable {}, \
         {:?}, bytes {start}..{end} of {}",
        card.partition_type,
        card.bootable,
        card.fat_type,
        image.len()
    );
    for f in files {
        anyhow::ensure!(
            card.file(&f.name) == Some(f.data.as_slice()),
            "{} does not read back from the new SD-card image",
            f.name
        );
    }
    if let Some(scr) = card.file("boot.scr") {
        uimage::read_script(scr).context("boot.scr")?;
    }
    Ok(())
}

/// The boot firmware to put on `board`'s card: none without
/// `with_firmware`; the Pi's from Debian's `raspi-firmware` with it (or
/// the message saying how to let apt offer it); an error for the ZCU102,
/// whose firmware Debian does not have. Called before anything is built.
pub fn firmware(root: &Path, board: Board, with_firmware: bool) -> Result<Vec<BootFile>> {
    match (board, with_firmware) {
        (_, false) => Ok(Vec::new()),
        (Board::Rpi4, true) => firmware::pi4_files(root),
        (Board::Zcu102, true) => bail!(
            "--with-firmware: Debian has no boot firmware for the ZCU102; its BOOT.BIN \
             (FSBL, PMU firmware, TF-A, U-Boot) comes from AMD/Xilinx's tools (docs/boards.md)"
        ),
    }
}

/// Makes the SD-card image of `board` around the boot image at
/// `boot_image`, with `firmware` ([`firmware`]), and returns its path. The
/// device tree comes from Debian's arm64 kernel package (downloaded and
/// checked as for the Linux guest).
pub fn make(
    root: &Path,
    board: Board,
    boot_image: &Path,
    firmware: Vec<BootFile>,
) -> Result<PathBuf> {
    let kernel = std::fs::read(boot_image)
        .with_context(|| format!("cannot read the boot image {}", boot_image.display()))?;
    let with_firmware = !firmware.is_empty();
    let dtb = match crate::linux::dtbs::arm64_dtb(root, board.dtb())? {
        Some((path, bytes)) => {
            eprintln!("xtask: device tree {}", path.display());
            Some(bytes)
        }
        None if board == Board::Rpi4 => {
            bail!("Debian's arm64 kernel package has no {}", board.dtb())
        }
        None => {
            eprintln!(
                "xtask: warning: Debian's arm64 kernel package has no {}: boot.scr falls back \
                 to U-Boot's own device tree",
                board.dtb()
            );
            None
        }
    };
    let files = boot_files(board, kernel, dtb, firmware)?;
    let image = disk::build(&files)?;
    check_card(&image, &files)?;
    let stem = boot_image
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(board.name());
    let out = card_path(root, stem);
    std::fs::write(&out, &image).with_context(|| format!("cannot write {}", out.display()))?;
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    eprintln!(
        "xtask: SD-card image {}: {} MiB, MBR with one FAT32 partition: {}",
        out.display(),
        image.len() >> 20,
        names.join(", ")
    );
    if board == Board::Rpi4 && !with_firmware {
        eprintln!(
            "xtask: no Pi firmware on it (start4.elf, fixup4.dat): add --with-firmware to take \
             it from Debian's raspi-firmware (non-free-firmware), or copy it onto the card"
        );
    }
    if board == Board::Zcu102 {
        eprintln!("xtask: the card also needs the board's BOOT.BIN, which is not made here");
    }
    Ok(out)
}
