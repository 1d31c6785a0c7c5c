//! QEMU integration tests: build the images the cases need, boot each case
//! (some at once), match its console against its expectations, and keep
//! each console in `target/test-logs/<case>.log`.

pub mod bare_el3;
pub mod boards;
pub mod boards_bare;
pub mod cases;
pub mod devices;
pub mod hostile;
pub mod linux32;
pub mod linux_bare;
pub mod matcher;
pub mod passthrough;
pub mod persist;
pub mod restart;
mod run_case;
pub mod shell;
pub mod shmem;
pub mod stress;
pub mod watchdog;
pub mod wdt_dump;
pub mod x86;
pub mod x86_guests;
pub mod x86_linux;
pub mod x86_vms;

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use regex_lite::Regex;

use self::cases::{BAD_LINES, Case};
use self::run_case::run_case;
use crate::Tally;
use crate::{build, guests, image};

/// How many console lines a failure report shows.
const TAIL_LINES: usize = 20;

/// Options of `cargo xtask test` for the integration tests.
pub struct Options {
    /// Run only the cases whose name contains this.
    pub filter: Option<String>,
    /// How many QEMU cases run at once.
    pub jobs: usize,
}

/// How one case went.
struct Outcome {
    name: String,
    /// `None` if it passed, else why not (first line: the reason).
    failure: Option<String>,
}

