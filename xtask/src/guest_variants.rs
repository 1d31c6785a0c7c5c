//! Variants of the x86_64 test guests that take the loaders' other paths
//! (guests/README.md, "x86_64 guests"): a guest built with a `gsupport`
//! feature that changes what its image carries for its loader
//! (`guests/gsupport/src/x86_64/header.rs`), in a target directory of
//! their own (`target/guests-x86-variants`), copied to
//! `target/guests-x86/<variant>.elf`:
//!
//! - `hello32`: `hello` with a Multiboot v1 header without address fields
//!   (`multiboot-elf`), rewritten as an ELF32 i386 file (`elf32.rs`): a
//!   multiboot kernel as most are, placed by its program header, entered
//!   at its ELF entry `gs_start32` in 32-bit protected mode;
//! - `hello64`: `hello` without a multiboot header (`elf64-entry`), an
//!   ELF64 file whose entry `gs_start64` `qvm` starts in 64-bit long mode
//!   with the Multiboot2 information in RBX.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::elf32;
use crate::guests::{cargo_x86, x86_elf_path};

/// A variant: its name, the guest package built, the feature it is built
/// with, and whether the ELF64 result is rewritten as ELF32.
pub struct Variant {
    pub name: &'static str,
    pub package: &'static str,
    pub feature: &'static str,
    pub elf32: bool,
}

/// The variants `cargo xtask` builds with the x86 guests.
pub const X86_GUEST_VARIANTS: &[Variant] = &[
    Variant {
        name: "hello32",
        package: "hello",
        feature: "gsupport/multiboot-elf",
        elf32: true,
    },
    Variant {
        name: "hello64",
        package: "hello",
        feature: "gsupport/elf64-entry",
        elf32: false,
    },
];

/// Builds every variant and writes it to [`x86_elf_path`]; returns those
/// paths in order.
pub fn build_x86_variants(root: &Path) -> Result<Vec<PathBuf>> {
    let target_dir = root.join("target/guests-x86-variants");
    let mut paths = Vec::new();
    for v in X86_GUEST_VARIANTS {
        eprintln!(
            "xtask: building x86_64 guest {} ({} with {})",
            v.name, v.package, v.feature
        );
        let built = cargo_x86(root, &[v.package], Some(v.feature), &target_dir)?.remove(0);
        let elf =
            std::fs::read(&built).with_context(|| format!("cannot read {}", built.display()))?;
        let bytes = if v.elf32 {
            elf32::from_elf64(&elf).with_context(|| format!("{} as ELF32", built.display()))?
        } else {
            elf
        };
        let out = x86_elf_path(root, v.name);
        std::fs::write(&out, &bytes).with_context(|| format!("cannot write {}", out.display()))?;
        paths.push(out);
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build;
    use crate::guests::X86_GUEST_PACKAGES;

    #[test]
    fn each_variant_is_an_x86_guest_with_a_gsupport_feature() {
        let manifest =
            std::fs::read_to_string(build::root().join("guests/gsupport/Cargo.toml")).unwrap();
        for v in X86_GUEST_VARIANTS {
            assert!(X86_GUEST_PACKAGES.contains(&v.package), "{}", v.package);
            let feature = v.feature.strip_prefix("gsupport/").unwrap();
            assert!(
                manifest.contains(&format!("\n{feature} = []")),
                "gsupport has no feature {feature}"
            );
            assert!(!X86_GUEST_PACKAGES.contains(&v.name));
        }
    }
}
