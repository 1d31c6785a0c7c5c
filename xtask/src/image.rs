//! The boot image: the kernel's flat binary, then the bootfs.
//!
//! The kernel is a position-independent ELF linked at address 0. Its flat
//! binary is what a loader copies to memory: every `PT_LOAD` segment's file
//! bytes at offset `p_vaddr`, zero-filled up to the linker symbol
//! `__image_end` (the end of the memory image, `.bss` included, page
//! aligned). The bootfs follows right there, so the kernel finds it at
//! `__image_end`. Finally the arm64 `Image` header's `image_size` field is
//! set to the whole length, so that loaders reserve room for the bootfs too.
//!
//! [`flatten`], [`patch_header`] and [`assemble`] are pure; [`make_image`]
//! reads the buildfile and the kernel and writes the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use elf::ElfBytes;
use elf::abi::{EM_AARCH64, PT_LOAD, SHN_UNDEF};
use elf::endian::AnyEndian;
use elf::file::Class;

use crate::build;

/// No kernel address may lie beyond this: the kernel is linked at 0 and small.
pub const MAX_KERNEL_END: u64 = 64 << 20;
/// `__image_end` must be aligned to this.
pub const PAGE_SIZE: u64 = 4096;
/// The linker symbol at the end of the kernel's memory image.
pub const IMAGE_END_SYMBOL: &str = "__image_end";
/// Offset and value of the arm64 `Image` header's magic.
pub const ARM64_MAGIC_OFFSET: usize = 0x38;
/// The arm64 `Image` magic, "ARM\x64".
pub const ARM64_MAGIC: &[u8; 4] = b"ARM\x64";
/// Offset of the header's little-endian u64 `image_size`.
pub const IMAGE_SIZE_OFFSET: usize = 0x10;

/// The kernel's flat memory image from its ELF, `__image_end` bytes long.
pub fn flatten(elf_bytes: &[u8]) -> Result<Vec<u8>> {
    let file = ElfBytes::<AnyEndian>::minimal_parse(elf_bytes)
        .map_err(|e| anyhow::anyhow!("not a valid ELF file: {e}"))?;
    ensure!(
        file.ehdr.class == Class::ELF64,
        "the kernel is not a 64-bit ELF file"
    );
    ensure!(
        file.ehdr.e_machine == EM_AARCH64,
        "the kernel ELF is for machine {}, not aarch64 ({EM_AARCH64})",
        file.ehdr.e_machine
    );
    let segments = file
        .segments()
        .context("the kernel ELF has no program headers")?;

    // Memory ranges of all loadable segments, checked for sanity and overlap.
    // (Empty ones load nothing and are left out.)
    let mut loads: Vec<_> = segments
        .iter()
        .filter(|p| p.p_type == PT_LOAD && p.p_memsz > 0)
        .collect();
    ensure!(!loads.is_empty(), "the kernel ELF has no PT_LOAD segment");
    loads.sort_by_key(|p| p.p_vaddr);
    let mut memory_end = 0;
    for (i, p) in loads.iter().enumerate() {
        ensure!(
            p.p_filesz <= p.p_memsz,
            "PT_LOAD segment at {:#x} has more file bytes ({:#x}) than memory bytes ({:#x})",
            p.p_vaddr,
            p.p_filesz,
            p.p_memsz
        );
        let end = p.p_vaddr.saturating_add(p.p_memsz);
        ensure!(
            end <= MAX_KERNEL_END,
            "PT_LOAD segment {:#x}..{end:#x} lies beyond {} MiB: is the kernel linked at address 0?",
            p.p_vaddr,
            MAX_KERNEL_END >> 20
        );
        if let Some(next) = loads.get(i + 1) {
            ensure!(
                end <= next.p_vaddr,
                "PT_LOAD segments {:#x}..{end:#x} and {:#x}..{:#x} overlap",
                p.p_vaddr,
                next.p_vaddr,
                next.p_vaddr.saturating_add(next.p_memsz)
            );
        }
        memory_end = memory_end.max(end);
    }

    let image_end = find_symbol(&file, IMAGE_END_SYMBOL)?;
    ensure!(
        image_end % PAGE_SIZE == 0,
        "{IMAGE_END_SYMBOL} = {image_end:#x} is not aligned to {PAGE_SIZE:#x}"
    );
    ensure!(
        image_end >= memory_end,
        "{IMAGE_END_SYMBOL} = {image_end:#x} lies before the end of the loaded segments ({memory_end:#x})"
    );
    ensure!(
        image_end <= MAX_KERNEL_END,
        "{IMAGE_END_SYMBOL} = {image_end:#x} lies beyond {} MiB",
        MAX_KERNEL_END >> 20
    );

    let mut flat = vec![0u8; image_end as usize];
    for p in loads.iter().filter(|p| p.p_filesz > 0) {
        let data = file
            .segment_data(p)
            .map_err(|e| anyhow::anyhow!("PT_LOAD segment at {:#x}: {e}", p.p_vaddr))?;
        let start = p.p_vaddr as usize;
        flat[start..start + data.len()].copy_from_slice(data);
    }
    Ok(flat)
}

/// The value of the defined symbol `name` in the ELF symbol table.
fn find_symbol(file: &ElfBytes<'_, AnyEndian>, name: &str) -> Result<u64> {
    let (symbols, strings) = file
        .symbol_table()
        .map_err(|e| anyhow::anyhow!("bad ELF symbol table: {e}"))?
        .context("the kernel ELF has no symbol table (was it stripped?)")?;
    for symbol in symbols.iter() {
        if symbol.st_shndx != SHN_UNDEF && strings.get(symbol.st_name as usize).ok() == Some(name) {
            return Ok(symbol.st_value);
        }
    }
    bail!("the kernel ELF has no symbol `{name}` (the linker script must define it)")
}

