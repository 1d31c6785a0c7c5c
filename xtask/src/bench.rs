//! `cargo xtask bench`: runs the `bench` guest under QEMU with `-icount`
//! and prints one table of path lengths in instructions, beside the same
//! guest with no hypervisor and the published figures of KVM and Xen on
//! ARM (`shared/ANCHORS.md`), then the exit paths on other machines. See
//! `docs/benchmarks.md`.
//!
//! Two QEMU runs for the main table, each `virt` with 2 CPUs, GICv3, `-cpu
//! max` (a 1 GHz counter) and `-icount shift=0,sleep=off` (one instruction
//! per nanosecond of virtual time, so a counter tick is one instruction;
//! `sleep=off` keeps idle time from following the host's clock, so every
//! run is the same):
//!
//! 1. `bare`: the guest image alone at EL1: the "no hypervisor" column;
//! 2. `vm`: the hypervisor image of [`BUILDFILE`]: the `bench` VM (one vCPU
//!    on each host CPU) gives every row but the VM switch, which comes from
//!    the gaps two more VMs record while they share host CPU 0
//!    ([`switch_samples`]), and the VM's memory, which `ktest vm-memory`
//!    measures last ([`memory`]).
//!
//! Then the same two runs on each other machine of `bench/machines.rs`
//! (`-cpu cortex-a57` with its counter set to 1 GHz, GICv3; `-cpu max`,
//! GICv2), named `bare-a57`, `vm-a57`, `bare-gic2` and `vm-gic2`: a second
//! table gives each exit path and the VM switch on the three machines.
//!
//! The rows and their footnotes are in `bench/rows.rs`, the runs in
//! `bench/runs.rs`; the Linux rows come after (`bench_linux/`).
//!
//! Each run is killed with `timeout` if it takes too long; a failed run or
//! a missing line makes the command fail after printing what it has.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::qemu::EntryLevel;
use crate::{build, guests, image, setup};

pub mod exits;
mod machines;
pub mod memory;
mod rows;
mod runs;
mod x86;

pub(crate) use runs::{Run, boot, machine};
use runs::{bare_run, vm_run, vm_switches};

use rows::{BENCHMARKS, NOTES, Published, Source};

/// The buildfile of the benchmark image, relative to the repository root.
pub const BUILDFILE: &str = "boot/boards/qemu-virt-bench.build";
/// QEMU's `-icount` option: a 1 GHz virtual clock driven by instructions.
pub const ICOUNT: &str = "shift=0,sleep=off";
/// The guest's name (its package and its VM's `system` name).
pub const GUEST: &str = "bench";
/// The `system` names of the two VMs of the VM-switch measurement.
pub const SWITCH_VMS: [&str; 2] = ["bench-a", "bench-b"];
/// Fewest VM switches seen for a `vm-switch` figure.
pub const MIN_SWITCHES: usize = 5;
/// The counter frequency at which a tick is one instruction under
/// `-icount shift=0`.
pub const ONE_GHZ: u64 = 1_000_000_000;

/// Options of `cargo xtask bench`.
#[derive(Args)]
pub struct BenchArgs {
    /// Seconds each QEMU run may take before `timeout` ends it.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: u64,
    /// The architecture whose exit paths to measure (x86_64: the SVM
    /// backend on QEMU's PC, `bench/x86.rs`, then its Linux rows).
    #[arg(long, value_enum, default_value_t)]
    pub arch: crate::build::Arch,
}

/// One result line: counter ticks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Row {
    /// Fastest.
    pub min: u64,
    /// Median.
    pub median: u64,
    /// Mean.
    pub mean: f64,
}

impl Row {
    /// The row of a set of samples (`None` if there are none): the median
    /// is the upper one of an even count, as the guest takes it.
    pub fn of(samples: &[u64]) -> Option<Row> {
        let mut sorted = samples.to_vec();
        sorted.sort_unstable();
        let min = *sorted.first()?;
        let mean = sorted.iter().map(|&s| s as f64).sum::<f64>() / sorted.len() as f64;
        Some(Row {
            min,
            median: sorted[sorted.len() / 2],
            mean,
        })
    }
}

