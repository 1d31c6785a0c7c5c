//! A VM's exit counts, and how long after its `qvm` process started its
//! guest first ran, from the line the kernel prints when the VM ends
//! (`kernel/src/bin/kernel/process.rs`, format in `kernel/src/exit_stats.rs`):
//!
//! ```text
//! qhv: qvm-linux (pid 2): VM ended after 46264 exits: 2469 irq, 40020 mmio, 12 hvc, 1918 wait, 1677 ipi, 168 other; 39870 to qvm; guest first ran 12.345 ms after its process started
//! ```
//!
//! Kinds with no exit are left out of the line. The last clause is `;
//! guest never ran` if the guest never ran; a line without it (a kernel
//! from before it) still parses, as do clauses added after it.

use std::fmt;

/// The exits of one VM over its whole life.
#[derive(Clone, Debug, PartialEq)]
pub struct VmExits {
    /// All exits.
    pub total: u64,
    /// Count and name of each kind printed, in the kernel's order.
    pub kinds: Vec<(u64, String)>,
    /// How many of them went to `qvm`.
    pub to_qvm: u64,
    /// When the guest first ran; `None` if the line does not say.
    pub first_run: Option<FirstRun>,
}

/// When a VM's guest first ran, as the line says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FirstRun {
    /// Milliseconds of counter time after its process was started.
    AfterMs(f64),
    /// It never ran.
    Never,
}

/// The clause of a guest that ran, around its milliseconds.
const FIRST_RAN: (&str, &str) = ("guest first ran ", " ms after its process started");
/// The clause of a guest that never ran.
const NEVER_RAN: &str = "guest never ran";

/// The exit counts of the VM whose `system` name is `vm` (its process is
/// `qvm-VM`), from the first such line of a console.
pub fn parse<'a>(lines: impl IntoIterator<Item = &'a str>, vm: &str) -> Option<VmExits> {
    let process = format!("qhv: qvm-{vm} (pid ");
    lines.into_iter().find_map(|line| {
        let rest = &line[line.find(&process)? + process.len()..];
        parse_counts(rest.split_once("): VM ended after ")?.1)
    })
}

/// `N exits: A irq, B mmio; M to qvm` (or `N exits; M to qvm`), checked:
/// the kinds add up to N; then `; ` and clauses: the first-run one is
/// read (a malformed one fails the line), others are skipped.
fn parse_counts(text: &str) -> Option<VmExits> {
    let mut clauses = text.trim_end().split("; ");
    let counts = clauses.next()?;
    let to_qvm = clauses.next()?.strip_suffix(" to qvm")?.parse().ok()?;
    let mut first_run = None;
    for clause in clauses {
        if clause == NEVER_RAN {
            first_run = Some(FirstRun::Never);
        } else if let Some(ms) = clause.strip_prefix(FIRST_RAN.0) {
            let ms: f64 = ms.strip_suffix(FIRST_RAN.1)?.parse().ok()?;
            if !(ms.is_finite() && ms >= 0.0) {
                return None;
            }
            first_run = Some(FirstRun::AfterMs(ms));
        }
    }
    let (total, kinds) = match counts.split_once(": ") {
        Some((total, kinds)) => (total, Some(kinds)),
        None => (counts, None),
    };
    let total = total.strip_suffix(" exits")?.parse().ok()?;
    let kinds = kinds
        .into_iter()
        .flat_map(|k| k.split(", "))
        .map(|kind| {
            let (n, name) = kind.split_once(' ')?;
            Some((n.parse().ok()?, name.to_string()))
        })
        .collect::<Option<Vec<(u64, String)>>>()?;
    (kinds.iter().map(|(n, _)| n).sum::<u64>() == total).then_some(VmExits {
        total,
        kinds,
        to_qvm,
        first_run,
    })
}

