//! `cargo xtask bench --arch x86_64`: the SVM backend's exit paths in
//! instructions. QEMU's PC (`q35`, `-cpu EPYC`, one CPU) runs the x86
//! benchmark image ([`BUILDFILE`]) under `-icount shift=0,sleep=off`, so
//! the guest's TSC counts instructions; `ktest vmbench` builds a VM with
//! the VM calls, is its VMM, and prints what the guest timed with RDTSC
//! (`ktest vmbench: NAME min N median M`); the round trips to the VMM are
//! to `ktest`'s `vcpu_run` loop. Then the Linux rows: Debian's amd64 kernel
//! on the same QEMU alone and under `qvm` (`bench_linux`, [`X86`]).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use super::{Row, boot};
use crate::bench_linux::X86;
use crate::qemu::{Cpu, EntryLevel, Gic, Machine};
use crate::{setup, x86};

/// The buildfile of the x86 benchmark image.
pub const BUILDFILE: &str = "boot/boards/qemu-pc-bench.build";

/// The rows, in order, with what each measures.
const ROWS: [(&str, &str); 5] = [
    ("empty", "two RDTSCs, nothing between (the floor)"),
    (
        "cpuid",
        "CPUID: an exit the SVM backend answers (the filter)",
    ),
    (
        "apic-read",
        "a local APIC register read: an NPT fault, the instruction fetched through the guest's tables and decoded, the kernel's emulated APIC",
    ),
    (
        "pio",
        "OUT to a port: an exit to the VMM's `vcpu_run` loop and back",
    ),
    (
        "vmmcall",
        "VMMCALL: an exit to the VMM's `vcpu_run` loop and back",
    ),
];

/// Runs the x86 benchmark and prints its tables: the exit paths, then the
/// Linux rows. Fails (after printing what it has) if a figure is missing.
pub fn run(root: &Path, timeout: u64) -> Result<ExitCode> {
    setup::ensure(root)?;
    x86::build_all(root)?;
    let image = x86::make_image(root, &root.join(BUILDFILE))?;
    let machine = Machine {
        cpu: Cpu::Epyc,
        cntfrq: None,
        gic: Gic::V3,
        smp: 1,
        mem: "512M".into(),
        entry: EntryLevel::El2,
        one_thread: false,
        disk: None,
    };
    let run = super::Run {
        name: "x86-svm",
        machine,
        image,
        ends: vec!["qhv: init exited with status 0".into()],
    };
    let lines = boot(root, &run, timeout)?;
    let rows = parse(lines.iter().map(String::as_str));
    println!("| benchmark (x86, SVM, QEMU -icount) | min (instructions) | median |");
    println!("|---|---:|---:|");
    let mut missing = Vec::new();
    for (name, _) in ROWS {
        match rows.iter().find(|(n, _)| n == name) {
            Some((_, row)) => println!("| {name} | {} | {} |", row.min, row.median),
            None => missing.push(name),
        }
    }
    println!();
    for (name, what) in ROWS {
        println!("- `{name}`: {what}");
    }
    let mut problems = Vec::new();
    if !missing.is_empty() {
        problems.push(format!("x86-svm: no result for {}", missing.join(", ")));
    }
    println!();
    problems.extend(crate::bench_linux::run(root, &X86, timeout)?);
    Ok(super::outcome(&problems))
}

/// The `ktest vmbench` lines of a console.
fn parse<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<(String, Row)> {
    lines
        .filter_map(|line| {
            let rest = line.split_once("ktest vmbench: ")?.1;
            match rest.split_whitespace().collect::<Vec<_>>().as_slice() {
                [name, "min", min, "median", median] => Some((
                    name.to_string(),
                    Row {
                        min: min.parse().ok()?,
                        median: median.parse().ok()?,
                        mean: 0.0,
                    },
                )),
                _ => None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_lines_are_read_and_others_ignored() {
        let rows = parse(
            [
                "ktest vmbench: cpuid min 853 median 860",
                "qhv: ktest (pid 2): VM ended after 257 exits",
                "ktest vmbench: pio min x median 2",
            ]
            .into_iter(),
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, "cpuid");
        assert_eq!((rows[0].1.min, rows[0].1.median), (853, 860));
    }
}
