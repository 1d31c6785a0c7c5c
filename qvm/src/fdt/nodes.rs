//! The generated guest device tree, node by node: the skeleton every guest
//! has (memory, devices, `/aliases`, `/chosen`) around what the guest's
//! architecture adds (`crate::arch`: on AArch64 PSCI, the CPUs, the GIC,
//! the timer, the clocks and the ARM devices' nodes).

use alloc::format;
use alloc::string::String;

use super::chosen::Chosen;
use super::common::{Phandles, reg};
use super::tree::{Node, cells64};
use crate::arch::aarch64 as guest;
use crate::arch::aarch64::gic::GicLayout;
use crate::config::{DeviceOptions, MemKind, PassKind, VdevKind};
use crate::layout::{Region, VdevLayout, VmLayout};

/// Builds the tree of `layout` and `chosen`; phandles start at
/// `first_phandle` (1 when there is no overlay).
pub fn generate(layout: &VmLayout<GicLayout>, chosen: &Chosen, first_phandle: u32) -> Node {
    let mut ph = Phandles::new(first_phandle);
    let arch = guest::DeviceTree::new(layout, chosen, &mut ph);
    let mut root = Node::new("");
    arch.root(&mut root);

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

    arch.machine(layout, &mut root);

    // The console: the first serial device of the preferred kind.
    let first = |k| layout.vdevs.iter().position(|d| d.config.kind == k);
    let console = guest::CONSOLE_KINDS.into_iter().find_map(first);
    let mut stdout: Option<String> = None;
    for (i, d) in layout.vdevs.iter().enumerate() {
        let node = device(&arch, d, i, &mut ph, &mut root);
        if console == Some(i) {
            stdout = Some(format!("/{}", node.name));
        }
        root.add(node);
    }
    for p in &chosen.passed {
        root.add(arch.passed_device(p));
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

/// The node of one device: the architecture's own device types (which may
/// add nodes to `root`, such as clocks), else the types every guest may
/// have; then its registers, interrupt and label.
fn device(
    arch: &guest::DeviceTree,
    d: &VdevLayout,
    index: usize,
    ph: &mut Phandles,
    root: &mut Node,
) -> Node {
    let window = Region {
        base: d.slot.base,
        size: d.reg_size,
    };
    let mut n = match arch.device(d, index, ph, root) {
        Some(n) => n,
        None => common_device(d),
    };
    n.set("reg", reg(&[window]));
    if let Some(intid) = d.intid {
        n.set("interrupts", arch.interrupts(intid));
    }
    if let Some(name) = &d.config.name {
        n.set_str("label", name);
    }
    n
}

/// A device type the device tree describes the same on every guest.
fn common_device(d: &VdevLayout) -> Node {
    let base = d.slot.base;
    match d.config.kind {
        VdevKind::Ser8250 => {
            let mut n = Node::new(format!("serial@{base:x}"));
            n.set_str("compatible", "ns16550a")
                .set_u32("clock-frequency", 1_843_200)
                .set_u32("reg-io-width", 1);
            n
        }
        VdevKind::Shmem => {
            let mut n = Node::new(format!("shmem@{base:x}"));
            n.set_str("compatible", "qhv,shmem");
            if let DeviceOptions::Shmem {
                create: Some((name, _)),
                ..
            } = &d.config.options
            {
                n.set_str("qhv,region", name);
            }
            // The shared region (address, size; two cells each), which
            // the register block also reports.
            if let Some(shared) = d.shared {
                n.set("qhv,shared-memory", reg(&[shared]));
            }
            n
        }
        _ => {
            let mut n = Node::new(format!("virtio_mmio@{base:x}"));
            n.set_str("compatible", "virtio,mmio")
                .set_null("dma-coherent");
            n
        }
    }
}
