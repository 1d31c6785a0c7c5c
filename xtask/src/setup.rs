//! Set-up: the rustup targets and Debian packages the build and the tests
//! need, installed when missing.
//!
//! The checks are cheap (`rustup target list --installed`, one `dpkg-query`),
//! so every command runs them. Missing packages are installed with apt as
//! root, or through `sudo -n`; otherwise we stop with the command to run.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::build::{describe, run};

/// Rust targets: the aarch64 kernel and programs, and the x86_64 ones to come.
pub const RUST_TARGETS: &[&str] = &["aarch64-unknown-none-softfloat", "x86_64-unknown-none"];

/// Debian packages: QEMU for aarch64, and `dtc` to read device trees.
pub const APT_PACKAGES: &[&str] = &["qemu-system-arm", "device-tree-compiler"];

/// A program each package provides, checked on systems without dpkg.
const PACKAGE_PROGRAMS: &[(&str, &str)] = &[
    ("qemu-system-arm", "qemu-system-aarch64"),
    ("device-tree-compiler", "dtc"),
];

/// Make sure the Rust targets and the packages are installed.
pub fn ensure(root: &Path) -> Result<()> {
    ensure_rust_targets(root)?;
    ensure_packages()
}

fn ensure_rust_targets(root: &Path) -> Result<()> {
    let mut list = Command::new("rustup");
    list.args(["target", "list", "--installed"])
        .current_dir(root);
    let output = list.output().with_context(|| {
        format!(
            "cannot run `{}`: is rustup installed? The build needs the Rust targets {}",
            describe(&list),
            RUST_TARGETS.join(" ")
        )
    })?;
    if !output.status.success() {
        bail!(
            "`{}` failed ({}): {}",
            describe(&list),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let installed = String::from_utf8_lossy(&output.stdout);
    let missing = missing_targets(&installed);
    if missing.is_empty() {
        return Ok(());
    }
    eprintln!("xtask: adding missing Rust targets: {}", missing.join(" "));
    let mut add = Command::new("rustup");
    add.args(["target", "add"]).args(&missing).current_dir(root);
    run(&mut add)
}

/// The entries of [`RUST_TARGETS`] absent from `rustup target list --installed` output.
fn missing_targets(installed: &str) -> Vec<&'static str> {
    RUST_TARGETS
        .iter()
        .copied()
        .filter(|t| !installed.lines().any(|l| l.trim() == *t))
        .collect()
}

fn ensure_packages() -> Result<()> {
    let Some(missing) = missing_packages()? else {
        return ensure_programs();
    };
    if missing.is_empty() {
        return Ok(());
    }
    let list = missing.join(" ");
    eprintln!("xtask: missing Debian packages: {list}");
    let sudo = if is_root() {
        eprintln!("xtask: installing them: apt-get install {list}");
        false
    } else if sudo_works() {
        eprintln!("xtask: installing them: sudo apt-get install {list}");
        true
    } else {
        bail!(
            "missing Debian packages: {list}\n\
             install them with:\n    \
             sudo apt-get update && sudo apt-get install -y --no-install-recommends {list}"
        );
    };
    let apt = |args: &[&str]| {
        let mut cmd = if sudo {
            let mut c = Command::new("sudo");
            c.args(["-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            c
        } else {
            let mut c = Command::new("apt-get");
            c.env("DEBIAN_FRONTEND", "noninteractive");
            c
        };
        cmd.args(args).stdin(Stdio::null());
        cmd
    };
    run(&mut apt(&["update"]))?;
    let mut install = apt(&["install", "-y", "--no-install-recommends"]);
    install.args(&missing);
    run(&mut install)?;
    match missing_packages()? {
        Some(still) if !still.is_empty() => {
            bail!("still missing after apt-get install: {}", still.join(" "))
        }
        _ => Ok(()),
    }
}

/// The entries of [`APT_PACKAGES`] that dpkg does not list as installed, or
/// `None` when this system has no `dpkg-query`.
fn missing_packages() -> Result<Option<Vec<&'static str>>> {
    let mut missing = Vec::new();
    for package in APT_PACKAGES {
        let output = match Command::new("dpkg-query")
            .args(["-W", "-f=${Status}", package])
            .stderr(Stdio::null())
            .output()
        {
            Ok(output) => output,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).context("cannot run dpkg-query"),
        };
        if !String::from_utf8_lossy(&output.stdout).contains("install ok installed") {
            missing.push(*package);
        }
    }
    Ok(Some(missing))
}

/// Without dpkg, at least check that the programs are on `PATH`.
fn ensure_programs() -> Result<()> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let missing: Vec<String> = PACKAGE_PROGRAMS
        .iter()
        .filter(|(_, program)| !std::env::split_paths(&path).any(|d| d.join(program).is_file()))
        .map(|(package, program)| format!("{program} (Debian package {package})"))
        .collect();
    if !missing.is_empty() {
        bail!(
            "not a Debian/Ubuntu system, and these programs are not on PATH: {}",
            missing.join(", ")
        );
    }
    Ok(())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn sudo_works() -> bool {
    Command::new("sudo")
        .args(["-n", "true"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_missing_targets() {
        let installed = "aarch64-unknown-none-softfloat\nx86_64-unknown-linux-gnu\n";
        assert_eq!(missing_targets(installed), vec!["x86_64-unknown-none"]);
        let all = "x86_64-unknown-none\naarch64-unknown-none-softfloat\n";
        assert!(missing_targets(all).is_empty());
        // A prefix is not the target itself.
        assert_eq!(missing_targets("aarch64-unknown-none\n").len(), 2);
    }
}
