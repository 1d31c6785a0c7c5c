//! The AArch64 guest's part of its device tree: the machine's
//! `compatible`, PSCI (over HVC), the CPUs, the GIC, the generic timer,
//! the fixed `apb-pclk` clock, and the nodes of the ARM primecells (PL011,
//! SP805); an interrupt is an SPI, level high.

use alloc::format;
use alloc::vec::Vec;

use super::gic::GicLayout;
use super::irq::{GIC_PPI, IRQ_EDGE_RISING, IRQ_LEVEL_HIGH, TIMER_PPIS, device_interrupt};
use crate::config::{DeviceOptions, GicVersion, VdevKind, WDT_SP805_DEFAULT_HZ};
use crate::fdt::common::{Phandles, reg};
use crate::fdt::tree::{Node, cells, strings};
use crate::fdt::{Chosen, PassedDevice};
use crate::layout::{VdevLayout, VmLayout};

/// Frequency of the fixed `apb-pclk` clock of PL011 and SP805.
pub const APB_PCLK_HZ: u32 = 24_000_000;

/// The device types `/chosen/stdout-path` may name, first choice first:
/// the first PL011, else the first 8250.
pub const CONSOLE_KINDS: [VdevKind; 2] = [VdevKind::Pl011, VdevKind::Ser8250];

/// The phandles of the nodes the devices point to.
pub struct DeviceTree {
    /// The GIC (`interrupt-parent` of the root).
    gic: u32,
    /// `apb-pclk`, if a PL011 or SP805 needs it.
    pclk: Option<u32>,
    /// The timer's `clock-frequency`, when the host's counter needs it.
    counter_hz: Option<u32>,
}

impl DeviceTree {
    /// Takes the GIC's phandle, then the clock's if a device needs it (a
    /// PL011 or SP805, or a primecell passed through).
    pub fn new(layout: &VmLayout<GicLayout>, chosen: &Chosen, ph: &mut Phandles) -> Self {
        let passed = &chosen.passed;
        let gic = ph.next();
        let needs_clock = layout
            .vdevs
            .iter()
            .any(|d| matches!(d.config.kind, VdevKind::Pl011 | VdevKind::WdtSp805))
            || passed.iter().any(|p| is_primecell(&p.compatible));
        let pclk = needs_clock.then(|| ph.next());
        DeviceTree {
            gic,
            pclk,
            counter_hz: chosen.counter_hz,
        }
    }

    /// The root's properties and the firmware node (PSCI).
    pub fn root(&self, root: &mut Node) {
        root.set("compatible", strings(&["qhv,qvm-virt", "linux,dummy-virt"]))
            .set_u32("#address-cells", 2)
            .set_u32("#size-cells", 2)
            .set_u32("interrupt-parent", self.gic);
        let mut psci = Node::new("psci");
        psci.set("compatible", strings(&["arm,psci-1.0", "arm,psci-0.2"]))
            .set_str("method", "hvc");
        root.add(psci);
    }

    /// After memory: the CPUs, the GIC, the timer, the clock.
    pub fn machine(&self, layout: &VmLayout<GicLayout>, root: &mut Node) {
        let mut cpus = Node::new("cpus");
        cpus.set_u32("#address-cells", 1).set_u32("#size-cells", 0);
        for c in &layout.cpus {
            let mut cpu = Node::new(format!("cpu@{:x}", c.mpidr()));
            cpu.set_str("device_type", "cpu")
                .set_str("compatible", "arm,armv8")
                .set_u32("reg", c.mpidr() as u32)
                .set_str("enable-method", "psci");
            cpus.add(cpu);
        }
        root.add(cpus);

        let gic = &layout.gic;
        let mut intc = Node::new(format!("interrupt-controller@{:x}", gic.gicd.base));
        let timer_flags = match gic.version {
            GicVersion::V2 => {
                let cpu_if = gic.gicc.unwrap_or(gic.gicd);
                intc.set_str("compatible", "arm,cortex-a15-gic")
                    .set("reg", reg(&[gic.gicd, cpu_if]));
                // Bits 15:8: the CPUs the PPIs go to.
                let mask = (1u32 << layout.cpus.len().min(8)) - 1;
                (mask << 8) | IRQ_LEVEL_HIGH
            }
            GicVersion::V3 => {
                let redist = gic.gicr.unwrap_or(gic.gicd);
                intc.set_str("compatible", "arm,gic-v3")
                    .set("reg", reg(&[gic.gicd, redist]))
                    .set_u32("#redistributor-regions", 1);
                IRQ_LEVEL_HIGH
            }
        };
        // `#address-cells` 0: no child nodes, and an `interrupt-map` user
        // needs it.
        intc.set_u32("#address-cells", 0)
            .set_u32("#interrupt-cells", 3)
            .set_null("interrupt-controller")
            .set_u32("phandle", self.gic);
        root.add(intc);

        let mut timer = Node::new("timer");
        let irqs: Vec<u32> = TIMER_PPIS
            .iter()
            .flat_map(|&ppi| [GIC_PPI, ppi, timer_flags])
            .collect();
        timer
            .set_str("compatible", "arm,armv8-timer")
            .set("interrupts", cells(&irqs))
            .set_null("always-on");
        if let Some(hz) = self.counter_hz {
            timer.set_u32("clock-frequency", hz);
        }
        root.add(timer);

        if let Some(p) = self.pclk {
            let mut clk = Node::new("apb-pclk");
            clk.set_str("compatible", "fixed-clock")
                .set_u32("#clock-cells", 0)
                .set_u32("clock-frequency", APB_PCLK_HZ)
                .set_str("clock-output-names", "clk24mhz")
                .set_u32("phandle", p);
            root.add(clk);
        }
    }

