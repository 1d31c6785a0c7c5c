//! The test guests (`guests/`): building them into flat arm64 `Image`s at
//! `target/guests/<name>.img`, and booting one directly on QEMU `virt` at
//! EL1 with no hypervisor (`cargo xtask run --guest NAME --bare`), the way
//! a guest is checked on a board before it is virtualized.
//!
//! A guest is a position-independent ELF linked at 0 like the kernel, so
//! its flat image comes from the same [`image::flatten`] and
//! [`image::patch_header`]: every loadable segment at its address, zeros up
//! to `__image_end` (`.bss` and the per-CPU stacks included), and the
//! header's `image_size` set to that length.
//!
//! The x86_64 guests ([`X86_GUEST_PACKAGES`]) are static ELF executables
//! linked at 2 MiB with `guests/gsupport/guest-x86_64.ld`, carrying a
//! Multiboot v1 header with its address fields: QEMU `-kernel` on the PC
//! boots them as they are (`target/guests-x86/<name>.elf`), as does
//! `qvm`'s multiboot loader. `guest_variants.rs` builds `hello` twice more
//! for `qvm`'s other paths (`hello32`, ELF32 without address fields;
//! `hello64`, ELF64 without a header, started in long mode).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::build::{self, GUEST_PACKAGES, X86_64_TARGET};
use crate::image;
use crate::qemu::{self, EntryLevel, Machine};

/// The test guests that also run on an x86_64 PC.
pub const X86_GUEST_PACKAGES: &[&str] = &[
    "hello", "timer", "smp", "faults", "bench", "ticker", "shmem",
];

/// Fails unless `name` is one of [`GUEST_PACKAGES`].
pub fn check_name(name: &str) -> Result<()> {
    if !GUEST_PACKAGES.contains(&name) {
        bail!(
            "unknown guest `{name}` (guests: {})",
            GUEST_PACKAGES.join(", ")
        );
    }
    Ok(())
}

/// Where the flat image of guest `name` is written.
pub fn image_path(root: &Path, name: &str) -> PathBuf {
    root.join("target/guests").join(format!("{name}.img"))
}

/// The flat arm64 `Image` of a guest ELF.
pub fn flat_image(elf: &[u8]) -> Result<Vec<u8>> {
    let mut flat = image::flatten(elf)?;
    image::patch_header(&mut flat)?;
    Ok(flat)
}

/// Builds the guests `names` and writes their flat images; returns their
/// paths in the same order.
pub fn build(root: &Path, names: &[&str]) -> Result<Vec<PathBuf>> {
    for name in names {
        check_name(name)?;
    }
    build::build_guests(root, names)?;
    let mut paths = Vec::new();
    for name in names {
        let elf_path = build::guest_elf_dir(root).join(name);
        let elf = std::fs::read(&elf_path)
            .with_context(|| format!("cannot read guest {}", elf_path.display()))?;
        let flat = flat_image(&elf).with_context(|| format!("guest {}", elf_path.display()))?;
        let out = image_path(root, name);
        std::fs::write(&out, &flat).with_context(|| format!("cannot write {}", out.display()))?;
        eprintln!(
            "xtask: guest image {} ({} KiB)",
            out.display(),
            flat.len() / 1024
        );
        paths.push(out);
    }
    Ok(paths)
}

/// Builds every guest, aarch64 and x86_64; returns the aarch64 images'
/// paths.
pub fn build_all(root: &Path) -> Result<Vec<PathBuf>> {
    let images = build(root, GUEST_PACKAGES)?;
    build_x86(root, X86_GUEST_PACKAGES)?;
    Ok(images)
}

/// Fails unless `name` is one of [`X86_GUEST_PACKAGES`].
pub fn check_x86_name(name: &str) -> Result<()> {
    if !X86_GUEST_PACKAGES.contains(&name) {
        bail!(
            "guest `{name}` does not run on x86_64 (x86_64 guests: {})",
            X86_GUEST_PACKAGES.join(", ")
        );
    }
    Ok(())
}

/// Where the ELF of x86_64 guest `name` is copied.
pub fn x86_elf_path(root: &Path, name: &str) -> PathBuf {
    root.join("target/guests-x86").join(format!("{name}.elf"))
}

