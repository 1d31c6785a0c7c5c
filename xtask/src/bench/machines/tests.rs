use super::*;
use crate::bench::MIN_SWITCHES;

/// The exit paths of the table, in order.
const EXITS: [&str; 11] = [
    "hvc",
    "gicd-read",
    "mmio-read",
    "mmio-write",
    "irq",
    "irq-complete",
    "ipi",
    "ipi-complete",
    "ipi-idle",
    "vtimer",
    "vtimer-wfi",
];

/// A guest's console: `prefix` before each line (`bench: ` in a VM), a
/// counter of `hz`, and every row (`empty` too) at `base` plus its index.
fn console(prefix: &str, hz: u64, base: u64) -> String {
    let mut out =
        format!("{prefix}bench: CNTFRQ {hz} Hz, 1000 iterations, counter ticks per round trip\n");
    for (i, name) in ["empty"].iter().chain(EXITS.iter()).enumerate() {
        let t = base + i as u64;
        out.push_str(&format!(
            "{prefix}bench: {name} min {t} median {t} mean {t}.00\n"
        ));
    }
    out.push_str(&format!("{prefix}bench: done, powering off\n"));
    out
}

/// A machine's column: bare rows from 20, VM rows from `base`.
fn column(spec: Spec, base: u64) -> Column {
    let vm = format!(
        "qhv: hypervisor kernel at EL2\n{}",
        console("bench: ", ONE_GHZ, base)
    );
    Column {
        spec,
        bare: Ok(parse_console(console("", ONE_GHZ, 20).lines(), None)),
        vm: Ok(parse_console(vm.lines(), Some("bench"))),
        switches: vec![2161, 2165, 2161, 2155, 2161],
    }
}

fn columns() -> Vec<Column> {
    vec![
        column(MAIN, 300),
        column(OTHERS[0], 1300),
        column(OTHERS[1], 2300),
    ]
}

#[test]
fn the_rows_are_the_exit_paths_and_the_switch() {
    let names: Vec<&str> = rows().map(|(name, _)| name).collect();
    let mut expected = EXITS.to_vec();
    expected.push("vm-switch");
    assert_eq!(names, expected);
}

#[test]
fn the_machines_and_their_qemu_options() {
    let args = |spec: Spec, entry| spec.machine(entry).args(Path::new("a.img")).join(" ");
    assert!(args(OTHERS[0], EntryLevel::El2).starts_with(
        "-M virt,virtualization=on,gic-version=3 -cpu cortex-a57,cntfrq=1000000000 -smp 2 -m 1G "
    ));
    assert!(
        args(OTHERS[1], EntryLevel::El1)
            .starts_with("-M virt,gic-version=2 -cpu max -smp 2 -m 1G ")
    );
    // The main machine's is the main runs'.
    assert_eq!(MAIN.machine(EntryLevel::El2), machine(2, EntryLevel::El2));
    let mut runs: Vec<&str> = OTHERS.iter().flat_map(|s| s.runs).collect();
    runs.extend(MAIN.runs);
    let count = runs.len();
    runs.sort_unstable();
    runs.dedup();
    assert_eq!(runs.len(), count, "every run has its own log");
}

#[test]
fn prints_the_table() {
    let (text, problems) = table(&columns());
    assert!(problems.is_empty(), "{problems:?}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("Exit paths by machine: medians in instructions"));
    assert_eq!(
        lines[2],
        "| benchmark | max, GICv3: ours | bare | cortex-a57, GICv3: ours | bare \
         | max, GICv2: ours | bare |"
    );
    assert_eq!(lines[3], "|---|---:|---:|---:|---:|---:|---:|");
    assert!(lines.contains(&"| hvc | 301 | 21 | 1,301 | 21 | 2,301 | 21 |"));
    assert!(lines.contains(&"| vtimer-wfi | 311 | 31 | 1,311 | 31 | 2,311 | 31 |"));
    assert!(lines.contains(
        &"| vm-switch | 2,161 (5 switches) | n/a | 2,161 (5 switches) | n/a \
          | 2,161 (5 switches) | n/a |"
    ));
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("| ")).count(),
        EXITS.len() + 2
    );
    assert!(lines.contains(&"- max, GICv3: `-cpu max`, `gic-version=3` (`bare`, `vm`)"));
    assert!(lines.contains(
        &"- cortex-a57, GICv3: `-cpu cortex-a57,cntfrq=1000000000`, `gic-version=3` \
          (`bare-a57`, `vm-a57`)"
    ));
    assert!(lines.contains(&"- max, GICv2: `-cpu max`, `gic-version=2` (`bare-gic2`, `vm-gic2`)"));
    assert!(!text.contains("[^m"));
}

