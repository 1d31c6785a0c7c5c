//! The Raspberry Pi 4's boot firmware, for `--with-firmware`: `start4.elf`
//! (the VideoCore firmware that reads `config.txt`, loads the kernel and
//! the device tree and starts the ARM cores) and `fixup4.dat` (its memory
//! split), from Debian's `raspi-firmware` package. The Pi 4 boots from its
//! EEPROM, so the older models' `bootcode.bin` is not needed.
//!
//! The package is in Debian's `non-free-firmware` component (Broadcom's
//! licence allows redistribution, not modification). xtask never adds that
//! component to apt's sources itself: when apt does not offer the package,
//! it prints the line to add and stops.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::disk::BootFile;
use crate::build::{describe, run};
use crate::setup::apt;

/// The package (`Architecture: all`: firmware for the VideoCore, the same
/// for every Debian architecture).
const PACKAGE: &str = "raspi-firmware";
/// The files a Pi 4 needs, where the package has them, and their names on
/// the card; and the copyright file, whose notice the licence asks to go
/// with every copy ("Redistributions must reproduce the above copyright
/// notice ... in the documentation").
const FILES: &[(&str, &str)] = &[
    ("usr/lib/raspi-firmware/start4.elf", "start4.elf"),
    ("usr/lib/raspi-firmware/fixup4.dat", "fixup4.dat"),
    (
        "usr/share/doc/raspi-firmware/copyright",
        "LICENCE.raspi-firmware",
    ),
];

/// The firmware files from `raspi-firmware` (downloaded once into
/// `target/boards/debs`, unpacked into `target/boards/raspi-firmware`).
pub fn pi4_files(root: &Path) -> Result<Vec<BootFile>> {
    let mut policy = Command::new("apt-cache");
    policy.args(["policy", PACKAGE]);
    let out = policy
        .output()
        .with_context(|| format!("cannot run `{}`", describe(&policy)))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(version) = apt::policy_candidate(&text) else {
        bail!(
            "{}",
            missing_component_help(&codename(), source_line().as_deref())
        );
    };
    let dir = root.join("target/boards");
    let debs = dir.join("debs");
    std::fs::create_dir_all(&debs).with_context(|| format!("cannot create {}", debs.display()))?;
    let deb = match find_deb(&debs) {
        Some(deb) => deb,
        None => {
            eprintln!(
                "xtask: downloading {PACKAGE} {version} (non-free-firmware, --with-firmware)"
            );
            run(Command::new("apt-get")
                .args(["download", "-q", PACKAGE])
                .current_dir(&debs))?;
            find_deb(&debs).context("apt-get download left no raspi-firmware .deb")?
        }
    };
    let unpacked = dir.join("raspi-firmware");
    let _ = std::fs::remove_dir_all(&unpacked);
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&unpacked))?;
    let mut files = Vec::new();
    for (in_package, on_card) in FILES {
        let path = unpacked.join(in_package);
        let data = std::fs::read(&path)
            .with_context(|| format!("{} has no /{in_package}", deb.display()))?;
        files.push(BootFile::new(on_card, data));
    }
    eprintln!("xtask: Raspberry Pi firmware from {}", deb.display());
    Ok(files)
}

/// The downloaded `raspi-firmware_VERSION_all.deb` in `debs`, if any.
fn find_deb(debs: &Path) -> Option<PathBuf> {
    std::fs::read_dir(debs)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("raspi-firmware_") && n.ends_with("_all.deb"))
        })
}

/// The Debian release's code name (`bookworm`) from `/etc/os-release`, or
/// `bookworm` when it says none (the release the Linux guests come from).
fn codename() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|os| {
            os.lines()
                .find_map(|l| l.strip_prefix("VERSION_CODENAME="))
                .map(|c| c.trim_matches('"').to_string())
        })
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| "bookworm".to_string())
}

/// A one-line apt source for `non-free-firmware` on the mirror (and key)
/// this machine already uses for its release, if one is found.
fn source_line() -> Option<String> {
    let suite = codename();
    let mirror = crate::setup::source_files()
        .iter()
        .find_map(|(_, text)| apt::find_mirror(text, &suite))?;
    Some(one_line_source(&mirror, &suite, "non-free-firmware"))
}

/// `deb [signed-by=KEY] URI SUITE COMPONENT`.
pub fn one_line_source(mirror: &apt::Mirror, suite: &str, component: &str) -> String {
    let options = mirror
        .signed_by
        .as_ref()
        .map(|key| format!("[signed-by={key}] "))
        .unwrap_or_default();
    format!("deb {options}{} {suite} {component}", mirror.uri)
}

/// What the user must do when apt offers no `raspi-firmware`: the line for
/// `/etc/apt/sources.list` (this machine's mirror when known, else Debian's
/// own), then `apt-get update`.
pub fn missing_component_help(suite: &str, line: Option<&str>) -> String {
    let fallback = format!("deb http://deb.debian.org/debian {suite} non-free-firmware");
    let line = line.map_or(fallback, str::to_string);
    format!(
        "--with-firmware: apt here offers no {PACKAGE}. The Raspberry Pi's boot firmware \
         (start4.elf, fixup4.dat) is in Debian's non-free-firmware component, which this \
         machine's apt sources do not include, and xtask does not change them for you.\n\
         To use it, add this line to /etc/apt/sources.list:\n\n    {line}\n\n\
         then run `sudo apt-get update` and this command again. Or leave out --with-firmware \
         and copy start4.elf and fixup4.dat onto the card's FAT partition yourself \
         (from https://github.com/raspberrypi/firmware, boot/)."
    )
}
