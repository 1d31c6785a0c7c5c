//! QEMU integration tests: build the images the cases need, boot each case
//! (some at once), match its console against its expectations, and keep
//! each console in `target/test-logs/<case>.log`.

pub mod cases;
pub mod devices;
pub mod hostile;
pub mod matcher;
pub mod passthrough;
pub mod restart;
pub mod stress;

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::{LineWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result};
use regex_lite::Regex;

use self::cases::{BAD_LINES, Case};
use self::matcher::{Matcher, Step};
use crate::Tally;
use crate::qemu::{Captured, Event};
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

    // The images, one per buildfile or test guest; each kind built only
    // if a selected case needs it.
    let mut images: BTreeMap<String, Result<PathBuf, String>> = BTreeMap::new();
    let built = if cases
        .iter()
        .any(|c| c.guest.is_none() && c.linux_bare.is_none())
    {
        build::build_all(root).map_err(|e| format!("{e:#}"))
    } else {
        Ok(())
    };
    let guests_built = if cases.iter().any(|c| c.guest.is_some()) {
        guests::build_all(root)
            .map(drop)
            .map_err(|e| format!("{e:#}"))
    } else {
        Ok(())
    };
    for case in &cases {
        images.entry(case.image_key()).or_insert_with(|| {
            if let Some(name) = &case.guest {
                guests_built.clone()?;
                return Ok(guests::image_path(root, name));
            }
            if case.linux_bare.is_some() {
                crate::linux::prepare(root).map_err(|e| format!("{e:#}"))?;
                return Ok(crate::linux::dir(root).join("Image"));
            }
            built.clone()?;
            let path = root.join(&case.buildfile);
            image::make_image(root, "", Some(&path)).map_err(|e| format!("{e:#}"))
        });
    }
    for (buildfile, image) in &images {
        match image {
            Ok(path) => println!("image {}: {}", buildfile, path.display()),
            Err(e) => println!("image {buildfile}: cannot make it: {e}"),
        }
    }

    let log_dir = root.join("target/test-logs");
    std::fs::create_dir_all(&log_dir)
        .with_context(|| format!("cannot create {}", log_dir.display()))?;
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

    let mut tally = Tally::default();
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

/// How a QEMU run ended before the matcher decided.
enum End {
    Matched,
    Failed(String),
    Exited,
    TimedOut,
}

/// Boot one case and match its console.
fn run_case(case: &Case, image: &Path, root: &Path, bad: &[Regex], log_dir: &Path) -> Outcome {
    let start = Instant::now();
    let log_path = log_dir.join(format!("{}.log", case.name));
    let fail = |why: String| Outcome {
        name: case.name.clone(),
        failure: Some(why),
    };
    let mut log = match File::create(&log_path) {
        Ok(file) => LineWriter::new(file),
        Err(e) => return fail(format!("cannot create {}: {e}", log_path.display())),
    };
    let extra = match case.extra_qemu_args(root, log_dir) {
        Ok(args) => args,
        Err(e) => return fail(format!("cannot make the case's scratch disk: {e}")),
    };
    let (mut qemu, command) = match Captured::spawn(&case.machine, image, &extra) {
        Ok(started) => started,
        Err(e) => return fail(format!("{e:#}")),
    };
    let _ = writeln!(log, "# {command}");

    let mut matcher = Matcher::new(&case.expect, bad);
    let mut tail = VecDeque::with_capacity(TAIL_LINES);
    let mut keep = |line: String, log: &mut LineWriter<File>| {
        let _ = writeln!(log, "{line}");
        if tail.len() == TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(line);
    };
    let deadline = start + case.timeout;
    let end = if matcher.is_done() {
        End::Matched
    } else {
        loop {
            match qemu.next(deadline) {
                Event::Console(line) => {
                    let before = matcher.matched();
                    let step = matcher.feed(&line);
                    keep(line, &mut log);
                    if matcher.matched() > before {
                        let keys = &case.expect[before].send;
                        if !keys.is_empty() {
                            qemu.type_keys(keys);
                        }
                    }
                    match step {
                        Step::Pending => {}
                        Step::Done => break End::Matched,
                        Step::Fail(why) => break End::Failed(why),
                    }
                }
                Event::Stderr(line) => keep(format!("[qemu stderr] {line}"), &mut log),
                Event::Exited => break End::Exited,
                Event::Timeout => break End::TimedOut,
            }
        }
    };
    // A case that powers off: QEMU must then exit by itself.
    let end = match end {
        End::Matched if case.powers_off => loop {
            match qemu.next(deadline) {
                Event::Console(line) => keep(line, &mut log),
                Event::Stderr(line) => keep(format!("[qemu stderr] {line}"), &mut log),
                Event::Exited => break End::Matched,
                Event::Timeout => {
                    break End::Failed(format!(
                        "the lines matched, but QEMU did not exit (no power-off) within {} s",
                        case.timeout.as_secs()
                    ));
                }
            }
        },
        end => end,
    };
    let (status, rest) = qemu.finish();
    let end = match (end, status) {
        (End::Matched, Some(status)) if case.powers_off && !status.success() => {
            End::Failed(format!("QEMU exited with {status} after the power-off"))
        }
        (end, _) => end,
    };
    for event in rest {
        match event {
            Event::Console(line) => keep(line, &mut log),
            Event::Stderr(line) => keep(format!("[qemu stderr] {line}"), &mut log),
            Event::Exited | Event::Timeout => {}
        }
    }
    let secs = start.elapsed().as_secs_f64();

    let reason = match end {
        End::Matched => {
            let _ = writeln!(log, "# PASS ({secs:.1} s)");
            println!("PASS {} ({secs:.1} s)", case.name);
            return Outcome {
                name: case.name.clone(),
                failure: None,
            };
        }
        End::Failed(why) => why,
        End::Exited => format!(
            "QEMU exited ({}) after {secs:.1} s, before {}",
            status.map_or("status unknown".into(), |s| s.to_string()),
            matcher.describe_pending()
        ),
        End::TimedOut => format!(
            "timed out after {} s waiting for {}",
            case.timeout.as_secs(),
            matcher.describe_pending()
        ),
    };
    let _ = writeln!(log, "# FAIL: {reason}");
    let mut report = format!(
        "{reason}\n    last {} lines of {}:",
        tail.len(),
        log_path.display()
    );
    for line in &tail {
        report.push_str("\n    | ");
        report.push_str(line);
    }
    fail(report)
}
