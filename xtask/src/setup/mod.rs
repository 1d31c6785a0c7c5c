//! Set-up: the rustup targets and Debian packages the build and the tests
//! need, installed when missing.
//!
//! The checks are cheap (`rustup target list --installed`,
//! `qemu-system-aarch64 --version`), so every command runs them; `.ci/run`
//! and a person's first `cargo xtask run` or `test` go through the same
//! code, so both get the same versions. QEMU must be at least [`MIN_QEMU`]:
//! on Debian 12 it comes from bookworm-backports, added on the mirror the
//! machine already uses. apt's plan is read first (`apt-get install -s`):
//! if it would remove or downgrade any installed package, nothing is
//! installed and the command is printed for the user to decide. Installs
//! run as root, or through `sudo -n`; otherwise we stop with the command.

pub mod apt;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::build::{describe, run};
use apt::QemuVersion;

/// Rust targets: the aarch64 kernel and programs, and the x86_64 ones to come.
pub const RUST_TARGETS: &[&str] = &["aarch64-unknown-none-softfloat", "x86_64-unknown-none"];

/// The oldest QEMU the tests pass on: 10.0, as in Debian 12's
/// bookworm-backports and Debian 13. (7.2, Debian 12's own, does not trap
/// guest `HCR_EL2.TIDCP` accesses, which the `vms-*` cases check.)
pub const MIN_QEMU: QemuVersion = QemuVersion {
    major: 10,
    minor: 0,
};

/// The Debian package with `qemu-system-aarch64`.
const QEMU_PACKAGE: &str = "qemu-system-arm";
/// The Debian package with `qemu-system-x86_64` (the x86_64 host's cases),
/// from the same QEMU source and suite.
const QEMU_X86_PACKAGE: &str = "qemu-system-x86";
/// The Debian package with `dtc`, which reads the generated device trees.
const DTC_PACKAGE: &str = "device-tree-compiler";
/// What the x86 case on Bochs needs, each a file that says the package is
/// there: GRUB's ISO maker and its PC modules, `xorriso` and `mtools`
/// under it, Bochs with its BIOS and VGA BIOS.
const X86_ISO_AND_BOCHS: &[(&str, &str)] = &[
    ("/usr/bin/grub-mkrescue", "grub-common"),
    ("/usr/lib/grub/i386-pc/multiboot2.mod", "grub-pc-bin"),
    ("/usr/bin/xorriso", "xorriso"),
    ("/usr/bin/mformat", "mtools"),
    ("/usr/bin/bochs", "bochs"),
    ("/usr/share/bochs/BIOS-bochs-latest", "bochsbios"),
    ("/usr/share/bochs/VGABIOS-lgpl-latest", "vgabios"),
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
    let qemu = installed_qemu();
    let qemu_x86 = installed_qemu_of("qemu-system-x86_64");
    let dtc = on_path("dtc");
    let missing_x86: Vec<&str> = X86_ISO_AND_BOCHS
        .iter()
        .filter(|(file, _)| !Path::new(file).exists())
        .map(|&(_, package)| package)
        .collect();
    if qemu.is_some_and(|v| v >= MIN_QEMU)
        && qemu_x86.is_some_and(|v| v >= MIN_QEMU)
        && dtc
        && missing_x86.is_empty()
    {
        return Ok(());
    }
    let mut wanted = Vec::new();
    if !missing_x86.is_empty() {
        eprintln!(
            "xtask: missing for the x86 cases: {}",
            missing_x86.join(" ")
        );
        wanted.extend(&missing_x86);
    }
    match qemu {
        Some(v) if v >= MIN_QEMU => {}
        Some(v) => {
            eprintln!("xtask: qemu-system-aarch64 is QEMU {v}; the tests need {MIN_QEMU} or newer")
        }
        None => eprintln!("xtask: qemu-system-aarch64 (QEMU {MIN_QEMU} or newer) is missing"),
    }
    if qemu.is_none_or(|v| v < MIN_QEMU) {
        wanted.push(QEMU_PACKAGE);
    }
    if qemu_x86.is_none_or(|v| v < MIN_QEMU) {
        eprintln!("xtask: qemu-system-x86_64 (QEMU {MIN_QEMU} or newer) is missing");
        wanted.push(QEMU_X86_PACKAGE);
    }
    if !dtc {
        eprintln!("xtask: dtc (device-tree-compiler) is missing");
        wanted.push(DTC_PACKAGE);
    }
    if !on_path("apt-get") {
        bail!(
            "not a Debian/Ubuntu system: install QEMU {MIN_QEMU} or newer \
             (qemu-system-aarch64) and dtc yourself"
        );
    }
    let privilege = Privilege::find().with_context(|| {
        format!(
            "installing {} needs root: run `sudo cargo xtask setup` once, or as root",
            wanted.join(" ")
        )
    })?;
    install(&privilege, &wanted)?;
    match installed_qemu() {
        Some(v) if v >= MIN_QEMU => {}
        Some(v) => bail!("after the install qemu-system-aarch64 is still QEMU {v}"),
        None => bail!("after the install there is still no qemu-system-aarch64"),
    }
    if installed_qemu_of("qemu-system-x86_64").is_none_or(|v| v < MIN_QEMU) {
        bail!("after the install there is no qemu-system-x86_64 {MIN_QEMU} or newer");
    }
    if !on_path("dtc") {
        bail!("after the install there is still no dtc");
    }
    if let Some((file, package)) = X86_ISO_AND_BOCHS
        .iter()
        .find(|(file, _)| !Path::new(file).exists())
    {
        bail!("after the install there is still no {file} ({package})");
    }
    Ok(())
}

