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

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::build::{self, GUEST_PACKAGES};
use crate::image;
use crate::qemu::{self, EntryLevel, Machine};

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

/// Builds every guest.
pub fn build_all(root: &Path) -> Result<Vec<PathBuf>> {
    build(root, GUEST_PACKAGES)
}

/// `cargo xtask run --guest NAME --bare`: builds the guest and boots it on
/// `machine` at EL1 (no `virtualization=on`, no hypervisor) with the console
/// on this terminal. Only returns on error.
pub fn run(root: &Path, name: &str, bare: bool, mut machine: Machine) -> anyhow::Error {
    let result = (|| -> Result<PathBuf> {
        check_name(name)?;
        if !bare {
            bail!(
                "--guest {name} without --bare would run it under the hypervisor, which needs \
                 a qvm config: add --bare to boot it directly on QEMU virt"
            );
        }
        machine.entry = EntryLevel::El1;
        machine.validate()?;
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
    fn refuses_a_non_elf_guest() {
        assert!(flat_image(b"not an elf").is_err());
    }
}