#[test]
fn a_genuine_reason_is_shown_and_any_other_is_a_problem() {
    let mut columns = columns();
    let Ok(vm) = &mut columns[2].vm else {
        unreachable!()
    };
    for name in ["ipi", "ipi-complete", "ipi-idle"] {
        vm.rows.remove(name);
        vm.skipped
            .insert(name.into(), "one CPU (an IPI needs two)".into());
    }
    vm.rows.remove("vtimer");
    vm.skipped.insert(
        "vtimer".into(),
        "the virtual timer interrupt did not come within 100 ms".into(),
    );
    let (text, problems) = table(&columns);
    assert!(
        text.contains("| ipi | 307 | 27 | 1,307 | 27 | not measured[^m1] | 27 |"),
        "{text}"
    );
    assert!(text.contains("| ipi-idle | 309 | 29 | 1,309 | 29 | not measured[^m3] | 29 |"));
    assert!(text.contains("| vtimer | 310 | 30 | 1,310 | 30 | not measured[^m4] | 30 |"));
    assert!(text.contains(
        "\n[^m1]: max, GICv2, `vm-gic2`: ipi not measured: one CPU (an IPI needs two)\n"
    ));
    assert!(text.contains(
        "\n[^m4]: max, GICv2, `vm-gic2`: vtimer not measured: \
         the virtual timer interrupt did not come within 100 ms\n"
    ));
    assert_eq!(
        problems,
        vec![
            "vm-gic2: vtimer not measured: the virtual timer interrupt did not come within 100 ms"
        ]
    );
}

#[test]
fn a_missing_line_a_failed_run_or_too_few_switches_is_a_problem() {
    let mut columns = columns();
    if let Ok(bare) = &mut columns[1].bare {
        bare.rows.remove("irq");
    }
    columns[1].switches.truncate(MIN_SWITCHES - 1);
    columns[2].vm = Err("bench vm-gic2: QEMU did not finish within 300 s".into());
    columns[2].switches.clear();
    let (text, problems) = table(&columns);
    assert!(
        text.contains("| irq | 305 | 25 | 1,305 | missing | run failed | 25 |"),
        "{text}"
    );
    assert!(
        text.contains(
            "| vm-switch | 2,161 (5 switches) | n/a | missing | n/a | run failed | n/a |"
        )
    );
    assert!(text.contains(
        "- max, GICv2: `-cpu max`, `gic-version=2` (`bare-gic2`, `vm-gic2`); `vm-gic2` failed\n"
    ));
    assert_eq!(
        problems,
        vec![
            "vm-gic2: bench vm-gic2: QEMU did not finish within 300 s".to_string(),
            "bare-a57: no `bench: irq` line".to_string(),
            format!(
                "vm-a57: {} VM switches seen, {MIN_SWITCHES} needed",
                MIN_SWITCHES - 1
            ),
        ]
    );
}

#[test]
fn a_slow_counter_is_converted_and_its_resolution_said() {
    let mut columns = columns();
    let vm = format!("x\n{}", console("bench: ", 62_500_000, 100));
    columns[1].vm = Ok(parse_console(vm.lines(), Some("bench")));
    if let Ok(bare) = &mut columns[1].bare {
        bare.cntfrq = None;
    }
    let (text, problems) = table(&columns);
    // 101 ticks of a 62.5 MHz counter: 1,616 instructions.
    assert!(
        text.contains("| hvc | 301 | 21 | 1,616 | no CNTFRQ | 2,301 | 21 |"),
        "{text}"
    );
    assert!(text.contains(
        "(`bare-a57`, `vm-a57`); `bare-a57`: no CNTFRQ; \
         `vm-a57`: CNTFRQ 62500000 Hz, converted, resolution 16 instructions\n"
    ));
    assert_eq!(problems.len(), EXITS.len());
    assert_eq!(problems[0], "bare-a57: no CNTFRQ line: cannot convert hvc");
}