/// Installs `wanted` with apt, from bookworm-backports where the machine's
/// own suite has too old a QEMU, after checking that apt's plan removes or
/// downgrades nothing the machine has.
fn install(privilege: &Privilege, wanted: &[&str]) -> Result<()> {
    run(&mut privilege.apt(&["update", "-q"]))?;
    let mut release = None;
    let wants_qemu = wanted.contains(&QEMU_PACKAGE) || wanted.contains(&QEMU_X86_PACKAGE);
    if wants_qemu && !candidate_is_new_enough(None)? {
        let suite = backports_suite().with_context(|| {
            format!(
                "this system's apt offers no QEMU {MIN_QEMU} or newer (qemu-system-arm); \
                 install one yourself"
            )
        })?;
        add_backports(privilege, &suite)?;
        if !candidate_is_new_enough(Some(&suite))? {
            bail!("{suite} offers no QEMU {MIN_QEMU} or newer (qemu-system-arm)");
        }
        release = Some(suite);
    }
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    if let Some(suite) = &release {
        args.extend(["-t", suite.as_str()]);
    }
    args.extend(wanted);
    let command_line = format!("apt-get {}", args.join(" "));
    let mut simulate = Command::new("apt-get");
    simulate.args(&args).arg("-s").stdin(Stdio::null());
    let out = simulate
        .output()
        .with_context(|| format!("cannot run `{}`", describe(&simulate)))?;
    if !out.status.success() {
        bail!(
            "apt cannot plan `{command_line}`: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let plan = apt::read_plan(&String::from_utf8_lossy(&out.stdout));
    let downgrades: Vec<String> = plan
        .replaces
        .iter()
        .filter(|(_, old, new)| is_downgrade(old, new))
        .map(|(name, old, new)| format!("{name} {old} -> {new}"))
        .collect();
    if !plan.removes.is_empty() || !downgrades.is_empty() {
        let mut why = String::new();
        if !plan.removes.is_empty() {
            why.push_str(&format!("\n  it would remove: {}", plan.removes.join(" ")));
        }
        if !downgrades.is_empty() {
            why.push_str(&format!(
                "\n  it would downgrade: {}",
                downgrades.join(", ")
            ));
        }
        bail!(
            "not installing: apt's plan for `{command_line}` takes away what this machine has:{why}\n\
             decide yourself, then run it as root (or install QEMU {MIN_QEMU}+ and dtc another way)"
        );
    }
    eprintln!("xtask: installing: {command_line}");
    run(&mut privilege.apt(&args))
}

/// Whether apt's candidate for qemu-system-arm (from `release` if given) is
/// at least [`MIN_QEMU`].
fn candidate_is_new_enough(release: Option<&str>) -> Result<bool> {
    let mut policy = Command::new("apt-cache");
    if let Some(release) = release {
        policy.args(["-t", release]);
    }
    policy.args(["policy", QEMU_PACKAGE]);
    let out = policy
        .output()
        .with_context(|| format!("cannot run `{}`", describe(&policy)))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(apt::policy_candidate(&text)
        .and_then(apt::debian_qemu_version)
        .is_some_and(|v| v >= MIN_QEMU))
}

/// `bookworm-backports` on Debian 12; `None` elsewhere.
fn backports_suite() -> Option<String> {
    let os = std::fs::read_to_string("/etc/os-release").ok()?;
    let codename = os
        .lines()
        .find_map(|l| l.strip_prefix("VERSION_CODENAME="))?
        .trim_matches('"');
    let is_debian = os
        .lines()
        .any(|l| l.trim_matches('"') == "ID=debian" || l == "ID=\"debian\"");
    (is_debian && codename == "bookworm").then(|| format!("{codename}-backports"))
}

/// Every apt sources file: `/etc/apt/sources.list` and `sources.list.d/*.list|*.sources`.
pub fn source_files() -> Vec<(PathBuf, String)> {
    let mut files = vec![PathBuf::from("/etc/apt/sources.list")];
    if let Ok(dir) = std::fs::read_dir("/etc/apt/sources.list.d") {
        let mut more: Vec<PathBuf> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "list" || e == "sources"))
            .collect();
        more.sort();
        files.extend(more);
    }
    files
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(&p).ok().map(|t| (p, t)))
        .collect()
}

