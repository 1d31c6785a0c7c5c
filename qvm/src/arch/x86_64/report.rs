//! The x86 lines of the `dryrun` report: a vCPU's APIC ID, the APICs'
//! windows.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::apic::ApicLayout;
use crate::layout::space::range;
use crate::layout::{Vcpu, VmLayout};

/// How a vCPU's line starts: its local APIC ID (its index).
pub fn cpu_detail(c: &Vcpu) -> String {
    format!("apic id {}", c.index)
}

/// The lines after the vCPUs, as (label, detail, origin): the APICs.
pub fn report_lines(layout: &VmLayout<ApicLayout>) -> Vec<(&'static str, String, String)> {
    let a = &layout.gic;
    Vec::from([
        (
            "ioapic",
            format!(
                "{}  pins 0-{}",
                range(a.ioapic.base, a.ioapic.size),
                a.pins - 1
            ),
            a.config.origin.to_string(),
        ),
        (
            "lapic",
            format!("{}  one per vCPU", range(a.lapic.base, a.lapic.size)),
            String::new(),
        ),
    ])
}
