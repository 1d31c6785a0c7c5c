//! Counts of a VM's exits by kind, kept per vCPU on the exit path (one
//! increment each) and printed when the VM ends, so that a workload's
//! overhead can be read off its console: which exits, how many. After
//! them the same line says how long after its `qvm` process was started
//! the guest first ran ([`FirstRun`]).

use core::fmt;

/// The kinds of exit counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCount {
    /// A physical interrupt came while the guest ran.
    Interrupt,
    /// An MMIO access: to the virtual GIC (emulated in the kernel) or to
    /// a device in `qvm`.
    Mmio,
    /// An x86 I/O port access (IN, OUT), for a device in `qvm`.
    PortIo,
    /// A hypercall: PSCI (in the kernel) or one `qvm` may know.
    Hypercall,
    /// WFI or WFE: the vCPU waited or yielded.
    Wait,
    /// An IPI the guest sent (ICC_SGI1R_EL1).
    Ipi,
    /// A trapped system register access.
    Register,
    /// Anything else: handled in the backend, or not understood.
    Other,
}

impl ExitCount {
    /// Every kind, in the order they are printed.
    pub const ALL: [ExitCount; 8] = [
        ExitCount::Interrupt,
        ExitCount::Mmio,
        ExitCount::PortIo,
        ExitCount::Hypercall,
        ExitCount::Wait,
        ExitCount::Ipi,
        ExitCount::Register,
        ExitCount::Other,
    ];

    /// The name printed.
    pub const fn name(self) -> &'static str {
        match self {
            ExitCount::Interrupt => "irq",
            ExitCount::Mmio => "mmio",
            ExitCount::PortIo => "pio",
            ExitCount::Hypercall => "hvc",
            ExitCount::Wait => "wait",
            ExitCount::Ipi => "ipi",
            ExitCount::Register => "sysreg",
            ExitCount::Other => "other",
        }
    }
}

/// Exit counts of one vCPU or a whole VM: by kind, and how many of them
/// ended the runner's `vcpu_run` (went to `qvm`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExitCounts {
    by_kind: [u64; ExitCount::ALL.len()],
    to_qvm: u64,
}

impl ExitCounts {
    /// Counts one exit of `kind`.
    #[inline]
    pub fn add(&mut self, kind: ExitCount) {
        let slot = &mut self.by_kind[kind as usize];
        *slot = slot.wrapping_add(1);
    }

    /// Counts one of the exits as gone to `qvm`.
    #[inline]
    pub fn add_to_qvm(&mut self) {
        self.to_qvm = self.to_qvm.wrapping_add(1);
    }

    /// The count of `kind`.
    pub fn get(&self, kind: ExitCount) -> u64 {
        self.by_kind[kind as usize]
    }

    /// How many exits went to `qvm`.
    pub fn to_qvm(&self) -> u64 {
        self.to_qvm
    }

    /// Adds `other`'s counts (a VM's total from its vCPUs').
    pub fn merge(&mut self, other: &ExitCounts) {
        for (a, b) in self.by_kind.iter_mut().zip(other.by_kind) {
            *a = a.wrapping_add(b);
        }
        self.to_qvm = self.to_qvm.wrapping_add(other.to_qvm);
    }

    /// All exits.
    pub fn total(&self) -> u64 {
        self.by_kind.iter().fold(0, |a, &b| a.wrapping_add(b))
    }
}

/// `N exits: A irq, B mmio, ...; M to qvm` (kinds with none left out).
impl fmt::Display for ExitCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} exits", self.total())?;
        let mut sep = ": ";
        for kind in ExitCount::ALL {
            let n = self.get(kind);
            if n != 0 {
                write!(f, "{sep}{n} {}", kind.name())?;
                sep = ", ";
            }
        }
        write!(f, "; {} to qvm", self.to_qvm)
    }
}

/// How long after its process was started a VM's guest first ran (its
/// first `vcpu_run` that entered the guest), in nanoseconds of counter
/// time; `None` if it never ran. Printed after the exit counts:
/// `; guest first ran 12.345 ms after its process started` (milliseconds,
/// three decimals, cut not rounded) or `; guest never ran`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstRun(pub Option<u64>);

impl FirstRun {
    /// From counter values: the process started at `started`, the guest
    /// first ran at `first` (if it did); the counter runs at `hz`.
    pub fn from_ticks(started: u64, first: Option<u64>, hz: u64) -> FirstRun {
        FirstRun(first.map(|t| {
            let ticks = t.saturating_sub(started) as u128;
            (ticks * 1_000_000_000 / hz.max(1) as u128).min(u64::MAX as u128) as u64
        }))
    }
}

/// `; guest first ran N.NNN ms after its process started` or `; guest
/// never ran`.
impl fmt::Display for FirstRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(ns) => write!(
                f,
                "; guest first ran {}.{:03} ms after its process started",
                ns / 1_000_000,
                ns % 1_000_000 / 1_000
            ),
            None => f.write_str("; guest never ran"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn counts_merge_and_print_only_what_happened() {
        let mut a = ExitCounts::default();
        assert_eq!(format!("{a}"), "0 exits; 0 to qvm");
        a.add(ExitCount::Mmio);
        a.add_to_qvm();
        a.add(ExitCount::Mmio);
        a.add(ExitCount::Wait);
        let mut b = ExitCounts::default();
        b.add(ExitCount::Interrupt);
        b.add(ExitCount::Mmio);
        b.add_to_qvm();
        a.merge(&b);
        assert_eq!(a.get(ExitCount::Mmio), 3);
        assert_eq!(a.total(), 5);
        assert_eq!(a.to_qvm(), 2);
        assert_eq!(format!("{a}"), "5 exits: 1 irq, 3 mmio, 1 wait; 2 to qvm");
    }

    #[test]
    fn kinds_index_their_own_slot() {
        for (i, kind) in ExitCount::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, i);
            let mut c = ExitCounts::default();
            c.add(kind);
            assert_eq!(c.get(kind), 1);
            assert_eq!(c.total(), 1);
        }
    }

    #[test]
    fn first_run_prints_milliseconds_or_never() {
        let hz = 1_000_000_000;
        let ran = FirstRun::from_ticks(1_000, Some(12_346_789), hz);
        assert_eq!(ran, FirstRun(Some(12_345_789)));
        assert_eq!(
            format!("{ran}"),
            "; guest first ran 12.345 ms after its process started"
        );
        // 62.5 MHz: 16 ns a tick.
        let slow = FirstRun::from_ticks(0, Some(62_500), 62_500_000);
        assert_eq!(
            format!("{slow}"),
            "; guest first ran 1.000 ms after its process started"
        );
        assert_eq!(
            format!("{}", FirstRun::from_ticks(5, Some(5), hz)),
            "; guest first ran 0.000 ms after its process started"
        );
        // A first run before the start (it cannot be) saturates at zero.
        assert_eq!(FirstRun::from_ticks(9, Some(5), hz), FirstRun(Some(0)));
        let never = FirstRun::from_ticks(1_000, None, hz);
        assert_eq!(format!("{never}"), "; guest never ran");
        let mut line = format!("{}", ExitCounts::default());
        line += &format!("{ran}");
        assert_eq!(
            line,
            "0 exits; 0 to qvm; guest first ran 12.345 ms after its process started"
        );
    }
}
