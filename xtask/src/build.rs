//! Building the aarch64 kernel and user programs with cargo, and running
//! commands with clear failure messages.
//!
//! The kernel and the user programs get their own target directories
//! (`target/kernel`, `target/user`) because they are built with different
//! `RUSTFLAGS`: sharing one would rebuild everything at each switch.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// The target triple of the aarch64 kernel and user programs.
pub const AARCH64_TARGET: &str = "aarch64-unknown-none-softfloat";

/// The architecture a command builds or boots (`--arch`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Arch {
    /// Armv8-A at EL2 on QEMU `virt` and the boards.
    #[default]
    #[value(name = "aarch64")]
    Aarch64,
    /// x86-64 with SVM (QEMU `q35`, `-cpu EPYC`) or VMX.
    #[value(name = "x86_64")]
    X86_64,
}

/// The target triple of the x86_64 kernel (issue 12).
pub const X86_64_TARGET: &str = "x86_64-unknown-none";

/// The user programs built into boot images (cargo package names; each has a
/// binary of the same name).
pub const USER_PACKAGES: &[&str] = &["init", "ktest", "rtc", "vblk", "qvm", "shell"];

/// Cargo features the user build turns on (`qvm`'s binary needs its VMM
/// side, `shell`'s its runtime, which the host-tested libraries leave out).
pub const USER_FEATURES: &str = "qvm/vmm,shell/app";

/// The test guests (cargo package names under `guests/`; each has a binary
/// of the same name).
pub const GUEST_PACKAGES: &[&str] = &[
    "hello", "timer", "smp", "faults", "bench", "ticker", "virtio", "hostile", "stress", "shmem",
];

/// The repository root: the parent of this crate's folder.
pub fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .parent()
        .expect("xtask lives in a folder of the repository")
        .to_path_buf()
}

/// Where cargo puts the kernel ELF.
pub fn kernel_elf(root: &Path) -> PathBuf {
    root.join("target/kernel")
        .join(AARCH64_TARGET)
        .join("release/kernel")
}

/// Where cargo puts the user programs (the buildfile variable `${target}`).
pub fn user_dir(root: &Path) -> PathBuf {
    root.join("target/user")
        .join(AARCH64_TARGET)
        .join("release")
}

/// Build the kernel, then the user programs.
pub fn build_all(root: &Path) -> Result<()> {
    build_kernel(root)?;
    build_user(root)?;
    // Boot images carry guest images (`${root}/target/guests/*.img`).
    crate::guests::build_all(root).map(drop)
}

/// `cargo build --release -p kernel --bin kernel` for aarch64, as a PIE linked at 0.
pub fn build_kernel(root: &Path) -> Result<()> {
    eprintln!("xtask: building the kernel");
    let script = root.join("kernel/kernel.ld");
    let flags = [
        "-C relocation-model=pie".to_string(),
        "-C force-frame-pointers=yes".to_string(),
        "-C link-arg=-pie".to_string(),
        format!("-C link-arg=-T{}", script.display()),
        "-C link-arg=--no-dynamic-linker".to_string(),
        // The prebuilt core and alloc are not position-independent: allow
        // their absolute addresses in read-only data; the boot code applies
        // the relocations before the MMU makes anything read-only.
        "-C link-arg=-znotext".to_string(),
    ];
    let mut cmd = cargo(root);
    cmd.args(["build", "--release", "-p", "kernel", "--bin", "kernel"])
        .args(["--target", AARCH64_TARGET])
        .env("CARGO_TARGET_DIR", root.join("target/kernel"));
    set_rustflags(&mut cmd, &flags);
    run(&mut cmd)
}

/// `cargo build --release` of [`USER_PACKAGES`] for aarch64, statically linked.
pub fn build_user(root: &Path) -> Result<()> {
    eprintln!(
        "xtask: building user programs: {}",
        USER_PACKAGES.join(", ")
    );
    let script = root.join("boot/ulib/user.ld");
    let flags = [
        "-C relocation-model=static".to_string(),
        "-C force-frame-pointers=yes".to_string(),
        format!("-C link-arg=-T{}", script.display()),
    ];
    let mut cmd = cargo(root);
    cmd.args(["build", "--release"]);
    for package in USER_PACKAGES {
        cmd.args(["-p", package]);
    }
    cmd.args(["--features", USER_FEATURES]);
    cmd.args(["--target", AARCH64_TARGET])
        .env("CARGO_TARGET_DIR", root.join("target/user"));
    set_rustflags(&mut cmd, &flags);
    run(&mut cmd)
}

/// Where cargo puts the guest ELFs (in their own target directory,
/// `target/guests`, where `cargo xtask` also writes their flat images).
pub fn guest_elf_dir(root: &Path) -> PathBuf {
    root.join("target/guests")
        .join(AARCH64_TARGET)
        .join("release")
}