    /// The node of an ARM device (PL011, SP805), without `reg` and
    /// `interrupts`; a watchdog also adds its own clock (`wdog_clk`, of
    /// its `frequency`) to `root`. `None` for the other types.
    pub fn device(
        &self,
        d: &VdevLayout,
        index: usize,
        ph: &mut Phandles,
        root: &mut Node,
    ) -> Option<Node> {
        let pclk = self.pclk.unwrap_or(0);
        let base = d.slot.base;
        match d.config.kind {
            VdevKind::Pl011 => {
                let mut n = Node::new(format!("pl011@{base:x}"));
                n.set("compatible", strings(&["arm,pl011", "arm,primecell"]))
                    .set("clocks", cells(&[pclk, pclk]))
                    .set("clock-names", strings(&["uartclk", "apb_pclk"]));
                Some(n)
            }
            VdevKind::WdtSp805 => {
                // `wdog_clk` is the rate the model counts at: a fixed
                // clock of its own, `frequency` or QNX's default.
                let hz = match d.config.options {
                    DeviceOptions::Watchdog {
                        frequency: Some(hz),
                        ..
                    } => hz,
                    _ => WDT_SP805_DEFAULT_HZ,
                };
                let wdog = ph.next();
                let mut clk = Node::new(format!("wdt-clk{index}"));
                clk.set_str("compatible", "fixed-clock")
                    .set_u32("#clock-cells", 0)
                    .set_u32("clock-frequency", u32::try_from(hz).unwrap_or(u32::MAX))
                    .set_u32("phandle", wdog);
                root.add(clk);
                let mut n = Node::new(format!("watchdog@{base:x}"));
                n.set("compatible", strings(&["arm,sp805", "arm,primecell"]))
                    .set("clocks", cells(&[wdog, pclk]))
                    .set("clock-names", strings(&["wdog_clk", "apb_pclk"]));
                Some(n)
            }
            _ => None,
        }
    }

    /// The node of a device passed through: the host node's name and
    /// `compatible` at its guest address, its interrupts (edge or level as
    /// on the host); an ARM primecell
    /// (`arm,pl…`, `arm,sp…`) also gets `arm,primecell` and the
    /// `apb_pclk` clock Linux's AMBA bus needs to probe it.
    pub fn passed_device(&self, p: &PassedDevice) -> Node {
        let mut n = Node::new(format!("{}@{:x}", p.name, p.region.base));
        if is_primecell(&p.compatible) {
            let pclk = self.pclk.unwrap_or(0);
            n.set("compatible", strings(&[&p.compatible, "arm,primecell"]))
                .set("clocks", cells(&[pclk]))
                .set("clock-names", strings(&["apb_pclk"]));
        } else {
            n.set_str("compatible", &p.compatible);
        }
        n.set("reg", reg(&[p.region]));
        if !p.irqs.is_empty() {
            let spec: Vec<u32> = p
                .irqs
                .iter()
                .flat_map(|i| {
                    let [kind, number, _] = device_interrupt(i.intid);
                    let flags = if i.edge {
                        IRQ_EDGE_RISING
                    } else {
                        IRQ_LEVEL_HIGH
                    };
                    [kind, number, flags]
                })
                .collect();
            n.set("interrupts", cells(&spec));
        }
        n
    }

    /// `interrupts` of a device's line: its SPI, level high.
    pub fn interrupts(&self, intid: u32) -> Vec<u8> {
        cells(&device_interrupt(intid))
    }
}

/// Whether `compatible` names an ARM primecell (an AMBA device Linux finds
/// through `arm,primecell` and its `apb_pclk`): PL0xx, PL3xx, SP8xx.
fn is_primecell(compatible: &str) -> bool {
    compatible
        .strip_prefix("arm,pl")
        .or_else(|| compatible.strip_prefix("arm,sp"))
        .is_some_and(|model| model.starts_with(|c: char| c.is_ascii_digit()))
}
