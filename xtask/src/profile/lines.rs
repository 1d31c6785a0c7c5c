//! Source lines of PCs, from `llvm-addr2line` on the ELF files (one run
//! per program for all the PCs wanted), and GNU `addr2line` for the PCs it
//! finds no line for: each misreads some of the ranges in Rust's debug
//! information (LLVM most of the guest's, GNU some of the kernel's).
//!
//! Library code inlined into the repository's is charged to the
//! repository's line it was inlined at: the innermost frame in a file
//! under the root.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, anyhow, ensure};

use super::symbols::Symbols;

/// The tool (Debian package `llvm`).
pub const ADDR2LINE: &str = "llvm-addr2line";
/// The second opinion (Debian package `binutils`).
pub const GNU_ADDR2LINE: &str = "addr2line";

/// The inline frames (`FILE:LINE`, innermost first) of each of `pcs`
/// that is in an image of `symbols`, with the image's tag.
pub fn frames(symbols: &Symbols, pcs: &[u64]) -> Result<HashMap<u64, (&'static str, Vec<String>)>> {
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
        let mut found = addr2line(ADDR2LINE, &image.path, &addresses)
            .with_context(|| format!("cannot run {ADDR2LINE} (apt-get install llvm)"))?;
        let missing: Vec<usize> = (0..found.len())
            .filter(|&i| !found[i].iter().any(|f| has_line(f)))
            .collect();
        let retry: Vec<u64> = missing.iter().map(|&i| addresses[i]).collect();
        if !retry.is_empty()
            && let Ok(again) = addr2line(GNU_ADDR2LINE, &image.path, &retry)
        {
            for (i, frames) in missing.into_iter().zip(again) {
                if frames.iter().any(|f| has_line(f)) {
                    found[i] = frames;
                }
            }
        }
        for (pc, frames) in mine.into_iter().zip(found) {
            out.insert(pc, (image.tag, frames));
        }
    }
    Ok(out)
}

/// `TAG FILE:LINE` of each of `pcs`: the line [`pick`] chooses, shortened
/// by [`short_path`]; none for a PC with no line (assembly, or line 0:
/// code the compiler made up).
pub fn locate(symbols: &Symbols, pcs: &[u64], root: &Path) -> Result<HashMap<u64, String>> {
    let root = root.to_string_lossy();
    let frames = frames(symbols, pcs)?;
    Ok(frames
        .into_iter()
        .filter_map(|(pc, (tag, frames))| {
            let line = pick(&frames, &root);
            has_line(line).then(|| (pc, format!("{tag} {}", short_path(line, &root))))
        })
        .collect())
}

/// An exit site's place: its innermost line in the repository and, if it
/// was inlined from another file, the line it was inlined at there
/// (`gsupport/src/mmio.rs:17 < bench/src/main.rs:453`).
pub fn site_line(frames: &[String], root: &str) -> Option<String> {
    let prefix = format!("{}/", root.trim_end_matches('/'));
    let ours: Vec<&String> = frames
        .iter()
        .filter(|f| f.starts_with(&prefix) && has_line(f))
        .collect();
    let first = *ours.first()?;
    let file = |f: &str| f.rsplit_once(':').map(|(file, _)| file.to_string());
    let mut out = short_path(first, root);
    if let Some(caller) = ours.iter().find(|f| file(f) != file(first)) {
        out = format!("{out} < {}", short_path(caller, root));
    }
    Some(out)
}

/// The frames (`FILE:LINE`, innermost first) of each of `addresses`
/// (link addresses) in `elf`, from `tool` (`llvm-addr2line` or GNU
/// `addr2line`).
fn addr2line(tool: &str, elf: &Path, addresses: &[u64]) -> Result<Vec<Vec<String>>> {
    let mut child = Command::new(tool)
        .args(["--addresses", "--inlines", "-e"])
        .arg(elf)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().context("no stdin")?;
    let input: String = addresses.iter().map(|a| format!("{a:#x}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output()?;
    writer
        .join()
        .map_err(|_| anyhow!("{tool}: writer panicked"))??;
    ensure!(output.status.success(), "{tool} failed: {}", output.status);
    let chains = chains(&String::from_utf8_lossy(&output.stdout));
    ensure!(
        chains.len() == addresses.len(),
        "{tool} answered {} addresses of {}",
        chains.len(),
        addresses.len()
    );
    Ok(chains)
}

/// The frames of each address in the output of `addr2line --addresses
/// --inlines`: an address line (`0x...`), then its frames.
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

/// `FILE:LINE` names a line: a file and a line number above 0 (not
/// `??:0`, `FILE:0` or `UNIT:?`).
pub fn has_line(location: &str) -> bool {
    let location = location.split(" (").next().unwrap_or("");
    match location.rsplit_once(':') {
        Some((file, line)) => !file.starts_with("??") && line.parse::<u32>().is_ok_and(|n| n > 0),
        None => false,
    }
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
        let text = "0x0000000000001a6c\n/r/kernel/src/vm.rs:291\n0x1a70\n/rustc/abc/library/core/src/option.rs:745\n\
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
    fn places_a_site_with_its_caller() {
        let frames: Vec<String> = [
            "/rustc/abc/library/core/src/ptr/mod.rs:2000",
            "/r/guests/gsupport/src/mmio.rs:17",
            "/r/guests/gsupport/src/mmio.rs:30",
            "/r/guests/bench/src/main.rs:453",
            "/r/guests/bench/src/main.rs:151",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            site_line(&frames, "/r").as_deref(),
            Some("guests/gsupport/src/mmio.rs:17 < guests/bench/src/main.rs:453")
        );
        assert_eq!(
            site_line(&frames[3..], "/r/").as_deref(),
            Some("guests/bench/src/main.rs:453")
        );
        assert_eq!(site_line(&frames[..1], "/r"), None);
        assert_eq!(site_line(&["??:0".to_string()], "/r"), None);
    }

    #[test]
    fn knows_a_line_from_none() {
        assert!(has_line("/r/kernel/src/vm.rs:291"));
        assert!(has_line("/r/a.rs:10 (discriminator 2)"));
        assert!(!has_line("??:0"));
        assert!(!has_line("/r/kernel/src/slab.rs:0"));
        assert!(!has_line("/r/a.rs:0 (discriminator 1)"));
        assert!(!has_line(""));
        assert!(!has_line("arch.c378440309f25f41-cgu.1:?"));
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
