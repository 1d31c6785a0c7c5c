//! The exit paths on other machines: `cargo xtask bench` runs the `bench`
//! guest bare and the benchmark image on [`OTHERS`] too (each run as the
//! main ones, `-icount` included) and prints one more table, a row per
//! exit path and a pair of columns (ours / bare) per machine, the main
//! machine ([`MAIN`]) first.
//!
//! Cortex-A57's counter is 62.5 MHz in QEMU (16 instructions a tick): its
//! runs set the CPU's `cntfrq` property to 1 GHz, so a tick stays one
//! instruction. A counter of another frequency is converted, and the
//! resolution said under the table.

use std::path::Path;

use super::rows::{BENCHMARKS, Source};
use super::{
    GuestReport, ONE_GHZ, Results, bare_run, boot, cell, machine, parse_console, switch_cell,
    vm_run, vm_switches,
};
use crate::qemu::{Cpu, EntryLevel, Gic, Machine};

/// One machine of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Spec {
    /// Its column heading.
    pub label: &'static str,
    /// The names of its bare and `vm` runs (their logs are
    /// `target/bench/NAME.log`; its problems start with them).
    pub runs: [&'static str; 2],
    /// CPU model.
    pub cpu: Cpu,
    /// The counter frequency it is given, if not the model's own.
    pub cntfrq: Option<u64>,
    /// GIC version.
    pub gic: Gic,
}

/// The machine of the main table.
pub const MAIN: Spec = Spec {
    label: "max, GICv3",
    runs: ["bare", "vm"],
    cpu: Cpu::Max,
    cntfrq: None,
    gic: Gic::V3,
};

/// The other machines.
pub const OTHERS: [Spec; 2] = [
    Spec {
        label: "cortex-a57, GICv3",
        runs: ["bare-a57", "vm-a57"],
        cpu: Cpu::CortexA57,
        cntfrq: Some(ONE_GHZ),
        gic: Gic::V3,
    },
    Spec {
        label: "max, GICv2",
        runs: ["bare-gic2", "vm-gic2"],
        cpu: Cpu::Max,
        cntfrq: None,
        gic: Gic::V2,
    },
];

/// Reasons the guest gives for a measurement that the machine itself rules
/// out (`guests/bench`: no GIC, one CPU, no PL011 interrupt in the device
/// tree). Any other (an interrupt that did not come, a CPU that did not
/// start or does not run beside the other) is a failure.
const GENUINE: &[&str] = &["no GIC", "one CPU", "no PL011 interrupt"];

/// The figures of one machine: what its guest printed bare and in the
/// `bench` VM (or why the run failed), and the VM switches seen.
#[derive(Clone, Debug)]
pub struct Column {
    /// The machine.
    pub spec: Spec,
    /// The bare run.
    pub bare: Result<GuestReport, String>,
    /// The `vm` run's `bench` VM.
    pub vm: Result<GuestReport, String>,
    /// The VM switches of the `vm` run, in counter ticks.
    pub switches: Vec<u64>,
}

impl Spec {
    /// Its QEMU machine, started at `entry`.
    fn machine(&self, entry: EntryLevel) -> Machine {
        Machine {
            cpu: self.cpu,
            cntfrq: self.cntfrq,
            gic: self.gic,
            ..machine(2, entry)
        }
    }
}

/// The main machine's column (from the main runs), then one for each of
/// [`OTHERS`], run now. A run that fails is recorded in its column.
pub fn run(root: &Path, main: &Results, guest: &Path, image: &Path, timeout: u64) -> Vec<Column> {
    let mut columns = vec![Column {
        spec: MAIN,
        bare: Ok(main.bare.clone()),
        vm: Ok(main.vm.clone()),
        switches: main.switches.clone(),
    }];
    for spec in OTHERS {
        let bare = bare_run(spec.runs[0], spec.machine(EntryLevel::El1), guest.into());
        let bare = boot(root, &bare, timeout)
            .map(|lines| parse_console(lines.iter().map(String::as_str), None))
            .map_err(|e| format!("{e:#}"));
        let vm = vm_run(spec.runs[1], spec.machine(EntryLevel::El2), image.into());
        let (vm, switches) = match boot(root, &vm, timeout) {
            Ok(lines) => (
                Ok(parse_console(
                    lines.iter().map(String::as_str),
                    Some(super::GUEST),
                )),
                vm_switches(&lines),
            ),
            Err(e) => (Err(format!("{e:#}")), Vec::new()),
        };
        columns.push(Column {
            spec,
            bare,
            vm,
            switches,
        });
    }
    columns
}

/// The rows: every exit path the `bench` VM measures (the guest's rows but
/// the `empty` floor), and the VM switch.
fn rows() -> impl Iterator<Item = (&'static str, Source)> {
    BENCHMARKS
        .iter()
        .filter(|b| matches!(b.source, Source::Guest | Source::Switches) && b.name != "empty")
        .map(|b| (b.name, b.source))
}

/// The reasons shown under the table, numbered from 1 (`[^mN]`).
#[derive(Default)]
struct Reasons(Vec<String>);

