//! One case's QEMU runs: boot, match the console against the case's
//! lines, keep the log; a case with `reboot` lines boots a second time on
//! the same disk after killing the first QEMU (SIGKILL).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{LineWriter, Write};
use std::path::Path;
use std::time::Instant;

use regex_lite::Regex;

use super::cases::Case;
use super::matcher::{self, Matcher, Step};
use super::{Outcome, TAIL_LINES};
use crate::qemu::{Captured, Event};

/// How a QEMU run ended before the matcher decided.
enum End {
    Matched,
    Failed(String),
    Exited,
    TimedOut,
}

/// A case's console: its log file and its last lines.
struct Console {
    log: LineWriter<File>,
    tail: VecDeque<String>,
}

impl Console {
    fn keep(&mut self, line: String) {
        let _ = writeln!(self.log, "{line}");
        if self.tail.len() == TAIL_LINES {
            self.tail.pop_front();
        }
        self.tail.push_back(line);
    }

    fn event(&mut self, event: Event) {
        match event {
            Event::Console(line) => self.keep(line),
            Event::Stderr(line) => self.keep(format!("[qemu stderr] {line}")),
            Event::Exited | Event::Timeout => {}
        }
    }
}

/// Boot one case and match its console: once, or (a case with `reboot`
/// lines) a second time on the same disk after killing the first QEMU.
pub(super) fn run_case(
    case: &Case,
    image: &Path,
    root: &Path,
    bad: &[Regex],
    log_dir: &Path,
) -> Outcome {
    let start = Instant::now();
    let log_path = log_dir.join(format!("{}.log", case.name));
    let fail = |why: String| Outcome {
        name: case.name.clone(),
        failure: Some(why),
    };
    let log = match File::create(&log_path) {
        Ok(file) => LineWriter::new(file),
        Err(e) => return fail(format!("cannot create {}: {e}", log_path.display())),
    };
    let mut console = Console {
        log,
        tail: VecDeque::with_capacity(TAIL_LINES),
    };
    let mut machine = case.machine.clone();
    if let Some(mib) = case.disk_mib {
        let disk = log_dir.join(format!("{}.disk", case.name));
        let made = File::create(&disk).and_then(|f| f.set_len(mib << 20));
        if let Err(e) = made {
            return fail(format!("cannot make the disk {}: {e}", disk.display()));
        }
        machine.disk = Some(disk);
    }
    let mut end = boot(
        case,
        root,
        &machine,
        &case.expect,
        image,
        bad,
        &mut console,
        start,
    );
    if matches!(end, End::Matched) && (!case.reboot.is_empty() || case.disk_check.is_some()) {
        let _ = writeln!(console.log, "# the lines matched: QEMU killed (SIGKILL)");
        if let (Some(check), Some(disk)) = (case.disk_check, &machine.disk) {
            match check(disk) {
                Ok(found) => {
                    let _ = writeln!(console.log, "# disk check: {found}");
                }
                Err(why) => end = End::Failed(format!("disk check after the kill: {why}")),
            }
        }
    }
    if matches!(end, End::Matched) && !case.reboot.is_empty() {
        let _ = writeln!(console.log, "# booting again on the same disk");
        end = boot(
            case,
            root,
            &machine,
            &case.reboot,
            image,
            bad,
            &mut console,
            start,
        );
    }
    let secs = start.elapsed().as_secs_f64();
    let reason = match end {
        End::Matched => {
            let _ = writeln!(console.log, "# PASS ({secs:.1} s)");
            println!("PASS {} ({secs:.1} s)", case.name);
            return Outcome {
                name: case.name.clone(),
                failure: None,
            };
        }
        End::Failed(why) => why,
        // (`boot` turns these into `Failed` with the details.)
        End::Exited | End::TimedOut => "QEMU stopped".into(),
    };
    let _ = writeln!(console.log, "# FAIL: {reason}");
    let mut report = format!(
        "{reason}\n    last {} lines of {}:",
        console.tail.len(),
        log_path.display()
    );
    for line in &console.tail {
        report.push_str("\n    | ");
        report.push_str(line);
    }
    fail(report)
}

/// One QEMU run of `case` on `machine`, matching `expect`; QEMU is killed
/// (SIGKILL) at the end unless it exited.
#[allow(clippy::too_many_arguments, reason = "one QEMU run's inputs")]
fn boot(
    case: &Case,
    root: &Path,
    machine: &crate::qemu::Machine,
    expect: &[matcher::Expect],
    image: &Path,
    bad: &[Regex],
    console: &mut Console,
    start: Instant,
) -> End {
    let deadline = start + case.timeout;
    let extra = case.extra_qemu_args(root);
    let (mut qemu, command) = match Captured::spawn(machine, image, &extra) {
        Ok(started) => started,
        Err(e) => return End::Failed(format!("{e:#}")),
    };
    let _ = writeln!(console.log, "# {command}");
    let mut matcher = Matcher::new(expect, bad);
    let end = if matcher.is_done() {
        End::Matched
    } else {
        loop {
            match qemu.next(deadline) {
                Event::Console(line) => {
                    let step = matcher.feed(&line);
                    console.keep(line);
                    if let Some(matched) = matcher.last_match() {
                        let keys = &expect[matched].send;
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
                Event::Exited => break End::Exited,
                Event::Timeout => break End::TimedOut,
                event => console.event(event),
            }
        }
    };
    // A case that powers off: QEMU must then exit by itself.
    let end = match end {
        End::Matched if case.powers_off => loop {
            match qemu.next(deadline) {
                Event::Exited => break End::Matched,
                Event::Timeout => {
                    break End::Failed(format!(
                        "the lines matched, but QEMU did not exit (no power-off) within {} s",
                        case.timeout.as_secs()
                    ));
                }
                event => console.event(event),
            }
        },
        end => end,
    };
    let (status, rest) = qemu.finish();
    for event in rest {
        console.event(event);
    }
    let status_text = status.map_or("status unknown".into(), |s| s.to_string());
    match end {
        End::Matched if case.powers_off && status.is_some_and(|s| !s.success()) => End::Failed(
            format!("QEMU exited with {status_text} after the power-off"),
        ),
        End::Exited => End::Failed(format!(
            "QEMU exited ({status_text}) after {:.1} s, before {}",
            start.elapsed().as_secs_f64(),
            matcher.describe_pending()
        )),
        End::TimedOut => End::Failed(format!(
            "timed out after {} s waiting for {}",
            case.timeout.as_secs(),
            matcher.describe_pending()
        )),
        end => end,
    }
}
