//! The AArch64 lines of the `dryrun` report: a vCPU's MPIDR, the GIC's
//! windows and INTIDs, the generic timer's interrupts.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write;

use super::gic::GicLayout;
use super::irq::TIMER_PPIS;
use crate::layout::space::range;
use crate::layout::{Vcpu, VmLayout};

/// How a vCPU's line starts: its MPIDR.
pub fn cpu_detail(c: &Vcpu) -> String {
    format!("mpidr {:#x}", c.mpidr())
}

/// Where the GIC came from: its `vdev gic`, or QNX's implicit one.
fn gic_origin(g: &GicLayout) -> String {
    if g.implicit {
        return String::from("implicit (no 'vdev gic')");
    }
    g.config.origin.to_string()
}

/// The lines after the vCPUs, as (label, detail, origin): the GIC, the
/// timer.
pub fn report_lines(layout: &VmLayout<GicLayout>) -> Vec<(&'static str, String, String)> {
    let g = &layout.gic;
    let mut d = format!(
        "v{}  gicd {}",
        g.version.number(),
        range(g.gicd.base, g.gicd.size)
    );
    if let Some(c) = g.gicc {
        let _ = write!(d, "  gicc {}", range(c.base, c.size));
    }
    if let Some(r) = g.gicr {
        let _ = write!(d, "  gicr {}", range(r.base, r.size));
    }
    let _ = write!(d, "  intids up to {}", g.max_intid);
    let ppis: Vec<String> = TIMER_PPIS.iter().map(|p| format!("{}", p + 16)).collect();
    Vec::from([
        ("gic", d, gic_origin(g)),
        (
            "timer",
            format!("intids {} (ppi 13 14 11 10)", ppis.join(" ")),
            String::new(),
        ),
    ])
}