impl Reasons {
    /// The note for `text`, added if new.
    fn note(&mut self, text: String) -> String {
        let n = match self.0.iter().position(|t| *t == text) {
            Some(i) => i + 1,
            None => {
                self.0.push(text);
                self.0.len()
            }
        };
        format!("[^m{n}]")
    }
}

/// A cell of one run: the median in instructions; `not measured` with a
/// note giving the guest's reason (a problem unless it is [`GENUINE`]).
fn guest_cell(
    report: &Result<GuestReport, String>,
    (label, run): (&str, &str),
    name: &str,
    reasons: &mut Reasons,
    problems: &mut Vec<String>,
) -> String {
    let Ok(report) = report else {
        return "run failed".into();
    };
    match (
        report.rows.get(name),
        report.skipped.get(name),
        report.cntfrq,
    ) {
        (Some(row), _, Some(hz)) if hz > 0 => cell(row, hz),
        (Some(_), _, _) => {
            problems.push(format!("{run}: no CNTFRQ line: cannot convert {name}"));
            "no CNTFRQ".into()
        }
        (None, Some(why), _) => {
            if !GENUINE.iter().any(|g| why.starts_with(g)) {
                problems.push(format!("{run}: {name} not measured: {why}"));
            }
            let note = reasons.note(format!("{label}, `{run}`: {name} not measured: {why}"));
            format!("not measured{note}")
        }
        (None, None, _) => {
            problems.push(format!("{run}: no `bench: {name}` line"));
            "missing".into()
        }
    }
}

/// How one machine was run: its QEMU options and counter frequencies.
fn describe(column: &Column) -> String {
    let spec = &column.spec;
    let cpu = match spec.cntfrq {
        Some(hz) => format!("{},cntfrq={hz}", spec.cpu.name()),
        None => spec.cpu.name().into(),
    };
    let mut out = format!(
        "- {}: `-cpu {cpu}`, `gic-version={}` (`{}`, `{}`)",
        spec.label, spec.gic, spec.runs[0], spec.runs[1]
    );
    for (run, report) in spec.runs.iter().zip([&column.bare, &column.vm]) {
        match report.as_ref().map(|r| r.cntfrq) {
            Ok(Some(ONE_GHZ)) => {}
            Ok(Some(hz)) if hz > 0 => out.push_str(&format!(
                "; `{run}`: CNTFRQ {hz} Hz, converted, resolution {} instructions",
                super::thousands(super::instructions(1.0, hz))
            )),
            Ok(_) => out.push_str(&format!("; `{run}`: no CNTFRQ")),
            Err(_) => out.push_str(&format!("; `{run}` failed")),
        }
    }
    out.push('\n');
    out
}

/// The table (Markdown): a row per exit path, ours and bare per machine,
/// with the machines and the reasons for what was not measured; and every
/// problem (a failed run, a missing line, a reason that is not
/// [`GENUINE`], too few VM switches), which makes the command fail.
pub fn table(columns: &[Column]) -> (String, Vec<String>) {
    let mut problems = Vec::new();
    let mut reasons = Reasons::default();
    for column in columns {
        for (run, report) in column.spec.runs.iter().zip([&column.bare, &column.vm]) {
            if let Err(why) = report {
                problems.push(format!("{run}: {why}"));
            }
        }
    }
    let mut out = String::from(
        "Exit paths by machine: medians in instructions, ours (under qhv) / bare \
         QEMU (no hypervisor)\n\n| benchmark |",
    );
    for column in columns {
        out.push_str(&format!(" {}: ours | bare |", column.spec.label));
    }
    out.push_str("\n|---|");
    out.push_str(&"---:|---:|".repeat(columns.len()));
    out.push('\n');
    for (name, source) in rows() {
        out.push_str(&format!("| {name} |"));
        for column in columns {
            let [bare_run, vm_run] = column.spec.runs;
            let label = column.spec.label;
            let (ours, bare) = match source {
                Source::Switches => {
                    let ours = match &column.vm {
                        Ok(vm) => switch_cell(&column.switches, vm.cntfrq, vm_run, &mut problems),
                        Err(_) => "run failed".into(),
                    };
                    (ours, "n/a".to_string())
                }
                _ => (
                    guest_cell(
                        &column.vm,
                        (label, vm_run),
                        name,
                        &mut reasons,
                        &mut problems,
                    ),
                    guest_cell(
                        &column.bare,
                        (label, bare_run),
                        name,
                        &mut reasons,
                        &mut problems,
                    ),
                ),
            };
            out.push_str(&format!(" {ours} | {bare} |"));
        }
        out.push('\n');
    }
    out.push('\n');
    for column in columns {
        out.push_str(&describe(column));
    }
    if !reasons.0.is_empty() {
        out.push('\n');
        for (i, text) in reasons.0.iter().enumerate() {
            out.push_str(&format!("[^m{}]: {text}\n", i + 1));
        }
    }
    (out, problems)
}

#[cfg(test)]
mod tests;