/// `cargo build --release` of the guests `packages` for aarch64, each a PIE
/// linked at 0 with `guests/gsupport/guest.ld` (the kernel's flags).
pub fn build_guests(root: &Path, packages: &[&str]) -> Result<()> {
    eprintln!("xtask: building guests: {}", packages.join(", "));
    let script = root.join("guests/gsupport/guest.ld");
    let flags = [
        "-C relocation-model=pie".to_string(),
        "-C force-frame-pointers=yes".to_string(),
        "-C link-arg=-pie".to_string(),
        format!("-C link-arg=-T{}", script.display()),
        "-C link-arg=--no-dynamic-linker".to_string(),
        // As for the kernel: the guest relocates itself with the MMU off.
        "-C link-arg=-znotext".to_string(),
    ];
    let mut cmd = cargo(root);
    cmd.args(["build", "--release"]);
    for package in packages {
        cmd.args(["-p", package]);
    }
    cmd.args(["--target", AARCH64_TARGET])
        .env("CARGO_TARGET_DIR", root.join("target/guests"));
    set_rustflags(&mut cmd, &flags);
    run(&mut cmd)
}

/// A `cargo` command run in `root`: the cargo that started xtask, if known.
pub fn cargo(root: &Path) -> Command {
    let program = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(program);
    cmd.current_dir(root);
    cmd
}

/// Pass `flags` (each a `-C key=value` string) to rustc through
/// `CARGO_ENCODED_RUSTFLAGS`, which keeps paths with spaces in one piece
/// and takes precedence over a `RUSTFLAGS` in the caller's environment.
pub fn set_rustflags(cmd: &mut Command, flags: &[String]) {
    let words: Vec<&str> = flags.iter().flat_map(|f| f.splitn(2, ' ')).collect();
    cmd.env("CARGO_ENCODED_RUSTFLAGS", words.join("\x1f"))
        .env_remove("RUSTFLAGS");
}

/// Run `cmd` with stdin and stderr inherited and its stdout sent to our
/// stderr (so that `cargo xtask image` prints nothing but the image's path on
/// stdout). Fails, naming the command, unless it exits with status 0.
pub fn run(cmd: &mut Command) -> Result<()> {
    cmd.stdout(Stdio::from(std::io::stderr()));
    let status = cmd
        .status()
        .with_context(|| format!("cannot start `{}`", describe(cmd)))?;
    if !status.success() {
        bail!("command failed ({status}): {}", describe(cmd));
    }
    Ok(())
}

/// A command as a shell line: its environment settings, program and arguments.
pub fn describe(cmd: &Command) -> String {
    let mut words = Vec::new();
    for (key, value) in cmd.get_envs() {
        let Some(value) = value else { continue };
        if key == "CARGO_ENCODED_RUSTFLAGS" {
            let flags = value.to_string_lossy().replace('\x1f', " ");
            words.push(format!("RUSTFLAGS={}", quote(OsStr::new(&flags))));
        } else {
            words.push(format!("{}={}", key.to_string_lossy(), quote(value)));
        }
    }
    words.push(quote(cmd.get_program()));
    words.extend(cmd.get_args().map(quote));
    let line = words.join(" ");
    match cmd.get_current_dir() {
        Some(dir) => format!("{line} (in {})", dir.display()),
        None => line,
    }
}

/// Quote a word for a POSIX shell if it needs it.
fn quote(word: &OsStr) -> String {
    let word = word.to_string_lossy();
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        word.into_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_commands_as_shell_lines() {
        let mut cmd = Command::new("cargo");
        cmd.args(["build", "-p", "kernel", "it's"])
            .env("CARGO_TARGET_DIR", "/r/target/kernel");
        set_rustflags(&mut cmd, &["-C link-arg=-T/a b/k.ld".to_string()]);
        let line = describe(&cmd);
        assert!(line.contains("CARGO_TARGET_DIR=/r/target/kernel"), "{line}");
        assert!(
            line.contains("RUSTFLAGS='-C link-arg=-T/a b/k.ld'"),
            "{line}"
        );
        assert!(line.ends_with(r"cargo build -p kernel 'it'\''s'"), "{line}");
    }

    #[test]
    fn encodes_each_flag_as_two_words() {
        let mut cmd = Command::new("cargo");
        set_rustflags(
            &mut cmd,
            &[
                "-C relocation-model=pie".to_string(),
                "-C link-arg=-T/a b/k.ld".to_string(),
            ],
        );
        let encoded = cmd
            .get_envs()
            .find(|(k, _)| *k == "CARGO_ENCODED_RUSTFLAGS")
            .and_then(|(_, v)| v)
            .unwrap();
        assert_eq!(
            encoded,
            "-C\x1frelocation-model=pie\x1f-C\x1flink-arg=-T/a b/k.ld"
        );
    }

    #[test]
    fn root_holds_the_workspace() {
        assert!(root().join("Cargo.toml").is_file());
        assert!(root().join("xtask/Cargo.toml").is_file());
    }
}
