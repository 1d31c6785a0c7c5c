//! `cargo xtask profile`: an instruction profile of the hypervisor's exit
//! paths (see `docs/benchmarks.md`, "Profiling a path").
//!
//! It boots `cargo xtask bench`'s image under QEMU with `-icount`, one
//! instruction per translation block and the exec trace of the kernel,
//! `qvm` and the `bench` guest ([`capture`]); charges every host
//! instruction to the guest instruction that exited before it on its CPU
//! ([`trace`]); names PCs with the programs' symbols ([`symbols`]) and,
//! with `--lines`, source lines ([`lines`]); and writes the report
//! ([`sites`], [`report`], [`breakdown`]) to `target/profile/report.txt`
//! and the counts ([`saved`]) to `target/profile/counts.txt`.

mod breakdown;
mod capture;
#[cfg(test)]
mod fixtures;
mod lines;
mod report;
mod saved;
mod sites;
mod symbols;
mod trace;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use crate::qemu::Gic;
use crate::{bench, build, image, setup};
use report::Report;
use symbols::{Image, Symbols};
use trace::Profile;

/// Where QEMU `virt` runs the kernel (linked at 0): the boot image's load
/// address.
pub const KERNEL_BASE: u64 = 0x4020_0000;
/// Where `qvm` loads the guest (linked at 0): the start of its RAM.
pub const GUEST_BASE: u64 = qvm::arch::guest::RAM_BASE;
/// Functions listed under each printed site (the report has
/// [`breakdown::FUNCTIONS`]).
const PRINTED_FUNCTIONS: usize = 12;
/// Lines listed under each printed site (the report has [`breakdown::LINES`]).
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
    /// Add source-line tables: of the printed sites, or of the sites whose PC (hex) is SITE or whose function name or source line contains it.
    #[arg(long, value_name = "SITE", num_args = 0..=1, default_missing_value = "")]
    pub lines: Option<String>,
    /// Seconds QEMU may take before `timeout` ends it.
    #[arg(long, value_name = "SECS", default_value_t = 1800, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// The GIC version of the machine (the bench's main machine has 3; its GICv2 machine, 2).
    #[arg(long, value_name = "VERSION", default_value = "3")]
    pub gic: Gic,
    /// Report from the counts the last run saved (target/profile/counts.txt), without building or running QEMU.
    #[arg(long)]
    pub saved: bool,
}

