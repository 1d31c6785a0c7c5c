//! The generated guest device tree, node by node.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::Chosen;
use super::tree::{Node, cells, cells64, strings};
use crate::config::{DeviceOptions, GicVersion, MemKind, PassKind, VdevKind};
use crate::layout::defaults::TIMER_PPIS;
use crate::layout::{Region, VdevLayout, VmLayout};

/// Frequency of the fixed `apb-pclk` clock of PL011 and SP805.
pub const APB_PCLK_HZ: u32 = 24_000_000;
/// `interrupts` first cell: SPI or PPI.
const GIC_SPI: u32 = 0;
const GIC_PPI: u32 = 1;
/// `interrupts` trigger: level, active high.
const IRQ_LEVEL_HIGH: u32 = 4;

/// Phandles handed out to the generated nodes, from a start above every
/// phandle of the overlays.
struct Phandles(u32);

impl Phandles {
    fn next(&mut self) -> u32 {
        self.0 += 1;
        self.0 - 1
    }
}

fn reg(regions: &[Region]) -> Vec<u8> {
    let v: Vec<u64> = regions.iter().flat_map(|r| [r.base, r.size]).collect();
    cells64(&v)
}

fn spi(intid: u32) -> Vec<u8> {
    cells(&[GIC_SPI, intid.saturating_sub(32), IRQ_LEVEL_HIGH])
}

/// Builds the tree of `layout` and `chosen`; phandles start at
/// `first_phandle` (1 when there is no overlay).
pub fn generate(layout: &VmLayout, chosen: &Chosen, first_phandle: u32) -> Node {
    let mut ph = Phandles(first_phandle.max(1));
    let gic_ph = ph.next();
    let mut root = Node::new("");
    root.set("compatible", strings(&["qhv,qvm-virt", "linux,dummy-virt"]))
        .set_u32("#address-cells", 2)
        .set_u32("#size-cells", 2)
        .set_u32("interrupt-parent", gic_ph);

    let mut psci = Node::new("psci");
    psci.set("compatible", strings(&["arm,psci-1.0", "arm,psci-0.2"]))
        .set_str("method", "hvc");
    root.add(psci);

    for m in layout.memory.iter().filter(|m| m.kind == MemKind::Ram) {
        root.add(memory(m.region));
    }
    for p in &layout.passes {
        if let PassKind::Mem {
            gpa, len, attrs, ..
        } = p.kind
            && attrs.ram
        {
            root.add(memory(Region {
                base: gpa,
                size: len,
            }));
        }
    }

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
    // `#address-cells` 0: no child nodes, and an `interrupt-map` user needs it.
    intc.set_u32("#address-cells", 0)
        .set_u32("#interrupt-cells", 3)
        .set_null("interrupt-controller")
        .set_u32("phandle", gic_ph);
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
    root.add(timer);

    let needs_clock = layout
        .vdevs
        .iter()
        .any(|d| matches!(d.config.kind, VdevKind::Pl011 | VdevKind::WdtSp805));
    let pclk = needs_clock.then(|| {
        let p = ph.next();
        let mut clk = Node::new("apb-pclk");
        clk.set_str("compatible", "fixed-clock")
            .set_u32("#clock-cells", 0)
            .set_u32("clock-frequency", APB_PCLK_HZ)
            .set_str("clock-output-names", "clk24mhz")
            .set_u32("phandle", p);
        root.add(clk);
        p
    });

    // The console: the first PL011, else the first 8250.
    let first = |k| layout.vdevs.iter().position(|d| d.config.kind == k);
    let console = first(VdevKind::Pl011).or_else(|| first(VdevKind::Ser8250));
    let mut stdout: Option<String> = None;
    for (i, d) in layout.vdevs.iter().enumerate() {
        let node = device(d, i, pclk.unwrap_or(0), &mut ph, &mut root);
        if console == Some(i) {
            stdout = Some(format!("/{}", node.name));
        }
        root.add(node);
    }

    let mut ch = Node::new("chosen");
    if let Some(args) = &chosen.bootargs {
        ch.set_str("bootargs", args);
    }
    if let Some(path) = &stdout {
        ch.set_str("stdout-path", path);
        let mut aliases = Node::new("aliases");
        aliases.set_str("serial0", path);
        root.add(aliases);
    }
    if let Some(initrd) = &chosen.initrd {
        ch.set("linux,initrd-start", cells64(&[initrd.start]))
            .set("linux,initrd-end", cells64(&[initrd.end]));
    }
    root.add(ch);
    root
}

fn memory(region: Region) -> Node {
    let mut m = Node::new(format!("memory@{:x}", region.base));
    m.set_str("device_type", "memory")
        .set("reg", reg(&[region]));
    m
}

/// The node of one device; a watchdog with its own `frequency` also adds its
/// clock to `root`.
fn device(d: &VdevLayout, index: usize, pclk: u32, ph: &mut Phandles, root: &mut Node) -> Node {
    let kind = d.config.kind;
    let window = Region {
        base: d.slot.base,
        size: d.reg_size,
    };
    let prefix = match kind {
        VdevKind::Pl011 => "pl011",
        VdevKind::Ser8250 => "serial",
        VdevKind::WdtSp805 => "watchdog",
        VdevKind::Shmem => "shmem",
        _ => "virtio_mmio",
    };
    let mut n = Node::new(format!("{prefix}@{:x}", window.base));
    match kind {
        VdevKind::Pl011 => {
            n.set("compatible", strings(&["arm,pl011", "arm,primecell"]))
                .set("clocks", cells(&[pclk, pclk]))
                .set("clock-names", strings(&["uartclk", "apb_pclk"]));
        }
        VdevKind::Ser8250 => {
            n.set_str("compatible", "ns16550a")
                .set_u32("clock-frequency", 1_843_200)
                .set_u32("reg-io-width", 1);
        }
        VdevKind::WdtSp805 => {
            let wdog = match d.config.options {
                DeviceOptions::Watchdog {
                    frequency: Some(hz),
                    ..
                } => {
                    let p = ph.next();
                    let mut clk = Node::new(format!("wdt-clk{index}"));
                    clk.set_str("compatible", "fixed-clock")
                        .set_u32("#clock-cells", 0)
                        .set_u32("clock-frequency", hz as u32)
                        .set_u32("phandle", p);
                    root.add(clk);
                    p
                }
                _ => pclk,
            };
            n.set("compatible", strings(&["arm,sp805", "arm,primecell"]))
                .set("clocks", cells(&[wdog, pclk]))
                .set("clock-names", strings(&["wdog_clk", "apb_pclk"]));
        }
        VdevKind::Shmem => {
            n.set_str("compatible", "qhv,shmem");
            if let DeviceOptions::Shmem {
                create: Some((name, _)),
                ..
            } = &d.config.options
            {
                n.set_str("qhv,region", name);
            }
        }
        _ => {
            n.set_str("compatible", "virtio,mmio")
                .set_null("dma-coherent");
        }
    }
    n.set("reg", reg(&[window])).set("interrupts", spi(d.intid));
    if let Some(name) = &d.config.name {
        n.set_str("label", name);
    }
    n
}