/// `cargo build --release` of the x86_64 guests `names` for
/// `x86_64-unknown-none` in `target/guests-x86`: static, linked at 2 MiB
/// with `guests/gsupport/guest-x86_64.ld`, 4 KiB segment alignment (the
/// multiboot header must lie in the file's first 8 KiB). Each ELF is
/// copied to [`x86_elf_path`]; returns those paths in order.
pub fn build_x86(root: &Path, names: &[&str]) -> Result<Vec<PathBuf>> {
    for name in names {
        check_x86_name(name)?;
    }
    eprintln!("xtask: building x86_64 guests: {}", names.join(", "));
    let target_dir = root.join("target/guests-x86");
    let built = cargo_x86(root, names, None, &target_dir)?;
    let mut paths = Vec::new();
    for (name, built) in names.iter().zip(built) {
        let out = x86_elf_path(root, name);
        std::fs::copy(&built, &out)
            .with_context(|| format!("cannot copy {} to {}", built.display(), out.display()))?;
        paths.push(out);
    }
    Ok(paths)
}

/// `cargo build --release` of the x86_64 guest packages `packages` as
/// [`build_x86`] builds them, with `features` (`gsupport/...`, for the
/// variants of `guest_variants.rs`), in `target_dir`; returns the built
/// ELF files in order.
pub fn cargo_x86(
    root: &Path,
    packages: &[&str],
    features: Option<&str>,
    target_dir: &Path,
) -> Result<Vec<PathBuf>> {
    let script = root.join("guests/gsupport/guest-x86_64.ld");
    let flags = [
        "-C relocation-model=static".to_string(),
        "-C force-frame-pointers=yes".to_string(),
        format!("-C link-arg=-T{}", script.display()),
        "-C link-arg=-zmax-page-size=0x1000".to_string(),
    ];
    let mut cmd = build::cargo(root);
    cmd.args(["build", "--release"]);
    for name in packages {
        cmd.args(["-p", name]);
    }
    if let Some(features) = features {
        cmd.args(["--features", features]);
    }
    cmd.args(["--target", X86_64_TARGET])
        .env("CARGO_TARGET_DIR", target_dir);
    build::set_rustflags(&mut cmd, &flags);
    build::run(&mut cmd)?;
    Ok(packages
        .iter()
        .map(|name| target_dir.join(X86_64_TARGET).join("release").join(name))
        .collect())
}

/// `cargo xtask run --guest NAME --bare`: builds the guest and boots it on
/// `machine` at EL1 (no `virtualization=on`, no hypervisor), or with an x86
/// CPU (`--arch x86_64`) on QEMU's PC through its multiboot header, with
/// the console on this terminal. Only returns on error.
pub fn run(root: &Path, name: &str, bare: bool, mut machine: Machine) -> anyhow::Error {
    let result = (|| -> Result<PathBuf> {
        check_name(name)?;
        if !bare {
            bail!(
                "--guest {name} without --bare would run it under the hypervisor, which needs \
                 a qvm config: add --bare to boot it directly on QEMU"
            );
        }
        machine.validate()?;
        if machine.cpu.is_x86() {
            let mut paths = build_x86(root, &[name])?;
            return Ok(paths.remove(0));
        }
        machine.entry = EntryLevel::El1;
        let mut paths = build(root, &[name])?;
        Ok(paths.remove(0))
    })();
    match result {
        Ok(path) => qemu::run_interactive(&machine, &path),
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_its_guests() {
        check_name("hello").unwrap();
        let err = check_name("nope").unwrap_err().to_string();
        assert!(err.contains("unknown guest `nope`"), "{err}");
        assert!(err.contains("hello, timer"), "{err}");
        let root = build::root();
        for name in GUEST_PACKAGES {
            assert!(
                root.join("guests").join(name).join("Cargo.toml").is_file(),
                "no guests/{name}/Cargo.toml"
            );
        }
        assert!(root.join("guests/gsupport/guest.ld").is_file());
        assert_eq!(
            image_path(Path::new("/r"), "smp"),
            Path::new("/r/target/guests/smp.img")
        );
    }

    #[test]
    fn knows_its_x86_guests() {
        for name in X86_GUEST_PACKAGES {
            check_name(name).unwrap();
            check_x86_name(name).unwrap();
            let main = build::root()
                .join("guests")
                .join(name)
                .join("src/x86_64.rs");
            assert!(main.is_file(), "no {}", main.display());
        }
        let err = check_x86_name("virtio").unwrap_err().to_string();
        assert!(err.contains("does not run on x86_64"), "{err}");
        assert!(
            build::root()
                .join("guests/gsupport/guest-x86_64.ld")
                .is_file()
        );
        assert_eq!(
            x86_elf_path(Path::new("/r"), "smp"),
            Path::new("/r/target/guests-x86/smp.elf")
        );
    }

    #[test]
    fn refuses_a_non_elf_guest() {
        assert!(flat_image(b"not an elf").is_err());
    }
}