/// What one guest printed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GuestReport {
    /// Its counter frequency (`bench: CNTFRQ N Hz`).
    pub cntfrq: Option<u64>,
    /// Its result lines, by name.
    pub rows: BTreeMap<String, Row>,
    /// Measurements it could not make, with the reason it gave.
    pub skipped: BTreeMap<String, String>,
    /// Gaps of the VM-switch loop: (last read before, first read after).
    pub gaps: Vec<(u64, u64)>,
    /// It printed `bench: done`.
    pub done: bool,
}

impl GuestReport {
    /// Takes one line of the guest (`bench: ...`); other lines are ignored.
    pub fn take_line(&mut self, line: &str) {
        let Some(rest) = line.strip_prefix("bench: ") else {
            return;
        };
        let words: Vec<&str> = rest.split_whitespace().collect();
        match words.as_slice() {
            ["CNTFRQ", hz, "Hz,", ..] => self.cntfrq = hz.parse().ok(),
            ["done,", ..] => self.done = true,
            ["gap", from, to] => {
                if let (Ok(from), Ok(to)) = (from.parse(), to.parse()) {
                    self.gaps.push((from, to));
                }
            }
            [name, "min", min, "median", median, "mean", mean] => {
                if let (Ok(min), Ok(median), Ok(mean)) = (min.parse(), median.parse(), mean.parse())
                {
                    self.rows
                        .insert(name.to_string(), Row { min, median, mean });
                }
            }
            [name, "not", "measured:", ..] => {
                let reason = rest.split_once("measured: ").map_or("", |(_, r)| r);
                self.skipped.insert(name.to_string(), reason.to_string());
            }
            _ => {}
        }
    }
}

/// The guest lines of a console: all of them for a bare run (`vm` None),
/// else those `qvm` prefixed with the VM's name (`NAME: `).
pub fn parse_console<'a>(
    lines: impl IntoIterator<Item = &'a str>,
    vm: Option<&str>,
) -> GuestReport {
    let mut report = GuestReport::default();
    for line in lines {
        let guest_line = match vm {
            None => Some(line),
            Some(name) => line
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(": ")),
        };
        if let Some(guest_line) = guest_line {
            report.take_line(guest_line);
        }
    }
    report
}

/// The VM switches in the gaps of VMs that shared one CPU and one counter:
/// on the time line of every gap's start (the VM stops) and end (it runs
/// again), each stop of one VM directly followed by the resumption of
/// another is a switch, lasting from the one to the other. A VM resuming
/// after its own gap with nothing of the others between is not a switch
/// (the host ran, or an interrupt was handled).
pub fn switch_samples(vms: &[&[(u64, u64)]]) -> Vec<u64> {
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Kind {
        Resume,
        Stop,
    }
    let mut events: Vec<(u64, Kind, usize)> = Vec::new();
    for (vm, gaps) in vms.iter().enumerate() {
        for &(from, to) in gaps.iter() {
            events.push((from, Kind::Stop, vm));
            events.push((to, Kind::Resume, vm));
        }
    }
    events.sort_unstable();
    events
        .windows(2)
        .filter_map(|pair| match pair {
            [(t0, Kind::Stop, a), (t1, Kind::Resume, b)] if a != b => Some(t1 - t0),
            _ => None,
        })
        .collect()
}

/// Counter ticks as instructions: one each at 1 GHz under `-icount
/// shift=0`, else `ticks * 1e9 / cntfrq`.
pub fn instructions(ticks: f64, cntfrq: u64) -> f64 {
    ticks * ONE_GHZ as f64 / cntfrq as f64
}

