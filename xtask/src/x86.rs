//! The x86_64 host (issue 12): building the kernel and the host programs
//! ported so far for `x86_64-unknown-none`, and its boot image: the kernel
//! ELF, which QEMU starts through its PVH note (GRUB through its multiboot2
//! header), and the bootfs as its first boot module (`-initrd`).
//!
//! Host programs are linked at 512 GiB + 2 MiB (`boot/ulib/user-x86_64.ld`,
//! `abi::USER_BASE`) and compiled position-independent, which the small
//! code model needs that high; the linker resolves every address, so the
//! programs are plain static executables.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::build::{X86_64_TARGET, cargo, run, set_rustflags};

/// The host programs built for x86 (the rest follow as they are ported).
pub const USER_PACKAGES: &[&str] = &["init", "ktest"];

/// Where cargo puts the x86 kernel ELF.
pub fn kernel_elf(root: &Path) -> PathBuf {
    root.join("target/kernel-x86")
        .join(X86_64_TARGET)
        .join("release/kernel")
}

/// Where cargo puts the x86 host programs (`${target}` of x86 buildfiles).
pub fn user_dir(root: &Path) -> PathBuf {
    root.join("target/user-x86")
        .join(X86_64_TARGET)
        .join("release")
}

/// Builds the x86 kernel and host programs.
pub fn build_all(root: &Path) -> Result<()> {
    build_kernel(root)?;
    build_user(root)
}

/// `cargo build --release -p kernel --bin kernel` for x86_64, linked where
/// it runs (2 MiB) with `kernel/kernel-x86_64.ld`.
pub fn build_kernel(root: &Path) -> Result<()> {
    eprintln!("xtask: building the x86_64 kernel");
    let script = root.join("kernel/kernel-x86_64.ld");
    let flags = [
        "-C relocation-model=static".to_string(),
        "-C force-frame-pointers=yes".to_string(),
        format!("-C link-arg=-T{}", script.display()),
    ];
    let mut cmd = cargo(root);
    cmd.args(["build", "--release", "-p", "kernel", "--bin", "kernel"])
        .args(["--target", X86_64_TARGET])
        .env("CARGO_TARGET_DIR", root.join("target/kernel-x86"));
    set_rustflags(&mut cmd, &flags);
    run(&mut cmd)
}

/// `cargo build --release` of [`USER_PACKAGES`] for x86_64.
pub fn build_user(root: &Path) -> Result<()> {
    eprintln!(
        "xtask: building x86_64 host programs: {}",
        USER_PACKAGES.join(", ")
    );
    let script = root.join("boot/ulib/user-x86_64.ld");
    let flags = [
        "-C relocation-model=pic".to_string(),
        "-C force-frame-pointers=yes".to_string(),
        format!("-C link-arg=-T{}", script.display()),
        "-C link-arg=--no-pie".to_string(),
    ];
    let mut cmd = cargo(root);
    cmd.args(["build", "--release"]);
    for package in USER_PACKAGES {
        cmd.args(["-p", package]);
    }
    cmd.args(["--target", X86_64_TARGET])
        .env("CARGO_TARGET_DIR", root.join("target/user-x86"));
    set_rustflags(&mut cmd, &flags);
    run(&mut cmd)
}

/// The bootfs beside an x86 image's kernel (`NAME.elf` → `NAME.bootfs`).
pub fn bootfs_of(kernel: &Path) -> PathBuf {
    kernel.with_extension("bootfs")
}

/// Makes the x86 image of `buildfile` in `target/images/`: `NAME.elf` (the
/// kernel) and `NAME.bootfs`; returns the kernel's path.
pub fn make_image(root: &Path, buildfile: &Path) -> Result<PathBuf> {
    let (name, bootfs) = crate::image::make_bootfs(root, "", Some(buildfile), &user_dir(root))?;
    let out_dir = root.join("target/images");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let kernel = out_dir.join(format!("{name}.elf"));
    std::fs::copy(kernel_elf(root), &kernel)
        .with_context(|| format!("cannot copy the x86 kernel to {}", kernel.display()))?;
    let module = bootfs_of(&kernel);
    std::fs::write(&module, &bootfs)
        .with_context(|| format!("cannot write {}", module.display()))?;
    eprintln!(
        "xtask: x86 image {} with {} KiB bootfs",
        kernel.display(),
        bootfs.len() / 1024
    );
    Ok(kernel)
}
