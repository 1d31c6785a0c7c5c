//! Source lines of host PCs, from `llvm-addr2line` on the kernel's and
//! `qvm`'s ELF files (one run each for all the PCs wanted).

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, anyhow, ensure};

use super::symbols::Symbols;

/// The tool (Debian package `llvm`).
pub const ADDR2LINE: &str = "llvm-addr2line";

/// `TAG FILE:LINE` of each of `pcs` in an image of `symbols`, paths
/// shortened by [`short_path`].
pub fn locate(symbols: &Symbols, pcs: &[u64], root: &Path) -> Result<HashMap<u64, String>> {
    let mut out = HashMap::new();
    for image in &symbols.images {
        let mine: Vec<u64> = pcs
            .iter()
            .copied()
            .filter(|pc| image.code.contains(pc))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let addresses: Vec<u64> = mine.iter().map(|pc| pc - image.base).collect();
        let found = addr2line(&image.path, &addresses)?;
        for (pc, location) in mine.into_iter().zip(found) {
            let root = root.to_string_lossy();
            out.insert(
                pc,
                format!("{} {}", image.tag, short_path(&location, &root)),
            );
        }
    }
    Ok(out)
}

/// `FILE:LINE` of each of `addresses` (link addresses) in `elf`.
fn addr2line(elf: &Path, addresses: &[u64]) -> Result<Vec<String>> {
    let mut child = Command::new(ADDR2LINE)
        .arg("-e")
        .arg(elf)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {ADDR2LINE} (apt-get install llvm)"))?;
    let mut stdin = child.stdin.take().context("no stdin")?;
    let input: String = addresses.iter().map(|a| format!("{a:#x}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow!("{ADDR2LINE}: writer panicked"))??;
    ensure!(
        output.status.success(),
        "{ADDR2LINE} failed: {}",
        output.status
    );
    let text = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    ensure!(
        lines.len() == addresses.len(),
        "{ADDR2LINE} gave {} lines for {} addresses",
        lines.len(),
        addresses.len()
    );
    Ok(lines)
}

/// A location made short: the repository's own files relative to `root`,
/// the Rust library's as `rust/library/...`, a registry crate's from its
/// folder (`arm-gic-0.10.0/src/...`); no `(discriminator N)`.
pub fn short_path(location: &str, root: &str) -> String {
    let location = match location.find(" (discriminator") {
        Some(i) => &location[..i],
        None => location,
    };
    let root = root.trim_end_matches('/');
    if let Some(rest) = location
        .strip_prefix(root)
        .and_then(|r| r.strip_prefix('/'))
    {
        return rest.to_string();
    }
    if let Some(i) = location.find("/library/")
        && location.starts_with("/rustc/")
    {
        return format!("rust{}", &location[i..]);
    }
    if let Some(i) = location.find("/registry/src/") {
        let after = &location[i + "/registry/src/".len()..];
        if let Some(slash) = after.find('/') {
            return after[slash + 1..].to_string();
        }
    }
    location.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_paths() {
        let root = "/work/main";
        assert_eq!(
            short_path("/work/main/kernel/src/bin/kernel/syscall/vm.rs:291", root),
            "kernel/src/bin/kernel/syscall/vm.rs:291"
        );
        assert_eq!(
            short_path("/work/main/a.rs:3 (discriminator 2)", "/work/main/"),
            "a.rs:3"
        );
        assert_eq!(
            short_path(
                "/rustc/17067e9ac6d7e98f18d4a5ff3a0ba3e8a0e5a24b/library/core/src/ptr/mod.rs:552",
                root
            ),
            "rust/library/core/src/ptr/mod.rs:552"
        );
        assert_eq!(
            short_path(
                "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/arm-gic-0.10.0/src/lib.rs:7",
                root
            ),
            "arm-gic-0.10.0/src/lib.rs:7"
        );
        assert_eq!(short_path("??:0", root), "??:0");
        assert_eq!(
            short_path("/work/mainline/x.rs:1", root),
            "/work/mainline/x.rs:1"
        );
    }
}