/// `cargo xtask profile`.
pub fn run(root: &Path, args: &ProfileArgs) -> Result<ExitCode> {
    let dir = root.join("target/profile");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let counts = dir.join("counts.txt");
    let (profile, symbols, source, problem) = if args.saved {
        let symbols = load_symbols(root)?;
        let source = format!("the counts in {}", counts.display());
        (saved::read_file(&counts)?, symbols, source, None)
    } else {
        let (profile, symbols, end) = trace_bench(root, args, &dir)?;
        std::fs::write(&counts, saved::write(&profile))
            .with_context(|| format!("cannot write {}", counts.display()))?;
        (profile, symbols, end.source, end.problem)
    };

    let mut rows = sites::ranked(&profile, &symbols);
    let site_pcs: Vec<u64> = rows.iter().map(|r| r.pc).collect();
    match lines::frames(&symbols, &site_pcs) {
        Ok(frames) => {
            let root = root.to_string_lossy();
            let places = frames
                .into_iter()
                .filter_map(|(pc, (_, f))| Some((pc, lines::site_line(&f, &root)?)))
                .collect();
            sites::add_lines(&mut rows, &places);
        }
        Err(e) => eprintln!("xtask: profile: no source lines: {e:#}"),
    }
    let chosen = match args.lines.as_deref() {
        Some(spec) => sites::select(&rows, spec, args.sites),
        None => Vec::new(),
    };
    if let Some(spec) = args.lines.as_deref().filter(|s| !s.is_empty())
        && chosen.is_empty()
    {
        eprintln!("xtask: profile: no exit site matches --lines {spec:?}");
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
    let report = Report {
        source: &source,
        profile: &profile,
        symbols: &symbols,
        rows: &rows,
        chosen: &chosen,
        locations: &locations,
    };
    let path = dir.join("report.txt");
    std::fs::write(
        &path,
        report.render(rows.len(), breakdown::FUNCTIONS, breakdown::LINES),
    )
    .with_context(|| format!("cannot write {}", path.display()))?;
    print!(
        "{}",
        report.render(args.sites, PRINTED_FUNCTIONS, PRINTED_LINES)
    );
    println!("\nreport (every site): {}", path.display());
    if let Some(problem) = problem {
        println!("xtask: profile: {problem}");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds what `cargo xtask bench` builds and traces its image until
/// `args.until`.
fn trace_bench(root: &Path, args: &ProfileArgs, dir: &Path) -> Result<(Profile, Symbols, End)> {
    let buildfile = root.join(bench::BUILDFILE);
    image::buildfile_path(root, "", Some(&buildfile))?;
    setup::ensure(root)?;
    build::build_all(root)?;
    let image = image::make_image(root, "", Some(&buildfile))?;
    let symbols = load_symbols(root)?;
    let ranges: Vec<_> = symbols.images.iter().map(|i| i.code.clone()).collect();
    let mut profile = Profile::new(symbols.images[2].code.clone());
    let fifo = dir.join("trace.fifo");
    let cmd = capture::command(&image, args.gic, &fifo, &ranges, args.timeout);
    let console = dir.join("console.log");
    let outcome = capture::run(cmd, &fifo, &args.until, &console, |r| profile.read(r))?;
    let end = End::of(&outcome, args, &console);
    Ok((profile, symbols, end))
}

/// How a traced run ended, in words.
#[derive(Debug, PartialEq)]
struct End {
    /// The report's first line, after `cargo xtask profile: `.
    source: String,
    /// Why the command fails, if it does.
    problem: Option<String>,
}

impl End {
    fn of(outcome: &capture::Outcome, args: &ProfileArgs, console: &Path) -> End {
        let seconds = outcome.elapsed.as_secs();
        if outcome.stopped {
            return End {
                source: format!(
                    "QEMU, stopped once the console showed `{}` ({seconds} s)",
                    args.until
                ),
                problem: None,
            };
        }
        let why = match outcome.status.code() {
            Some(124) | Some(137) => {
                format!("did not show `{}` within {} s", args.until, args.timeout)
            }
            _ => format!(
                "ended ({}) before it showed `{}`",
                outcome.status, args.until
            ),
        };
        let stderr = match outcome.stderr.trim() {
            "" => String::new(),
            text => format!("; QEMU: {text}"),
        };
        End {
            source: format!("QEMU, whose console {why} ({seconds} s)"),
            problem: Some(format!(
                "the console {why} (in {}){stderr}",
                console.display()
            )),
        }
    }
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

#[cfg(test)]
mod tests {
    use std::os::unix::process::ExitStatusExt;
    use std::process::ExitStatus;
    use std::time::Duration;

    use super::*;

    fn args() -> ProfileArgs {
        ProfileArgs {
            until: "bench: hvc".into(),
            sites: 8,
            lines: None,
            timeout: 60,
            gic: Gic::V3,
            saved: false,
        }
    }

    fn outcome(stopped: bool, code: i32) -> capture::Outcome {
        capture::Outcome {
            stopped,
            status: ExitStatus::from_raw(code << 8),
            stderr: String::new(),
            elapsed: Duration::from_secs(12),
        }
    }

    #[test]
    fn says_how_the_run_ended() {
        let console = Path::new("/r/target/profile/console.log");
        let end = End::of(&outcome(true, 0), &args(), console);
        assert_eq!(
            end.source,
            "QEMU, stopped once the console showed `bench: hvc` (12 s)"
        );
        assert!(end.problem.is_none());
        let end = End::of(&outcome(false, 124), &args(), console);
        assert_eq!(
            end.problem.as_deref(),
            Some(
                "the console did not show `bench: hvc` within 60 s (in /r/target/profile/console.log)"
            )
        );
        let mut failed = outcome(false, 1);
        failed.stderr = "qemu: cannot open\n".into();
        let end = End::of(&failed, &args(), console);
        assert_eq!(
            end.problem.as_deref(),
            Some(
                "the console ended (exit status: 1) before it showed `bench: hvc` \
                 (in /r/target/profile/console.log); QEMU: qemu: cannot open"
            )
        );
    }
}
