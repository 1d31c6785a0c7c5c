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
pub const USER_PACKAGES: &[&str] = &["init", "ktest", "shell", "qvm"];

/// Where cargo puts the x86 kernel ELF.
pub fn kernel_elf(root: &Path) -> PathBuf {
    bare_elf(root, "kernel")
}

/// Where cargo puts a program [`build_bare`] built.
fn bare_elf(root: &Path, name: &str) -> PathBuf {
    root.join("target/kernel-x86")
        .join(X86_64_TARGET)
        .join("release")
        .join(name)
}

/// Where cargo puts the x86 host programs (`${target}` of x86 buildfiles).
pub fn user_dir(root: &Path) -> PathBuf {
    root.join("target/user-x86")
        .join(X86_64_TARGET)
        .join("release")
}

/// Builds the x86 kernel, host programs and test guests.
pub fn build_all(root: &Path) -> Result<()> {
    build_kernel(root)?;
    build_user(root)?;
    // The test guests and their variants, which x86 images carry for
    // `qvm` to run.
    crate::guests::build_x86(root, crate::guests::X86_GUEST_PACKAGES)?;
    crate::guest_variants::build_x86_variants(root).map(drop)
}

/// `cargo build --release -p kernel --bin kernel` for x86_64, linked where
/// it runs (2 MiB) with `kernel/kernel-x86_64.ld`.
pub fn build_kernel(root: &Path) -> Result<()> {
    eprintln!("xtask: building the x86_64 kernel");
    build_bare(root, "kernel")
}

/// `cargo build --release -p NAME --bin NAME` for x86_64 as the kernel is
/// built (static, at 2 MiB, `kernel/kernel-x86_64.ld`), in
/// `target/kernel-x86`.
fn build_bare(root: &Path, name: &str) -> Result<()> {
    let script = root.join("kernel/kernel-x86_64.ld");
    let flags = [
        "-C relocation-model=static".to_string(),
        "-C force-frame-pointers=yes".to_string(),
        format!("-C link-arg=-T{}", script.display()),
    ];
    let mut cmd = cargo(root);
    cmd.args(["build", "--release", "-p", name, "--bin", name])
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
    cmd.args(["--features", "shell/app,qvm/vmm,qvm/guest-x86_64"]);
    cmd.args(["--target", X86_64_TARGET])
        .env("CARGO_TARGET_DIR", root.join("target/user-x86"));
    set_rustflags(&mut cmd, &flags);
    run(&mut cmd)
}

/// The bare-metal check of the SVM and VMX world switches (`arch/hwcheck`).
pub const HWCHECK: &str = "hwcheck";

/// Builds `arch/hwcheck` as the kernel is built and copies it to
/// `target/images/hwcheck.elf` (no bootfs); returns that path.
pub fn build_hwcheck(root: &Path) -> Result<PathBuf> {
    eprintln!("xtask: building hwcheck for x86_64");
    build_bare(root, HWCHECK)?;
    let built = bare_elf(root, HWCHECK);
    let out_dir = root.join("target/images");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let out = out_dir.join("hwcheck.elf");
    std::fs::copy(&built, &out).with_context(|| format!("cannot copy {}", built.display()))?;
    let _ = std::fs::remove_file(bootfs_of(&out));
    Ok(out)
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

/// Makes a GRUB ISO of the x86 image whose kernel is `kernel` (its
/// bootfs beside it, if it has one): GRUB loads the kernel through its
/// multiboot2 header and the bootfs as its module, with the console on
/// COM1. Returns the
/// ISO's path (`NAME.iso`).
pub fn make_iso(kernel: &Path) -> Result<PathBuf> {
    let staging = kernel.with_extension("iso.d");
    let boot = staging.join("boot");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(boot.join("grub"))
        .with_context(|| format!("cannot create {}", boot.display()))?;
    std::fs::copy(kernel, boot.join("qhv.elf"))
        .with_context(|| format!("cannot copy {}", kernel.display()))?;
    let bootfs = bootfs_of(kernel);
    let config = if bootfs.is_file() {
        std::fs::copy(&bootfs, boot.join("bootfs"))
            .with_context(|| format!("cannot copy the bootfs of {}", kernel.display()))?;
        GRUB_CFG.to_string()
    } else {
        GRUB_CFG.replace("    module2 /boot/bootfs bootfs\n", "")
    };
    std::fs::write(boot.join("grub/grub.cfg"), config)
        .with_context(|| format!("cannot write {}", boot.display()))?;
    let iso = kernel.with_extension("iso");
    let mut cmd = std::process::Command::new("grub-mkrescue");
    cmd.arg("-o").arg(&iso).arg(&staging);
    run(&mut cmd)?;
    Ok(iso)
}

/// GRUB's configuration on the ISO: no menu delay, console on COM1.
const GRUB_CFG: &str = "\
set timeout=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry \"qhv\" {
    multiboot2 /boot/qhv.elf
    module2 /boot/bootfs bootfs
    boot
}
";

/// Bochs's configuration of the machine of `smp` CPUs booting `iso`, and
/// its debugger commands (Debian's Bochs starts in its debugger: `c`
/// runs). The display is a VNC server that waits for no client, so Bochs
/// runs without a terminal; COM1 is its standard output.
fn bochs_files(iso: &Path, smp: u32) -> (PathBuf, PathBuf) {
    (
        iso.with_extension(format!("smp{smp}.bochsrc")),
        iso.with_extension("bochs-commands"),
    )
}

/// The command line of Bochs for `iso` on `smp` CPUs.
pub fn bochs_args(iso: &Path, smp: u32) -> Vec<String> {
    let (rc, commands) = bochs_files(iso, smp);
    vec![
        "-q".into(),
        "-f".into(),
        rc.display().to_string(),
        "-rc".into(),
        commands.display().to_string(),
    ]
}

/// Writes the files [`bochs_args`] names for `machine`. Sound goes to
/// Bochs's dummy drivers: where ALSA has no card (a CI machine), Debian's
/// Bochs 2.7 aborts in its mixer thread ("buffer overflow detected").
pub fn write_bochsrc(iso: &Path, machine: &crate::qemu::Machine) -> Result<()> {
    let (rc, commands) = bochs_files(iso, machine.smp);
    let mib = crate::qemu::parse_mem(&machine.mem)
        .map_err(|e| anyhow::anyhow!("--mem {}: {e}", machine.mem))?;
    let megs = match mib.strip_suffix('G') {
        Some(g) => g.parse::<u64>().unwrap_or(1) * 1024,
        None => mib.trim_end_matches('M').parse::<u64>().unwrap_or(256),
    };
    let text = format!(
        "megs: {megs}\n\
         cpu: model={}, count={}\n\
         romimage: file=/usr/share/bochs/BIOS-bochs-latest\n\
         vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest\n\
         ata0-master: type=cdrom, path={}, status=inserted\n\
         boot: cdrom\n\
         com1: enabled=1, mode=file, dev=/dev/stdout\n\
         display_library: rfb, options=\"timeout=0\"\n\
         sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy\n\
         clock: sync=none\n\
         log: {}\n\
         panic: action=fatal\n\
         error: action=report\n",
        machine.cpu.name(),
        machine.smp,
        iso.display(),
        iso.with_extension("bochs.log").display()
    );
    std::fs::write(&rc, text).with_context(|| format!("cannot write {}", rc.display()))?;
    std::fs::write(&commands, "c\n").with_context(|| format!("cannot write {}", commands.display()))
}
