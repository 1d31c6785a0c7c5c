//! Source lines of host PCs, from `llvm-addr2line` on the kernel's and
//! `qvm`'s ELF files (one run each for all the PCs wanted). Library code
//! inlined into the repository's is charged to the repository's line it
//! was inlined at: the innermost frame in a file under the root.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, anyhow, ensure};

use super::symbols::Symbols;

/// The tool (Debian package `llvm`).
pub const ADDR2LINE: &str = "llvm-addr2line";

/// `TAG FILE:LINE` of each of `pcs` in an image of `symbols`: the line
/// [`pick`] chooses, shortened by [`short_path`]; none for a PC with no
/// line (assembly, or line 0: code the compiler made up).
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
        let root = root.to_string_lossy();
        for (pc, frames) in mine.into_iter().zip(found) {
            let line = pick(&frames, &root);
            if has_line(line) {
                out.insert(pc, format!("{} {}", image.tag, short_path(line, &root)));
            }
        }
    }
    Ok(out)
}

/// The frames (`FILE:LINE`, innermost first) of each of `addresses`
/// (link addresses) in `elf`.
fn addr2line(elf: &Path, addresses: &[u64]) -> Result<Vec<Vec<String>>> {
    let mut child = Command::new(ADDR2LINE)
        .args(["--addresses", "--inlines", "-e"])
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
    let chains = chains(&String::from_utf8_lossy(&output.stdout));
    ensure!(
        chains.len() == addresses.len(),
        "{ADDR2LINE} answered {} addresses of {}",
        chains.len(),
        addresses.len()
    );
    Ok(chains)
}

/// The frames of each address in the output of `llvm-addr2line
/// --addresses --inlines`: an address line (`0x...`), then its frames.
pub fn chains(text: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for line in text.lines() {
        if line.starts_with("0x") {
            out.push(Vec::new());
        } else if let Some(frames) = out.last_mut() {
            frames.push(line.to_string());
        }
    }
    out
}

/// The frame to show: the innermost in a file under `root`, else the
/// innermost (`??:0` if there is none).
pub fn pick<'a>(frames: &'a [String], root: &str) -> &'a str {
    let root = format!("{}/", root.trim_end_matches('/'));
    frames
        .iter()
        .find(|f| f.starts_with(&root))
        .or(frames.first())
        .map_or("??:0", String::as_str)
}

/// `FILE:LINE` names a line: not `??:0`, not line 0.
pub fn has_line(location: &str) -> bool {
    let location = location.split(" (").next().unwrap_or("");
    !location.starts_with("??") && !location.ends_with(":0") && location.contains(':')
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
    fn reads_inline_chains_and_picks_our_line() {
        let text = "0x1a6c\n/r/kernel/src/vm.rs:291\n0x1a70\n/rustc/abc/library/core/src/option.rs:745\n\
                    /r/kernel/src/slab.rs:12\n/r/kernel/src/vm.rs:300\n0x99999999\n??:0\n0x4\n";
        let chains = chains(text);
        assert_eq!(chains.len(), 4);
        assert_eq!(chains[1].len(), 3);
        assert_eq!(pick(&chains[0], "/r"), "/r/kernel/src/vm.rs:291");
        assert_eq!(pick(&chains[1], "/r/"), "/r/kernel/src/slab.rs:12");
        assert_eq!(
            pick(&chains[1], "/elsewhere"),
            "/rustc/abc/library/core/src/option.rs:745"
        );
        assert_eq!(pick(&chains[2], "/r"), "??:0");
        assert_eq!(pick(&chains[3], "/r"), "??:0");
    }

    #[test]
    fn knows_a_line_from_none() {
        assert!(has_line("/r/kernel/src/vm.rs:291"));
        assert!(has_line("/r/a.rs:10 (discriminator 2)"));
        assert!(!has_line("??:0"));
        assert!(!has_line("/r/kernel/src/slab.rs:0"));
        assert!(!has_line("/r/a.rs:0 (discriminator 1)"));
        assert!(!has_line(""));
    }

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
