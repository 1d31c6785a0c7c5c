//! `pidin irqs`: the interrupt table, a line per INTID: its kind (the
//! kernel's own, a host driver's, passed to a VM), who holds it, how often
//! it came, the CPU it goes to, the guest's INTID for a passed one,
//! whether it is masked and how it triggers.

use abi::{IrqInfo, ProcessInfo};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

/// The word for an `IRQ_*` kind.
pub fn kind(kind: u32) -> String {
    String::from(match kind {
        abi::IRQ_KERNEL => "kernel",
        abi::IRQ_DRIVER => "driver",
        abi::IRQ_PASSED => "passed",
        other => return format!("?{other}"),
    })
}

/// The table of `irqs`, by INTID, owners named from `procs`.
pub fn table(irqs: &[IrqInfo], procs: &[ProcessInfo]) -> String {
    let mut rows: Vec<&IrqInfo> = irqs.iter().collect();
    rows.sort_by_key(|i| i.intid);
    let mut out = format!(
        "{:>5} {:<6} {:<20} {:>10} {:>3} {:>5} {:<6} {}\n",
        "intid", "kind", "owner", "count", "cpu", "virq", "masked", "trigger"
    );
    for i in rows {
        let virq = if i.kind == abi::IRQ_PASSED {
            format!("{}", i.virq)
        } else {
            String::from("-")
        };
        // The kernel does not count its own interrupts.
        let count = if i.kind == abi::IRQ_KERNEL {
            String::from("-")
        } else {
            format!("{}", i.count)
        };
        let _ = writeln!(
            out,
            "{:>5} {:<6} {:<20} {count:>10} {:>3} {virq:>5} {:<6} {}",
            i.intid,
            kind(i.kind),
            super::owner(procs, i.owner),
            i.cpu,
            if i.masked != 0 { "yes" } else { "no" },
            if i.edge != 0 { "edge" } else { "level" }
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::process;
    use abi::OWNER_KERNEL;

    fn irq(intid: u32, kind: u32, owner: u64, count: u64) -> IrqInfo {
        IrqInfo {
            intid,
            kind,
            owner,
            count,
            cpu: 0,
            virq: 0,
            masked: 0,
            edge: 0,
        }
    }

    #[test]
    fn a_line_per_interrupt_in_intid_order() {
        let procs = [process(4, 1, "rtc"), process(6, 1, "linux")];
        let mut passed = irq(79, abi::IRQ_PASSED, 6, 3);
        passed.virq = 40;
        passed.masked = 1;
        let mut timer = irq(26, abi::IRQ_KERNEL, OWNER_KERNEL, 0);
        timer.edge = 0;
        let mut rtc = irq(34, abi::IRQ_DRIVER, 4, 12);
        rtc.cpu = 1;
        rtc.edge = 1;
        assert_eq!(
            table(&[passed, rtc, timer], &procs),
            "intid kind   owner                     count cpu  virq masked trigger\n\
             \x20  26 kernel kernel                        -   0     - no     level\n\
             \x20  34 driver 4 rtc                        12   1     - no     edge\n\
             \x20  79 passed 6 linux                       3   0    40 yes    level\n"
        );
        assert_eq!(kind(0), "?0");
    }
}