/// Build the images and run the selected cases.
pub fn run(root: &Path, opts: &Options) -> Result<Tally> {
    let cases: Vec<Case> = cases::all()
        .into_iter()
        .filter(|c| {
            opts.filter
                .as_ref()
                .is_none_or(|f| c.name.contains(f.as_str()))
        })
        .collect();
    println!("== integration tests: {} cases", cases.len());
    if cases.is_empty() {
        println!(
            "(no case name contains {:?})",
            opts.filter.as_deref().unwrap_or("")
        );
        return Ok(Tally::default());
    }
    let log_dir = root.join("target/test-logs");
    std::fs::create_dir_all(&log_dir)
        .with_context(|| format!("cannot create {}", log_dir.display()))?;

    // A case that cannot run here (KVM without nested virtualization) is
    // skipped, saying why: neither passed nor failed.
    let mut skipped = Vec::new();
    let cases: Vec<Case> = cases
        .into_iter()
        .filter(|case| {
            let Some(why) = case.why_skipped() else {
                return true;
            };
            let line = format!("SKIP {}: {why}", case.name);
            println!("{line}");
            let log = log_dir.join(format!("{}.log", case.name));
            let _ = std::fs::write(log, format!("# {line}\n"));
            skipped.push(line);
            false
        })
        .collect();
    if cases.is_empty() {
        return Ok(Tally {
            skipped,
            ..Tally::default()
        });
    }

    // The images, one per buildfile or test guest; each kind built only
    // if a selected case needs it.
    let mut images: BTreeMap<String, Result<PathBuf, String>> = BTreeMap::new();
    // A guest on a board's model boots beside the board's SD card, which
    // holds the kernel's image.
    let arm_image = |c: &Case| {
        (c.guest.is_none() || c.machine.cpu.sd_board().is_some())
            && c.linux_bare.is_none()
            && !c.machine.cpu.is_x86()
    };
    let built = if cases.iter().any(arm_image) {
        build::build_all(root).map_err(|e| format!("{e:#}"))
    } else {
        Ok(())
    };
    let x86_built = if cases
        .iter()
        .any(|c| c.machine.cpu.is_x86() && c.guest.is_none())
    {
        crate::x86::build_all(root).map_err(|e| format!("{e:#}"))
    } else {
        Ok(())
    };
    let guests_built = if cases
        .iter()
        .any(|c| c.guest.is_some() && !c.machine.cpu.is_x86())
    {
        guests::build_all(root)
            .map(drop)
            .map_err(|e| format!("{e:#}"))
    } else {
        Ok(())
    };
    let x86_guest = |c: &Case| {
        c.machine.cpu.is_x86() && c.guest.as_deref().is_some_and(|g| g != crate::x86::HWCHECK)
    };
    let x86_guests_built = if cases.iter().any(x86_guest) {
        guests::build_x86(root, guests::X86_GUEST_PACKAGES)
            .map(drop)
            .map_err(|e| format!("{e:#}"))
    } else {
        Ok(())
    };
    for case in &cases {
        images.entry(case.image_key()).or_insert_with(|| {
            if case.guest.as_deref() == Some(crate::x86::HWCHECK) {
                let elf = crate::x86::build_hwcheck(root).map_err(|e| format!("{e:#}"))?;
                if case.machine.cpu.is_bochs() {
                    return crate::x86::make_iso(&elf).map_err(|e| format!("{e:#}"));
                }
                return Ok(elf);
            }
            if let Some(name) = case.guest.as_ref().filter(|_| x86_guest(case)) {
                x86_guests_built.clone()?;
                return Ok(guests::x86_elf_path(root, name));
            }
            if let (Some(name), Some(board)) = (&case.guest, case.machine.cpu.sd_board()) {
                guests_built.clone()?;
                built.clone()?;
                return boards_bare::prepare(root, board, name).map_err(|e| format!("{e:#}"));
            }
            if let Some(name) = case.guest.as_ref().filter(|_| bare_el3::boots_at_el3(case)) {
                guests_built.clone()?;
                return bare_el3::prepare(root, name).map_err(|e| format!("{e:#}"));
            }
            if let Some(name) = &case.guest {
                guests_built.clone()?;
                return Ok(guests::image_path(root, name));
            }
            if let Some(board) = case.machine.cpu.sd_board() {
                built.clone()?;
                let buildfile = root.join(&case.buildfile);
                return crate::sdcard::qemu::prepare(root, board, Some(&buildfile))
                    .map_err(|e| format!("{e:#}"));
            }
            if let Some(bare) = &case.linux_bare {
                crate::linux::prepare_arch(root, bare.arch).map_err(|e| format!("{e:#}"))?;
                return Ok(bare.arch.kernel(root));
            }
            let path = root.join(&case.buildfile);
            if case.machine.cpu.is_x86() {
                x86_built.clone()?;
                let kernel = crate::x86::make_image(root, &path).map_err(|e| format!("{e:#}"))?;
                if case.machine.cpu.is_bochs() {
                    return crate::x86::make_iso(&kernel).map_err(|e| format!("{e:#}"));
                }
                return Ok(kernel);
            }
            built.clone()?;
            let image = image::make_image(root, "", Some(&path)).map_err(|e| format!("{e:#}"))?;
            if bare_el3::boots_at_el3(case) {
                return bare_el3::wrap(&image).map_err(|e| format!("{e:#}"));
            }
            Ok(image)
        });
    }
    for (buildfile, image) in &images {
        match image {
            Ok(path) => println!("image {}: {}", buildfile, path.display()),
            Err(e) => println!("image {buildfile}: cannot make it: {e}"),
        }
    }

    let bad: Vec<Regex> = BAD_LINES
        .iter()
        .map(|b| Regex::new(b).with_context(|| format!("bad pattern /{b}/ in BAD_LINES")))
        .collect::<Result<_>>()?;

    let jobs = opts.jobs.clamp(1, cases.len());
    println!("running {} cases, {jobs} at a time", cases.len());
    let queue = Mutex::new(cases.iter().collect::<VecDeque<_>>());
    let outcomes = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let Some(case) = queue.lock().unwrap().pop_front() else {
                        break;
                    };
                    let outcome = match &images[&case.image_key()] {
                        Ok(image) => run_case(case, image, root, &bad, &log_dir),
                        Err(_) => Outcome {
                            name: case.name.clone(),
                            failure: Some(format!(
                                "no image: cannot make {} (see above)",
                                case.image_key()
                            )),
                        },
                    };
                    // (run_case prints the PASS line, with the time.)
                    if let Some(why) = &outcome.failure {
                        println!("FAIL {}: {why}", outcome.name);
                    }
                    outcomes.lock().unwrap().push(outcome);
                }
            });
        }
    });

    let mut tally = Tally {
        skipped,
        ..Tally::default()
    };
    let outcomes = outcomes.into_inner().unwrap();
    for case in &cases {
        let outcome = outcomes.iter().find(|o| o.name == case.name);
        match outcome.and_then(|o| o.failure.as_deref()) {
            None if outcome.is_some() => tally.passed += 1,
            failure => {
                tally.failed += 1;
                let why = failure.unwrap_or("did not run");
                let first = why.lines().next().unwrap_or("");
                tally.failures.push(format!("FAIL {}: {first}", case.name));
            }
        }
    }
    Ok(tally)
}