/// The counts as the kernel prints them (not the first-run clause).
impl fmt::Display for VmExits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} exits", self.total)?;
        let mut sep = ": ";
        for (n, name) in &self.kinds {
            write!(f, "{sep}{n} {name}")?;
            sep = ", ";
        }
        write!(f, "; {} to qvm", self.to_qvm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = "qhv: qvm-linux (pid 2): VM ended after 46264 exits: 2469 irq, \
                        40020 mmio, 12 hvc, 1918 wait, 1677 ipi, 168 other; 39870 to qvm";

    #[test]
    fn parses_the_kernel_line() {
        let console = [
            "linux: [    2.078410] reboot: Power down",
            "qvm: linux: the guest powered off",
            "qhv: qvm-linux1 (pid 3): VM ended after 7 exits: 7 mmio; 7 to qvm",
            LINE,
        ];
        let e = parse(console, "linux").expect("the linux VM's line");
        assert_eq!(e.total, 46264);
        assert_eq!(e.to_qvm, 39870);
        assert_eq!(e.kinds[1], (40020, "mmio".to_string()));
        assert_eq!(e.kinds.len(), 6);
        assert_eq!(format!("qhv: qvm-linux (pid 2): VM ended after {e}"), LINE);
        let e = parse(console, "linux1").expect("the linux1 VM's line");
        assert_eq!(format!("{e}"), "7 exits: 7 mmio; 7 to qvm");
        assert_eq!(e.first_run, None);
    }

    #[test]
    fn reads_when_the_guest_first_ran() {
        let ran = format!("{LINE}; guest first ran 12.345 ms after its process started");
        let e = parse([ran.as_str()], "linux").expect("the line with the clause");
        assert_eq!(e.total, 46264);
        assert_eq!(e.to_qvm, 39870);
        assert_eq!(e.first_run, Some(FirstRun::AfterMs(12.345)));
        // The counts print as before, without the clause.
        assert_eq!(format!("qhv: qvm-linux (pid 2): VM ended after {e}"), LINE);
        let never = "qhv: qvm-a (pid 9): VM ended after 0 exits; 0 to qvm; guest never ran\n";
        let e = parse([never], "a").expect("a guest that never ran");
        assert_eq!((e.total, e.to_qvm), (0, 0));
        assert_eq!(e.first_run, Some(FirstRun::Never));
        // A clause it does not know is skipped, before or after.
        let more = "qhv: qvm-a (pid 9): VM ended after 2 exits: 2 mmio; 1 to qvm; \
                    something new; guest first ran 0.500 ms after its process started; more";
        let e = parse([more], "a").expect("a line with other clauses");
        assert_eq!(e.first_run, Some(FirstRun::AfterMs(0.5)));
        assert_eq!(e.to_qvm, 1);
        for bad in [
            "qhv: qvm-a (pid 9): VM ended after 0 exits; 0 to qvm; guest first ran soon ms after its process started",
            "qhv: qvm-a (pid 9): VM ended after 0 exits; 0 to qvm; guest first ran -1 ms after its process started",
            "qhv: qvm-a (pid 9): VM ended after 0 exits; 0 to qvm; guest first ran inf ms after its process started",
            "qhv: qvm-a (pid 9): VM ended after 0 exits; 0 to qvm; guest first ran 1.0 ms",
            "qhv: qvm-a (pid 9): VM ended after 1 exits: 1 mmio; guest first ran 1.0 ms after its process started",
            "qhv: qvm-a (pid 9): VM ended after 0 exits; guest never ran",
        ] {
            assert_eq!(parse([bad], "a"), None, "{bad}");
        }
    }

    #[test]
    fn takes_a_vm_without_exits_and_refuses_bad_lines() {
        let none = parse(
            ["qhv: qvm-a (pid 9): VM ended after 0 exits; 0 to qvm"],
            "a",
        );
        assert_eq!(
            none,
            Some(VmExits {
                total: 0,
                kinds: Vec::new(),
                to_qvm: 0,
                first_run: None,
            })
        );
        for bad in [
            "qhv: qvm-a (pid 9): VM ended after 5 exits: 1 irq, 3 mmio; 2 to qvm",
            "qhv: qvm-a (pid 9): VM ended after 5 exits: 5 mmio",
            "qhv: qvm-a (pid 9): VM ended after five exits: 5 mmio; 2 to qvm",
            "qhv: qvm-a (pid 9): VM ended after 5 exits: mmio; 2 to qvm",
        ] {
            assert_eq!(parse([bad], "a"), None, "{bad}");
        }
        assert_eq!(parse([LINE], "linu"), None);
    }
}