/// Check the arm64 `Image` magic and set the header's `image_size` to the
/// length of `image`.
pub fn patch_header(image: &mut [u8]) -> Result<()> {
    let magic = image.get(ARM64_MAGIC_OFFSET..ARM64_MAGIC_OFFSET + ARM64_MAGIC.len());
    ensure!(
        magic == Some(ARM64_MAGIC.as_slice()),
        "the kernel has no arm64 Image header (magic \"ARM\\x64\" at offset {ARM64_MAGIC_OFFSET:#x})"
    );
    let size = image.len() as u64;
    image[IMAGE_SIZE_OFFSET..IMAGE_SIZE_OFFSET + 8].copy_from_slice(&size.to_le_bytes());
    Ok(())
}

/// The boot image: the flat kernel, then the bootfs, with the header patched.
pub fn assemble(kernel_elf: &[u8], bootfs: &[u8]) -> Result<Vec<u8>> {
    let mut image = flatten(kernel_elf)?;
    image.extend_from_slice(bootfs);
    patch_header(&mut image)?;
    Ok(image)
}

/// The buildfile of `board`, or the one given.
pub fn buildfile_path(root: &Path, board: &str, buildfile: Option<&Path>) -> Result<PathBuf> {
    if let Some(path) = buildfile {
        ensure!(path.is_file(), "no buildfile {}", path.display());
        return std::path::absolute(path).with_context(|| format!("buildfile {}", path.display()));
    }
    let boards = root.join("boot/boards");
    let path = boards.join(format!("{board}.build"));
    if !path.is_file() {
        let mut known: Vec<String> = std::fs::read_dir(&boards)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter_map(|n| n.strip_suffix(".build").map(str::to_string))
            .collect();
        known.sort();
        bail!(
            "unknown board `{board}`: no {} (boards: {})",
            path.display(),
            known.join(", ")
        );
    }
    Ok(path)
}

/// The bootfs the buildfile of `board` (or `buildfile`) lists, with
/// `${target}` standing for `user_dir`; and the image's name.
pub fn make_bootfs(
    root: &Path,
    board: &str,
    buildfile: Option<&Path>,
    user_dir: &Path,
) -> Result<(String, Vec<u8>)> {
    let path = buildfile_path(root, board, buildfile)?;
    let name = match buildfile {
        Some(_) => path
            .file_stem()
            .and_then(|s| s.to_str())
            .context("the buildfile's name is not valid UTF-8")?
            .to_string(),
        None => board.to_string(),
    };
    eprintln!("xtask: making image {name} from {}", path.display());

    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read buildfile {}", path.display()))?;
    let vars = HashMap::from([
        ("root".to_string(), root.display().to_string()),
        ("target".to_string(), user_dir.display().to_string()),
    ]);
    // Relative paths in the buildfile are relative to its folder; errors
    // name it relative to the repository root when it is in there.
    let shown = path
        .strip_prefix(root)
        .unwrap_or(&path)
        .display()
        .to_string();
    let base_dir = path.parent().unwrap_or(root);
    let parsed = boot::buildfile::parse(&text, &shown, base_dir, &vars)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // Linux guest files are fetched and built on first use, for each
    // architecture whose directory the buildfile takes files from.
    for arch in crate::linux::LinuxArch::ALL {
        if parsed
            .files
            .iter()
            .any(|f| f.src.starts_with(arch.dir(root)))
        {
            crate::linux::prepare_arch(root, arch)?;
        }
    }
    // A VM configuration `qvm` would refuse must not get into an image.
    let image_files: Vec<(&str, &Path)> = parsed
        .files
        .iter()
        .map(|f| (f.dest.as_str(), f.src.as_path()))
        .collect();
    // xtask's `qvm` library places ARM guests (feature `guest-x86_64` is
    // off): an x86 image's configurations are checked by the x86 `qvm`
    // when it runs them, not here.
    let x86 = user_dir == crate::x86::user_dir(root);
    for spec in parsed
        .files
        .iter()
        .filter(|f| f.dest.ends_with(".qvmconf") && !x86)
    {
        crate::qvm_check::check_in_image(&spec.src, &image_files).map_err(|e| {
            anyhow::anyhow!(
                "{shown}:{}: {} would be refused by qvm: {e}",
                spec.line,
                spec.dest
            )
        })?;
    }
    let bootfs = boot::buildfile::build_image(&parsed).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((name, bootfs))
}

/// Make the boot image from the built kernel and the buildfile of `board`
/// (or `buildfile`), write it to `target/images/` and return its path.
pub fn make_image(root: &Path, board: &str, buildfile: Option<&Path>) -> Result<PathBuf> {
    let (name, bootfs) = make_bootfs(root, board, buildfile, &build::user_dir(root))?;
    let kernel_path = build::kernel_elf(root);
    let kernel = std::fs::read(&kernel_path)
        .with_context(|| format!("cannot read the kernel {}", kernel_path.display()))?;
    let image =
        assemble(&kernel, &bootfs).with_context(|| format!("kernel {}", kernel_path.display()))?;

    let out_dir = root.join("target/images");
    std::fs::create_dir_all(&out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let out = out_dir.join(format!("{name}.img"));
    std::fs::write(&out, &image).with_context(|| format!("cannot write {}", out.display()))?;
    eprintln!(
        "xtask: image {}: {} KiB kernel + {} KiB bootfs",
        out.display(),
        (image.len() - bootfs.len()) / 1024,
        bootfs.len() / 1024
    );
    Ok(out)
}

#[cfg(test)]
mod tests;
