//! `cargo xtask profile`: an instruction profile of the hypervisor's exit
//! paths (see `docs/benchmarks.md`, "Profiling a path").
//!
//! It boots `cargo xtask bench`'s image under QEMU with `-icount`, one
//! instruction per translation block and the exec trace of the kernel,
//! `qvm` and the `bench` guest ([`capture`]); charges every host
//! instruction to the guest instruction that exited before it on its CPU
//! ([`trace`]); names PCs with the programs' symbols ([`symbols`]) and,
//! with `--lines`, source lines ([`lines`]); and writes the report
//! ([`report`]) to `target/profile/report.txt` and the counts
//! ([`saved`]) to `target/profile/counts.txt`.

mod capture;
mod lines;
mod report;
mod saved;
mod symbols;
mod trace;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use crate::{bench, build, image, setup};
use symbols::{Image, Symbols};
use trace::Profile;

/// Where QEMU `virt` runs the kernel (linked at 0): the boot image's load
/// address.
pub const KERNEL_BASE: u64 = 0x4020_0000;
/// Where `qvm` loads the guest (linked at 0): the start of its RAM.
pub const GUEST_BASE: u64 = qvm::arch::guest::RAM_BASE;
/// Functions listed under each printed site (the report has
/// [`report::FUNCTIONS`]).
const PRINTED_FUNCTIONS: usize = 12;
/// Lines listed under each printed site (the report has [`report::LINES`]).
const PRINTED_LINES: usize = 20;

/// Options of `cargo xtask profile`.
#[derive(Args)]
pub struct ProfileArgs {
    /// Stop QEMU once a console line contains this (the bench guest prints `bench: NAME ...` after each measurement).
    #[arg(long, value_name = "TEXT", default_value = "bench: done")]
    pub until: String,
    /// How many exit sites to print, most instructions first (the report file has them all).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub sites: usize,
    /// Add source-line tables: of the printed sites, or of the sites whose PC (hex) is SITE or whose function name contains it.
    #[arg(long, value_name = "SITE", num_args = 0..=1, default_missing_value = "")]
    pub lines: Option<String>,
    /// Seconds QEMU may take before `timeout` ends it.
    #[arg(long, value_name = "SECS", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// Report from the counts the last run saved (target/profile/counts.txt), without building or running QEMU.
    #[arg(long)]
    pub saved: bool,
}

/// `cargo xtask profile`.
pub fn run(root: &Path, args: &ProfileArgs) -> Result<ExitCode> {
    let dir = root.join("target/profile");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let counts = dir.join("counts.txt");
    let mut problem = None;
    let (profile, symbols, source) = if args.saved {
        let symbols = load_symbols(root)?;
        let source = format!("the counts in {}", counts.display());
        (saved::read_file(&counts)?, symbols, source)
    } else {
        let buildfile = root.join(bench::BUILDFILE);
        image::buildfile_path(root, "", Some(&buildfile))?;
        setup::ensure(root)?;
        build::build_all(root)?;
        let image = image::make_image(root, "", Some(&buildfile))?;
        let symbols = load_symbols(root)?;
        let ranges: Vec<_> = symbols.images.iter().map(|i| i.code.clone()).collect();
        let mut profile = Profile::new(symbols.images[2].code.clone());
        let cmd = capture::command(&image, &dir.join("trace.fifo"), &ranges, args.timeout);
        let console = dir.join("console.log");
        let outcome = capture::run(cmd, &dir.join("trace.fifo"), &args.until, &console, |r| {
            profile.read(r)
        })?;
        std::fs::write(&counts, saved::write(&profile))
            .with_context(|| format!("cannot write {}", counts.display()))?;
        let seconds = outcome.elapsed.as_secs();
        let source = if outcome.stopped {
            format!(
                "QEMU, stopped once the console showed `{}` ({seconds} s)",
                args.until
            )
        } else {
            problem = Some(format!(
                "QEMU ended ({}) before the console showed `{}` (console in {}){}",
                outcome.status,
                args.until,
                console.display(),
                match outcome.stderr.trim() {
                    "" => String::new(),
                    text => format!(": {text}"),
                }
            ));
            format!(
                "QEMU, which ended on its own ({}, {seconds} s)",
                outcome.status
            )
        };
        (profile, symbols, source)
    };

    let rows = report::ranked(&profile, &symbols);
    let chosen = match &args.lines {
        Some(spec) => report::select(&rows, spec, args.sites),
        None => Vec::new(),
    };
    if args.lines.as_deref().is_some_and(|s| !s.is_empty()) && chosen.is_empty() {
        eprintln!(
            "xtask: profile: no exit site matches --lines {:?}",
            args.lines.as_deref().unwrap_or("")
        );
    }
    let pcs: BTreeSet<u64> = chosen
        .iter()
        .flat_map(|row| profile.sites[&row.pc].pcs.keys().copied())
        .collect();
    let locations = if pcs.is_empty() {
        Default::default()
    } else {
        lines::locate(&symbols, &pcs.into_iter().collect::<Vec<_>>(), root)?
    };
    let render = |sites: usize, functions: usize, line_count: usize| {
        let mut out = format!("cargo xtask profile: {source}\n");
        out.push_str(&report::header(&profile, &rows));
        out.push('\n');
        out.push_str(&report::site_table(&rows, sites));
        for row in rows.iter().take(sites) {
            out.push('\n');
            out.push_str(&report::site_functions(
                row,
                &profile.sites[&row.pc],
                &symbols,
                functions,
            ));
        }
        for row in &chosen {
            out.push('\n');
            out.push_str(&report::site_lines(
                row,
                &profile.sites[&row.pc],
                &symbols,
                &locations,
                line_count,
            ));
        }
        out
    };
    let path = dir.join("report.txt");
    std::fs::write(&path, render(rows.len(), report::FUNCTIONS, report::LINES))
        .with_context(|| format!("cannot write {}", path.display()))?;
    print!("{}", render(args.sites, PRINTED_FUNCTIONS, PRINTED_LINES));
    println!("\nreport (every site): {}", path.display());
    if let Some(problem) = problem {
        println!("xtask: profile: {problem}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The kernel's, `qvm`'s and the `bench` guest's symbols, in that order.
fn load_symbols(root: &Path) -> Result<Symbols> {
    Ok(Symbols {
        images: vec![
            Image::load("k", &build::kernel_elf(root), KERNEL_BASE)?,
            Image::load("q", &build::user_dir(root).join("qvm"), 0)?,
            Image::load(
                "g",
                &build::guest_elf_dir(root).join(bench::GUEST),
                GUEST_BASE,
            )?,
        ],
    })
}