/// A count with thousands separators: `12,345`; rounded to a whole number
/// unless it is below 10 with a fraction (`2.5`).
pub fn thousands(value: f64) -> String {
    if value < 10.0 && value.fract() != 0.0 {
        return format!("{value:.1}");
    }
    let digits = format!("{:.0}", value.round());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What the two runs gave.
#[derive(Debug, Default)]
pub struct Results {
    /// The guest with no hypervisor.
    pub bare: GuestReport,
    /// The guest in the `bench` VM.
    pub vm: GuestReport,
    /// The VM switches between the two VM-switch VMs, in counter ticks
    /// (of the `bench` VM's CNTFRQ: they run on the same host).
    pub switches: Vec<u64>,
    /// What `ktest vm-memory` printed, if it did.
    pub memory: Option<memory::MemoryReport>,
    /// The guest RAM of the `vm-memory` VM's configuration, in bytes.
    pub memory_ram: u64,
}

/// A cell: the median in instructions, and the minimum beside it when it is
/// 5% or more below.
fn cell(row: &Row, cntfrq: u64) -> String {
    let median = instructions(row.median as f64, cntfrq);
    let min = instructions(row.min as f64, cntfrq);
    if min < median * 0.95 {
        format!("{} (min {})", thousands(median), thousands(min))
    } else {
        thousands(median)
    }
}

/// A cell of one run, or what is missing (recorded in `problems`).
fn run_cell(
    report: &GuestReport,
    run: &str,
    name: &str,
    cntfrq: Option<u64>,
    problems: &mut Vec<String>,
) -> String {
    match (report.rows.get(name), cntfrq) {
        (Some(row), Some(hz)) if hz > 0 => cell(row, hz),
        (Some(_), _) => {
            problems.push(format!("{run}: no CNTFRQ line: cannot convert {name}"));
            "no CNTFRQ".into()
        }
        (None, _) => {
            match report.skipped.get(name) {
                Some(why) => problems.push(format!("{run}: {name} not measured: {why}")),
                None => problems.push(format!("{run}: no `bench: {name}` line")),
            }
            "missing".into()
        }
    }
}

/// The `vm-switch` cell of the run `run`: the median of the switches seen.
fn switch_cell(
    switches: &[u64],
    cntfrq: Option<u64>,
    run: &str,
    problems: &mut Vec<String>,
) -> String {
    match (Row::of(switches), cntfrq) {
        (Some(row), Some(hz)) if switches.len() >= MIN_SWITCHES && hz > 0 => {
            format!("{} ({} switches)", cell(&row, hz), switches.len())
        }
        _ => {
            problems.push(format!(
                "{run}: {} VM switches seen, {MIN_SWITCHES} needed",
                switches.len()
            ));
            "missing".into()
        }
    }
}

/// The `vm-memory` cell: what the running VM took beyond its RAM.
fn memory_cell(results: &Results, problems: &mut Vec<String>) -> String {
    match results.memory {
        Some(m) if m.guest_ready => memory::kib(m.beyond_ram(results.memory_ram)),
        Some(_) => {
            problems.push(format!(
                "vm: ktest vm-memory's figures came before the `{}: {}` line",
                memory::VM,
                memory::GUEST_READY
            ));
            "missing".into()
        }
        None => {
            problems.push("vm: no `ktest vm-memory: ... running: ...` line".into());
            "missing".into()
        }
    }
}

/// A published figure, with the footnote on its source if it has one.
fn published_cell(p: &Published, figure: Option<u64>) -> String {
    match (figure, p.source_note) {
        (Some(f), Some(n)) => format!("{}[^{n}]", thousands(f as f64)),
        (Some(f), None) => thousands(f as f64),
        (None, _) => String::new(),
    }
}

/// The table (Markdown) and the footnotes; with every problem found (a
/// missing line, too few VM switches), which makes the command fail.
pub fn table(results: &Results) -> (String, Vec<String>) {
    let mut problems = Vec::new();
    let mut out = String::new();
    out.push_str(
        "| benchmark | ours (instructions) | bare QEMU, no hypervisor (instructions) \
         | KVM ARM (cycles)[^1] | Xen ARM (cycles)[^1] | published row |\n",
    );
    out.push_str("|---|---:|---:|---:|---:|---|\n");
    for bench in BENCHMARKS {
        let name = match bench.note {
            Some(n) => format!("{}[^{n}]", bench.name),
            None => bench.name.to_string(),
        };
        let ours = match bench.source {
            Source::Guest => run_cell(
                &results.vm,
                "vm",
                bench.name,
                results.vm.cntfrq,
                &mut problems,
            ),
            Source::Switches => {
                switch_cell(&results.switches, results.vm.cntfrq, "vm", &mut problems)
            }
            Source::Memory => memory_cell(results, &mut problems),
        };
        let bare = if bench.bare {
            run_cell(
                &results.bare,
                "bare",
                bench.name,
                results.bare.cntfrq,
                &mut problems,
            )
        } else {
            "n/a".into()
        };
        let (kvm, xen, row) = match bench.published {
            Some(p) => (
                published_cell(&p, p.kvm_arm),
                published_cell(&p, p.xen_arm),
                p.row,
            ),
            None => ("".into(), "".into(), ""),
        };
        out.push_str(&format!(
            "| {name} | {ours} | {bare} | {kvm} | {xen} | {row} |\n"
        ));
    }
    out.push('\n');
    for bench in BENCHMARKS {
        out.push_str(&format!("- `{}`: {}\n", bench.name, bench.what));
    }
    out.push('\n');
    for (n, text) in NOTES {
        out.push_str(&format!("[^{n}]: {text}\n"));
    }
    (out, problems)
}

/// The guest's own figures, in counter ticks: min, median and mean of
/// each row in both runs, and the VM switches seen.
pub fn raw_figures(results: &Results) -> String {
    let hz = |r: &GuestReport| r.cntfrq.map_or("?".to_string(), |hz| hz.to_string());
    let mut out = format!(
        "counter ticks (CNTFRQ bare {} Hz, vm {} Hz): min / median / mean\n",
        hz(&results.bare),
        hz(&results.vm)
    );
    let figures = |r: &GuestReport, name: &str| match (r.rows.get(name), r.skipped.get(name)) {
        (Some(row), _) => format!("{} / {} / {:.2}", row.min, row.median, row.mean),
        (None, Some(why)) => format!("not measured: {why}"),
        (None, None) => "missing".to_string(),
    };
    for bench in BENCHMARKS.iter().filter(|b| b.source == Source::Guest) {
        out.push_str(&format!(
            "  {:<13} bare {:<24} vm {}\n",
            bench.name,
            figures(&results.bare, bench.name),
            figures(&results.vm, bench.name)
        ));
    }
    out.push_str(&format!(
        "  {:<13} {} switches: {:?}\n",
        "vm-switch",
        results.switches.len(),
        results.switches
    ));
    out.push_str(&format!(
        "  {:<13} {}\n",
        "vm-memory",
        memory_figures(results)
    ));
    out
}

/// The raw figures of `vm-memory`, in bytes.
fn memory_figures(results: &Results) -> String {
    let Some(m) = results.memory else {
        return "missing".into();
    };
    let processes = m.processes.map_or("?".to_string(), |b| b.to_string());
    format!(
        "free memory {} -> {} bytes ({} taken), kernel heap free {} -> {} bytes ({} taken), \
         guest RAM {} bytes: {} bytes beyond it ({} in qvm's own pages and page tables)",
        m.free_before,
        m.free_running,
        m.frames(),
        m.heap_before,
        m.heap_running,
        m.heap(),
        results.memory_ram,
        m.beyond_ram(results.memory_ram),
        processes
    )
}

/// `cargo xtask bench`.
pub fn run(root: &Path, args: &BenchArgs) -> Result<ExitCode> {
    if args.arch == crate::build::Arch::X86_64 {
        return x86::run(root, args.timeout);
    }
    let buildfile = root.join(BUILDFILE);
    image::buildfile_path(root, "", Some(&buildfile))?;
    setup::ensure(root)?;
    build::build_all(root)?;
    let guest = guests::build(root, &[GUEST])?.remove(0);
    let image = image::make_image(root, "", Some(&buildfile))?;

    let bare = bare_run("bare", machine(2, EntryLevel::El1), guest.clone());
    let vm = vm_run("vm", machine(2, EntryLevel::El2), image.clone());

    let mut results = Results::default();
    let lines = boot(root, &bare, args.timeout)?;
    results.bare = parse_console(lines.iter().map(String::as_str), None);
    let lines = boot(root, &vm, args.timeout)?;
    results.vm = parse_console(lines.iter().map(String::as_str), Some(GUEST));
    results.switches = vm_switches(&lines);
    results.memory = memory::parse(lines.iter().map(String::as_str), memory::VM);
    results.memory_ram = memory::guest_ram(&root.join(memory::CONF))?;

    println!();
    print!("{}", raw_figures(&results));
    println!();
    let (text, mut problems) = table(&results);
    print!("{text}");
    println!();
    let columns = machines::run(root, &results, &guest, &image, args.timeout);
    let (text, others) = machines::table(&columns);
    print!("{text}");
    println!();
    // The first column is the main table's: its problems are listed once.
    for problem in others {
        if !problems.contains(&problem) {
            problems.push(problem);
        }
    }
    problems.extend(crate::bench_linux::run(
        root,
        &crate::bench_linux::ARM,
        args.timeout,
    )?);
    Ok(outcome(&problems))
}

/// The command's end: success, or each problem on a line and failure.
fn outcome(problems: &[String]) -> ExitCode {
    if problems.is_empty() {
        return ExitCode::SUCCESS;
    }
    println!();
    for problem in problems {
        println!("xtask: bench: {problem}");
    }
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bare run's console (QEMU virt, `-cpu max`, `-icount shift=0`).
    const BARE: &str = "\
bench: CNTFRQ 1000000000 Hz, 1000 iterations, counter ticks per round trip
bench: empty min 2 median 2 mean 2.00
bench: hvc min 21 median 21 mean 21.00
bench: gicd-read min 3 median 3 mean 3.00
bench: mmio-read min 3 median 3 mean 3.00
bench: mmio-write min 3 median 3 mean 3.00
bench: irq min 5 median 5 mean 5.00
bench: irq-complete min 72 median 72 mean 72.00
bench: ipi min 21 median 21 mean 21.00
bench: ipi-complete min 72 median 72 mean 72.00
bench: ipi-idle min 21 median 21 mean 21.00
bench: vtimer min 3 median 3 mean 3.00
bench: vtimer-wfi min 8 median 8 mean 8.00
bench: done, powering off";

    /// The same guest in the `bench` VM, with kernel and qvm lines around.
    const VM: &str = "\
qhv: hypervisor kernel at EL2, 2 CPUs, 1024 MiB RAM, GICv3
init: running /etc/startup
bench: bench: CNTFRQ 1000000000 Hz, 1000 iterations, counter ticks per round trip
bench: bench: empty min 2 median 2 mean 2.00
bench: bench: hvc min 3053 median 3053 mean 3053.00
bench: bench: gicd-read min 3191 median 3191 mean 3191.00
bench: bench: mmio-read min 6566 median 6566 mean 6569.09
bench: bench: mmio-write min 6562 median 6562 mean 6565.09
bench: bench: irq min 7443 median 7443 mean 7446.50
bench: bench: irq-complete min 3106 median 3106 mean 3106.00
bench: bench: ipi min 6545 median 6552 mean 54280.89
bench: bench: ipi-complete min 72 median 72 mean 72.00
bench: bench: ipi-idle min 6656 median 24248 mean 630300.99
bench: bench: vtimer min 2900 median 2911 mean 2950.10
bench: bench: vtimer-wfi min 6000 median 6001 mean 6002.00
bench: bench: done, powering off
qvm: bench: the guest powered off
bench-a: bench: vm-switch: 2 gaps over 100 ticks in 400000008 ticks
bench-a: bench: gap 100 200
bench-a: bench: hvc min 1 median 1 mean 1.00
ktest vm-memory: 'qvm @/etc/vm/bench-memory.qvmconf': waiting until no VM runs, then starting it
bench-mem: bench: idle: waiting in WFI until the host ends the VM
ktest vm-memory: 'qvm @/etc/vm/bench-memory.qvmconf' running: free memory 1000000000 -> 930000000 bytes, kernel heap free 16000000 -> 15900000 bytes
ktest vm-memory: 'qvm @/etc/vm/bench-memory.qvmconf' running: 1 new process(es) hold 1500000 bytes (own pages and page tables)
ktest vm-memory: 'qvm @/etc/vm/bench-memory.qvmconf' ended with Ok(257), free memory 1000000000 -> 1000000000 bytes
qhv: init exited with status 0";

    #[test]
    fn parses_a_bare_console() {
        let report = parse_console(BARE.lines(), None);
        assert_eq!(report.cntfrq, Some(1_000_000_000));
        assert!(report.done);
        assert_eq!(report.rows.len(), 12);
        assert_eq!(
            report.rows["hvc"],
            Row {
                min: 21,
                median: 21,
                mean: 21.0
            }
        );
        assert!(report.skipped.is_empty() && report.gaps.is_empty());
    }

    #[test]
    fn parses_one_vm_of_a_host_console() {
        let report = parse_console(VM.lines(), Some("bench"));
        assert_eq!(report.cntfrq, Some(1_000_000_000));
        assert!(report.done);
        // Not bench-a's lines, not the kernel's.
        assert_eq!(report.rows["hvc"].median, 3053);
        assert_eq!(report.rows["ipi-idle"].mean, 630300.99);
        assert!(report.gaps.is_empty());
        let a = parse_console(VM.lines(), Some("bench-a"));
        assert_eq!(a.gaps, vec![(100, 200)]);
        assert_eq!(a.rows["hvc"].median, 1);
        assert!(!a.done && a.cntfrq.is_none());
    }

    #[test]
    fn records_what_was_not_measured_and_ignores_garbage() {
        let console = "\
bench: ipi not measured: one CPU (an IPI needs two)
bench: hvc min x median 2 mean 2.00
bench: irq min 1 median 2
bench: gap 5
bench:empty min 1 median 1 mean 1.00
xbench: empty min 1 median 1 mean 1.00";
        let report = parse_console(console.lines(), None);
        assert_eq!(report.skipped["ipi"], "one CPU (an IPI needs two)");
        assert!(report.rows.is_empty());
        assert!(report.gaps.is_empty());
        assert!(!report.done);
    }

    #[test]
    fn finds_the_switches_between_two_vms() {
        // B stops at 50 (before A started); A stops at 100 and B resumes
        // at 110: 10. B stops at 200, A resumes at 210: 10. A stops at 300
        // and resumes at 305 with nothing of B between: not a switch. A
        // stops at 400, B resumes at 412: 12. B stops at 500 and A, whose
        // window is over, records nothing more: B's gap to 700 is no
        // switch either.
        let a = [(100, 210), (300, 305), (400, 490)];
        let b = [(50, 110), (200, 412), (500, 700)];
        let samples = switch_samples(&[&a, &b]);
        assert_eq!(samples, vec![10, 10, 12]);
        assert!(switch_samples(&[&a]).is_empty());
        assert!(switch_samples(&[]).is_empty());
    }

    #[test]
    fn rows_of_samples() {
        let row = Row::of(&[5, 1, 3, 9]).unwrap();
        assert_eq!(row.min, 1);
        assert_eq!(row.median, 5);
        assert_eq!(row.mean, 4.5);
        assert!(Row::of(&[]).is_none());
    }

    #[test]
    fn converts_ticks_and_formats_counts() {
        assert_eq!(instructions(3053.0, ONE_GHZ), 3053.0);
        // cortex-a72's 62.5 MHz counter: 16 instructions a tick.
        assert_eq!(instructions(10.0, 62_500_000), 160.0);
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(2.5), "2.5");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(1_000.0), "1,000");
        assert_eq!(thousands(6_552.4), "6,552");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
    }

    fn full_results() -> Results {
        Results {
            bare: parse_console(BARE.lines(), None),
            vm: parse_console(VM.lines(), Some("bench")),
            switches: vec![4784, 4797, 4797, 4794, 5876, 4797],
            memory: memory::parse(VM.lines(), memory::VM),
            memory_ram: 64 << 20,
        }
    }

    #[test]
    fn prints_the_table() {
        let (text, problems) = table(&full_results());
        assert!(problems.is_empty(), "{problems:?}");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("| benchmark | ours (instructions) | bare QEMU"));
        assert_eq!(lines[1], "|---|---:|---:|---:|---:|---|");
        assert!(lines.contains(&"| hvc | 3,053 | 21 | 6,500 | 376 | hypercall |"));
        assert!(lines.contains(&"| empty | 2 | 2 |  |  |  |"));
        assert!(lines.contains(&"| ipi-idle[^5] | 24,248 (min 6,656) | 21 |  |  |  |"));
        assert!(lines.contains(
            &"| vm-switch[^6] | 4,797 (6 switches) | n/a | 10,387 | 8,799 | VM switch |"
        ));
        assert!(lines.contains(
            &"| vtimer[^8] | 2,911 | 3 |  | 1,060[^7] | virtual timer interrupt (Xen: ours) |"
        ));
        assert!(lines.contains(&"| vtimer-wfi[^8] | 6,001 | 8 |  |  |  |"));
        // 70,000,000 + 100,000 - 67,108,864 bytes: 2,991,136.
        assert!(lines.contains(&"| vm-memory[^9] | 2,921 KiB | n/a |  |  |  |"));
        assert_eq!(
            lines.iter().filter(|l| l.starts_with("| ")).count(),
            BENCHMARKS.len() + 1
        );
        for n in 1..=9 {
            assert!(text.contains(&format!("[^{n}]: ")), "footnote {n}");
        }
    }

    #[test]
    fn a_missing_line_or_too_few_switches_is_a_problem() {
        let mut results = full_results();
        results.vm.rows.remove("irq");
        results.bare.rows.remove("ipi");
        results
            .bare
            .skipped
            .insert("ipi".into(), "one CPU (an IPI needs two)".into());
        results.switches.truncate(MIN_SWITCHES - 1);
        let (text, problems) = table(&results);
        assert!(text.contains("| irq[^3] | missing | 5 |"), "{text}");
        assert_eq!(
            problems,
            vec![
                "vm: no `bench: irq` line".to_string(),
                "bare: ipi not measured: one CPU (an IPI needs two)".to_string(),
                format!(
                    "vm: {} VM switches seen, {MIN_SWITCHES} needed",
                    MIN_SWITCHES - 1
                ),
            ]
        );
        results.vm.cntfrq = None;
        let (_, problems) = table(&results);
        assert!(problems.iter().any(|p| p.contains("vm: no CNTFRQ line")));
    }

    #[test]
    fn the_memory_figures_must_be_there_and_come_after_the_guest() {
        let mut results = full_results();
        results.memory.as_mut().unwrap().guest_ready = false;
        let (text, problems) = table(&results);
        assert!(text.contains("| vm-memory[^9] | missing | n/a |"), "{text}");
        assert_eq!(
            problems,
            vec!["vm: ktest vm-memory's figures came before the `bench-mem: bench: idle:` line"]
        );
        results.memory = None;
        let (_, problems) = table(&results);
        assert_eq!(
            problems,
            vec!["vm: no `ktest vm-memory: ... running: ...` line"]
        );
    }

    #[test]
    fn lists_the_raw_figures() {
        let mut results = full_results();
        results.vm.rows.remove("ipi");
        results
            .vm
            .skipped
            .insert("ipi".into(), "one CPU (an IPI needs two)".into());
        results.vm.rows.remove("irq");
        let text = raw_figures(&results);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "counter ticks (CNTFRQ bare 1000000000 Hz, vm 1000000000 Hz): min / median / mean"
        );
        assert!(lines.iter().any(|l| l.starts_with("  hvc ")
            && l.contains("bare 21 / 21 / 21.00 ")
            && l.ends_with("vm 3053 / 3053 / 3053.00")));
        assert!(lines.iter().any(|l| l.starts_with("  ipi ")
            && l.ends_with("vm not measured: one CPU (an IPI needs two)")));
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("  irq ") && l.ends_with("vm missing"))
        );
        assert!(
            lines.contains(&"  vm-switch     6 switches: [4784, 4797, 4797, 4794, 5876, 4797]")
        );
        assert_eq!(
            lines.last().copied(),
            Some(
                "  vm-memory     free memory 1000000000 -> 930000000 bytes (70000000 taken), \
                 kernel heap free 16000000 -> 15900000 bytes (100000 taken), \
                 guest RAM 67108864 bytes: 2991136 bytes beyond it \
                 (1500000 in qvm's own pages and page tables)"
            )
        );
        results.memory = None;
        assert!(raw_figures(&results).ends_with("  vm-memory     missing\n"));
    }

    #[test]
    fn converts_a_slow_counter() {
        let mut results = full_results();
        results.bare.cntfrq = Some(62_500_000);
        let (text, _) = table(&results);
        // 21 ticks of a 62.5 MHz counter: 336 instructions.
        assert!(text.contains("| hvc | 3,053 | 336 |"), "{text}");
    }

    #[test]
    fn the_benchmark_image_exists() {
        let root = build::root();
        assert!(root.join(BUILDFILE).is_file());
        let text = std::fs::read_to_string(root.join(BUILDFILE)).unwrap();
        assert!(text.contains(&format!("\nktest vm-memory {}\n", memory::COMMAND)));
        assert!(text.contains("/bin/ktest = "));
        for vm in [
            "bench.qvmconf",
            "bench-switch-a.qvmconf",
            "bench-switch-b.qvmconf",
            "bench-memory.qvmconf",
        ] {
            assert!(text.contains(vm), "{vm}");
            assert!(root.join("boot/vm").join(vm).is_file(), "{vm}");
        }
        for (vm, name) in ["bench-switch-a", "bench-switch-b"].iter().zip(SWITCH_VMS) {
            let conf = std::fs::read_to_string(root.join(format!("boot/vm/{vm}.qvmconf"))).unwrap();
            assert!(conf.contains(&format!("system {name}\n")), "{vm}");
            assert!(conf.contains("bench=vm-switch"), "{vm}");
        }
    }
}
