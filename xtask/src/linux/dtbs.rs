//! Board device trees from the arm64 guest's Debian kernel package (the
//! same pinned `.deb` as [`super::prepare_arch`] takes the kernel from):
//! Debian builds the kernel's `.dtb` files into it, under
//! `/usr/lib/linux-image-VERSION/VENDOR/`. Only the `.dtb` files are
//! unpacked, into `target/linux/dtbs`, once per package file.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use super::{ARM64, LinuxArch, debian};
use crate::build::describe;

/// The device tree `name` (`broadcom/bcm2711-rpi-4-b.dtb`, a path under
/// the package's `/usr/lib/linux-image-VERSION/`) and where it came from,
/// or `None` if the package has no such file.
pub fn arm64_dtb(root: &Path, name: &str) -> Result<Option<(PathBuf, Vec<u8>)>> {
    let dir = LinuxArch::Arm64.dir(root);
    std::fs::create_dir_all(dir.join("debs"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    debian::enable_architecture(ARM64.debian)?;
    let deb = debian::fetch(&dir, &ARM64.kernel, ARM64.debian)?;
    let out = dir.join("dtbs");
    let stamp = out.join("from-package");
    let deb_name = deb.file_name().map(|n| n.to_string_lossy().into_owned());
    if std::fs::read_to_string(&stamp).ok() != deb_name {
        unpack_dtbs(&deb, &out)?;
        if !out.join("usr/lib").is_dir() {
            bail!("{} holds no .dtb files under /usr/lib", deb.display());
        }
        std::fs::write(&stamp, deb_name.unwrap_or_default())
            .with_context(|| format!("cannot write {}", stamp.display()))?;
    }
    let lib = out.join("usr/lib");
    let versions = std::fs::read_dir(&lib).with_context(|| {
        format!(
            "{} has no /usr/lib/linux-image-*: no device trees",
            deb.display()
        )
    })?;
    for version in versions.filter_map(|e| e.ok()) {
        let path = version.path().join(name);
        if path.is_file() {
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            return Ok(Some((path, bytes)));
        }
    }
    Ok(None)
}

/// `dpkg-deb --fsys-tarfile DEB | tar -x --wildcards '*.dtb'` into `out`,
/// emptied first.
fn unpack_dtbs(deb: &Path, out: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut dpkg = Command::new("dpkg-deb");
    dpkg.arg("--fsys-tarfile").arg(deb).stdout(Stdio::piped());
    let mut source = dpkg
        .spawn()
        .with_context(|| format!("cannot start `{}`", describe(&dpkg)))?;
    let tar_input = source.stdout.take().context("no pipe from dpkg-deb")?;
    let mut tar = Command::new("tar");
    // `-C` comes first: it applies to the member names after it.
    tar.arg("-C")
        .arg(out)
        .args(["-x", "--wildcards", "*.dtb"])
        .stdin(tar_input);
    let tar_status = tar
        .status()
        .with_context(|| format!("cannot start `{}`", describe(&tar)))?;
    let dpkg_status = source.wait()?;
    if !dpkg_status.success() || !tar_status.success() {
        bail!(
            "cannot unpack the device trees of {} (dpkg-deb: {dpkg_status}, tar: {tar_status})",
            deb.display()
        );
    }
    Ok(())
}
