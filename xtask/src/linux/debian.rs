//! Debian packages for the Linux guests: a pinned package is downloaded
//! with `apt-get download` (or the current one when the pin has left the
//! archive), its SHA-256 checked, and the kernel modules the initramfs
//! loads are found in the unpacked kernel package in dependency order.
//!
//! apt checks every package against Debian's signed indexes; the pinned
//! SHA-256 adds that the bytes are the ones the tests were written with.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::build::{describe, run};
use crate::setup::Privilege;

/// A pinned Debian package (of one architecture, named where it is used).
pub(super) struct Package {
    /// Package name.
    pub name: &'static str,
    /// Version.
    pub version: &'static str,
    /// SHA-256 of the .deb.
    pub sha256: &'static str,
    /// What to install when the pinned version is gone.
    pub fallback: &'static str,
}

/// Whether `file`, a .deb's file name, is a download of package `name` for
/// Debian architecture `arch`: apt names it `NAME_VERSION_ARCH.deb`.
pub(super) fn is_package(file: &str, name: &str, arch: &str) -> bool {
    file.strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('_'))
        .and_then(|rest| rest.strip_suffix(".deb"))
        .and_then(|rest| rest.strip_suffix(arch))
        .is_some_and(|rest| rest.ends_with('_') && !rest[..rest.len() - 1].contains('_'))
}

/// Whether `file`, a .deb's file name, holds the pinned version of
/// `package` (apt writes the `:` of an epoch as `%3a`).
pub(super) fn is_pinned(file: &str, package: &Package) -> bool {
    file.contains(&format!("_{}_", package.version.replace(':', "%3a")))
}

/// The downloaded .deb of package `name` for `arch` in `debs`, if any.
fn find(debs: &Path, name: &str, arch: &str) -> Option<PathBuf> {
    std::fs::read_dir(debs)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| is_package(n, name, arch))
        })
}

/// Lets apt see packages of Debian architecture `arch`: nothing to do for
/// the machine's own, `dpkg --add-architecture` for another (arm64).
pub(super) fn enable_architecture(arch: &str) -> Result<()> {
    let native = Command::new("dpkg")
        .arg("--print-architecture")
        .output()
        .context("cannot run dpkg")?;
    let foreign = Command::new("dpkg")
        .arg("--print-foreign-architectures")
        .output()
        .context("cannot run dpkg")?;
    if String::from_utf8_lossy(&native.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&foreign.stdout).lines())
        .any(|l| l.trim() == arch)
    {
        return Ok(());
    }
    eprintln!("xtask: adding the {arch} architecture to apt (for the Linux guest's packages)");
    let privilege = Privilege::find().with_context(|| {
        format!(
            "adding the {arch} architecture needs root: run `sudo dpkg --add-architecture {arch} && sudo apt-get update`"
        )
    })?;
    let mut add = privilege.command("dpkg");
    add.args(["--add-architecture", arch]);
    run(&mut add)?;
    run(&mut privilege.apt(&["update", "-q"]))
}

fn sha256(path: &Path) -> Result<String> {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .context("cannot run sha256sum")?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string())
}

/// Downloads `package` for Debian architecture `arch` into `dir/debs`
/// (once); returns the .deb's path.
pub(super) fn fetch(dir: &Path, package: &Package, arch: &str) -> Result<PathBuf> {
    let debs = dir.join("debs");
    let pinned = format!("{}:{arch}={}", package.name, package.version);
    if find(&debs, package.name, arch).is_none() {
        let mut cmd = Command::new("apt-get");
        cmd.args(["download", "-q", &pinned]).current_dir(&debs);
        let ok = cmd.status().is_ok_and(|s| s.success());
        if !ok {
            eprintln!(
                "xtask: warning: {pinned} is not in the archive any more; taking the current {}",
                package.fallback
            );
            let mut cmd = Command::new("apt-get");
            cmd.args(["download", "-q", &format!("{}:{arch}", package.fallback)])
                .current_dir(&debs);
            run(&mut cmd).with_context(|| {
                format!("cannot download {} ({})", package.fallback, describe(&cmd))
            })?;
        }
    }
    // The fallback of the kernel metapackage is only a dependency: follow it.
    let deb = match find(&debs, package.name, arch) {
        Some(deb) => deb,
        None => follow_metapackage(&debs, package, arch)?,
    };
    if deb
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| is_pinned(n, package))
    {
        let sum = sha256(&deb)?;
        if sum != package.sha256 {
            bail!(
                "{} has SHA-256 {sum}, expected {}",
                deb.display(),
                package.sha256
            );
        }
    }
    Ok(deb)
}

/// Downloads what a metapackage (`linux-image-arm64`) depends on.
fn follow_metapackage(debs: &Path, package: &Package, arch: &str) -> Result<PathBuf> {
    let meta = find(debs, package.fallback, arch)
        .with_context(|| format!("no {} package downloaded", package.fallback))?;
    let out = Command::new("dpkg-deb")
        .args(["-f"])
        .arg(&meta)
        .arg("Depends")
        .output()?;
    let depends = String::from_utf8_lossy(&out.stdout);
    let name = depends
        .split([',', ' '])
        .find(|w| w.starts_with("linux-image-"))
        .context("no kernel in the metapackage")?;
    let mut cmd = Command::new("apt-get");
    cmd.args(["download", "-q", &format!("{name}:{arch}")])
        .current_dir(debs);
    run(&mut cmd)?;
    find(debs, name, arch).context("the kernel package did not arrive")
}

/// The `.ko` files of `wanted` and their dependencies, each after what it
/// depends on, found in the unpacked kernel package.
pub(super) fn modules_in_order(unpacked: &Path, wanted: &[&str]) -> Result<Vec<(String, PathBuf)>> {
    let lib = unpacked.join("lib/modules");
    let version = std::fs::read_dir(&lib)?
        .filter_map(|e| e.ok())
        .next()
        .context("no /lib/modules/VERSION")?
        .path();
    let mut files = HashMap::new();
    let mut stack = vec![version.join("kernel")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)?.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Some(stem) = p
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".ko"))
            {
                files.insert(stem.replace('-', "_"), p);
            }
        }
    }
    let mut order = Vec::new();
    for name in wanted {
        visit(name, &files, &mut order, 0)?;
    }
    Ok(order)
}

/// Puts module `name` into `order` after everything it depends on.
fn visit(
    name: &str,
    files: &HashMap<String, PathBuf>,
    order: &mut Vec<(String, PathBuf)>,
    depth: usize,
) -> Result<()> {
    if order.iter().any(|(n, _)| n == name) {
        return Ok(());
    }
    if depth > 16 {
        bail!("module dependencies of {name} nest too deep");
    }
    let path = files
        .get(name)
        .with_context(|| format!("no module {name} in the kernel package"))?;
    let data = std::fs::read(path)?;
    for dep in depends(&data) {
        visit(&dep, files, order, depth + 1)?;
    }
    order.push((name.to_string(), path.clone()));
    Ok(())
}

/// The `depends=` list of a module's `.modinfo`.
pub(super) fn depends(ko: &[u8]) -> Vec<String> {
    let key = b"depends=";
    let Some(at) = ko.windows(key.len()).position(|w| w == key) else {
        return Vec::new();
    };
    let rest = &ko[at + key.len()..];
    let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    String::from_utf8_lossy(&rest[..end])
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace('-', "_"))
        .collect()
}