/// Adds `suite` (bookworm-backports) on the mirror the machine already uses
/// for bookworm, unless some source names it already.
fn add_backports(privilege: &Privilege, suite: &str) -> Result<()> {
    let files = source_files();
    if files.iter().any(|(_, text)| apt::names_suite(text, suite)) {
        return Ok(());
    }
    let base = suite.trim_end_matches("-backports");
    let mirror = files
        .iter()
        .find_map(|(_, text)| apt::find_mirror(text, base))
        .with_context(|| {
            format!("no apt source for {base} main to take the mirror for {suite} from")
        })?;
    let path = format!("/etc/apt/sources.list.d/{suite}.sources");
    eprintln!(
        "xtask: adding {suite} (mirror {}) as {path}, for QEMU {MIN_QEMU}",
        mirror.uri
    );
    let tmp = std::env::temp_dir().join(format!("xtask-{suite}.sources"));
    std::fs::write(&tmp, apt::deb822_source(&mirror, suite))
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    run(privilege
        .command("install")
        .args(["-m", "0644"])
        .arg(&tmp)
        .arg(&path))?;
    run(&mut privilege.apt(&["update", "-q"]))
}

/// Whether Debian version `new` is older than `old` (`dpkg --compare-versions`).
fn is_downgrade(old: &str, new: &str) -> bool {
    Command::new("dpkg")
        .args(["--compare-versions", new, "lt", old])
        .status()
        .is_ok_and(|s| s.success())
}

/// The QEMU version of `qemu-system-aarch64` on `PATH`, if it runs.
pub fn installed_qemu() -> Option<QemuVersion> {
    installed_qemu_of("qemu-system-aarch64")
}

/// The version of QEMU's `program`, if it runs.
fn installed_qemu_of(program: &str) -> Option<QemuVersion> {
    let out = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .ok()?;
    apt::qemu_version(&String::from_utf8_lossy(&out.stdout))
}

fn on_path(program: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).any(|d| d.join(program).is_file())
}

/// How commands that need root are run: directly as root, or with `sudo -n`.
pub enum Privilege {
    Root,
    Sudo,
}

impl Privilege {
    /// Root itself, or `sudo` without a password; `None` if neither.
    pub fn find() -> Option<Privilege> {
        if is_root() {
            Some(Privilege::Root)
        } else if sudo_works() {
            Some(Privilege::Sudo)
        } else {
            None
        }
    }

    /// `program` run with root rights.
    pub fn command(&self, program: &str) -> Command {
        match self {
            Privilege::Root => Command::new(program),
            Privilege::Sudo => {
                let mut c = Command::new("sudo");
                c.args(["-n", program]);
                c
            }
        }
    }

    /// `apt-get ARGS` run with root rights, non-interactive.
    pub fn apt(&self, args: &[&str]) -> Command {
        let mut cmd = match self {
            Privilege::Root => Command::new("apt-get"),
            Privilege::Sudo => {
                let mut c = Command::new("sudo");
                c.args(["-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
                c
            }
        };
        cmd.env("DEBIAN_FRONTEND", "noninteractive")
            .args(args)
            .stdin(Stdio::null());
        cmd
    }
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
