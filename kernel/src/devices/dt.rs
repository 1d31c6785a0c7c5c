//! The board's device regions from the firmware's device tree: every
//! `reg` entry of every enabled node the kernel can address (the root's
//! children, and the children of nodes whose `ranges` is empty, so that
//! their addresses are physical ones), with the node's interrupts. Those
//! the kernel uses are marked: its console UART, the interrupt controller
//! and everything under it, anything over RAM or reserved memory, and
//! any region sharing a page with one of those.

use super::device::Device;
use crate::board::{Board, IrqControllerInfo};
use abi::{DEVICE_IRQS, MAX_DEVICES, PAGE_SIZE};
use alloc::vec::Vec;
use fdt::node::FdtNode;

/// Deepest node looked at (the root's children are depth 1).
const MAX_DEPTH: usize = 4;

/// `compatible` strings of the GIC (the kernel's interrupt controller).
const GIC_COMPATIBLE: [&str; 5] = [
    "arm,gic-v3",
    "arm,cortex-a15-gic",
    "arm,gic-400",
    "arm,cortex-a9-gic",
    "arm,cortex-a7-gic",
];

/// Nodes that are not devices.
const NOT_DEVICES: [&str; 5] = ["memory", "reserved-memory", "chosen", "cpus", "aliases"];

/// What the kernel uses, read from its [`Board`].
pub struct KernelUse {
    /// Physical ranges `[start, end)` the kernel uses: the UART's and GIC's
    /// first pages, RAM and reserved memory.
    ranges: Vec<(usize, usize)>,
}

impl KernelUse {
    /// What `board` says the kernel uses.
    pub fn of(board: &Board) -> KernelUse {
        let page = |a: usize| (a, a + PAGE_SIZE);
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        ranges.extend(board.uart.map(|u| page(u.base)));
        match board.gic {
            IrqControllerInfo::V2 {
                gicd,
                gicc,
                gich,
                gicv,
            } => {
                ranges.extend([page(gicd), page(gicc)]);
                ranges.extend(gich.map(page).into_iter().chain(gicv.map(page)));
            }
            IrqControllerInfo::V3 { gicd, gicr } => ranges.extend([page(gicd), page(gicr)]),
            IrqControllerInfo::Apic { lapic, ioapic } => {
                ranges.push(page(lapic));
                ranges.extend(ioapic.map(|io| page(io.base)));
            }
            IrqControllerInfo::Missing => {}
        }
        let memory = board.ram.iter().chain(&board.reserved).chain(&board.initrd);
        ranges.extend(memory.map(|r| (r.start, r.end)));
        KernelUse { ranges }
    }

    fn covers(&self, d: &Device) -> bool {
        let (start, end) = d.pages();
        self.ranges.iter().any(|&(s, e)| s < end && start < e)
    }
}

/// The device regions of the tree `dtb` (none if it does not parse), and
/// the INTIDs of the kernel's devices.
pub fn scan(dtb: &[u8], kernel: &KernelUse) -> (Vec<Device>, heapless::Vec<u32, 8>) {
    let mut list = Vec::new();
    if let Ok(fdt) = fdt::Fdt::new(dtb)
        && let Some(root) = fdt.find_node("/")
    {
        walk(root, "", 1, false, &mut list);
    }
    for d in list.iter_mut() {
        d.kernel |= kernel.covers(d);
    }
    // A region sharing a page with one of the kernel's is the kernel's.
    let owned: Vec<Device> = list.iter().filter(|d| d.kernel).cloned().collect();
    for d in list.iter_mut() {
        d.kernel |= owned.iter().any(|k| k.shares_page(d));
    }
    let mut irqs = heapless::Vec::new();
    for d in list.iter().filter(|d| d.kernel) {
        for &i in &d.irqs {
            if i >= super::irqs::FIRST_SPI && !irqs.contains(&i) {
                let _ = irqs.push(i);
            }
        }
    }
    (list, irqs)
}

/// Adds the regions of `node`'s children (path `path`) to `list`.
fn walk(node: FdtNode, path: &str, depth: usize, kernel: bool, list: &mut Vec<Device>) {
    for child in node.children() {
        let name = child.name;
        let base_name = name.split('@').next().unwrap_or(name);
        let disabled = child
            .property("status")
            .and_then(|p| p.as_str())
            .is_some_and(|s| s != "okay" && s != "ok");
        if disabled || (depth == 1 && NOT_DEVICES.contains(&base_name)) {
            continue;
        }
        let mut full: heapless::String<{ abi::DEVICE_PATH_MAX }> = heapless::String::new();
        for part in [path, "/", name] {
            // A longer path is cut: the node can still be named otherwise.
            let _ = full.push_str(part);
        }
        let is_gic = child
            .compatible()
            .is_some_and(|c| c.all().any(|s| GIC_COMPATIBLE.contains(&s)));
        let kernel = kernel || is_gic;
        add_regions(child, &full, kernel, list);
        let identity = child.property("ranges").is_some_and(|p| p.value.is_empty());
        if identity && depth < MAX_DEPTH {
            walk(child, &full, depth + 1, kernel, list);
        }
    }
}

/// Adds a region per `reg` entry of `node`.
/// The GIC binding's third `interrupts` cell: IRQ_TYPE_EDGE_RISING (1)
/// and IRQ_TYPE_EDGE_FALLING (2); 4 and 8 are the levels.
const IRQ_TYPE_EDGE_BOTH: u32 = 0b11;

fn add_regions(node: FdtNode, path: &heapless::String<64>, kernel: bool, list: &mut Vec<Device>) {
    let Some(regs) = node.reg() else {
        return;
    };
    let mut compatible = heapless::Vec::new();
    if let Some(p) = node.property("compatible") {
        let n = p.value.len().min(compatible.capacity());
        let _ = compatible.extend_from_slice(&p.value[..n]);
    }
    let mut irqs = heapless::Vec::<u32, DEVICE_IRQS>::new();
    let mut edge = 0u8;
    if let Some(p) = node.property("interrupts")
        && p.value.len().is_multiple_of(12)
    {
        for cell in p.value.chunks_exact(12) {
            let word =
                |i: usize| u32::from_be_bytes([cell[i], cell[i + 1], cell[i + 2], cell[i + 3]]);
            let intid = if word(0) == 1 {
                word(4) + 16
            } else {
                word(4) + 32
            };
            if irqs.push(intid).is_ok() && word(8) & IRQ_TYPE_EDGE_BOTH != 0 {
                edge |= 1 << (irqs.len() - 1);
            }
        }
    }
    for r in regs {
        let Some(size) = r.size.filter(|&s| s > 0) else {
            continue;
        };
        let base = r.starting_address as usize;
        if list.len() >= MAX_DEVICES || base.checked_add(size).is_none() {
            return;
        }
        if list.try_reserve(1).is_err() {
            return;
        }
        list.push(Device {
            path: path.clone(),
            compatible: compatible.clone(),
            base,
            size,
            irqs: irqs.clone(),
            edge,
            kernel,
            ram: false,
            dma: node.property("dma-coherent").is_some(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::board;

    fn scan_file(name: &str) -> (Vec<Device>, heapless::Vec<u32, 8>) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/dtb")
            .join(name);
        let dtb = std::fs::read(path).unwrap();
        let board = board::parse(&dtb).unwrap();
        scan(&dtb, &KernelUse::of(&board))
    }

    fn slot_index(list: &[Device]) -> usize {
        list.iter()
            .position(|d| d.path.as_str() == "/virtio_mmio@a000000")
            .unwrap()
    }

    fn find<'a>(list: &'a [Device], path: &str) -> Vec<&'a Device> {
        list.iter().filter(|d| d.path.as_str() == path).collect()
    }

    #[test]
    fn qemu_virt_devices() {
        for name in ["virt-gicv3-smp4.dtb", "virt-gicv2-smp1.dtb"] {
            let (list, irqs) = scan_file(name);
            let rtc = find(&list, "/pl031@9010000");
            assert_eq!(rtc.len(), 1, "{name}");
            assert_eq!(
                (rtc[0].base, rtc[0].size, rtc[0].kernel),
                (0x901_0000, 0x1000, false)
            );
            assert_eq!(rtc[0].irqs.as_slice(), &[34]);
            assert!(rtc[0].compatibles().any(|c| c == "arm,pl031"));
            let uart = find(&list, "/pl011@9000000");
            assert!(
                uart.len() == 1 && uart[0].kernel,
                "{name}: the console is the kernel's"
            );
            assert_eq!(irqs.as_slice(), &[33], "{name}: the UART's interrupt");
            let gic: Vec<_> = list
                .iter()
                .filter(|d| d.path.starts_with("/intc@8000000"))
                .collect();
            assert!(
                gic.len() >= 2 && gic.iter().all(|d| d.kernel),
                "{name}: the GIC and under it"
            );
            assert!(list.iter().all(|d| !d.path.starts_with("/memory")));
            let slots = list
                .iter()
                .filter(|d| d.compatibles().any(|c| c == "virtio,mmio"));
            assert_eq!(slots.filter(|d| !d.kernel).count(), 32, "{name}");
            // The clock signals by level, the virtio-mmio slots by edge.
            assert_eq!(rtc[0].edge, 0, "{name}");
            let slot = find(&list, "/virtio_mmio@a000000");
            assert_eq!((slot[0].irqs.as_slice(), slot[0].edge), (&[48][..], 1));
            // QEMU marks the virtio-mmio slots DMA masters, not the clock.
            assert!(slot[0].dma && !rtc[0].dma, "{name}");
            let mut table = crate::devices::Devices::new(list.clone(), irqs.clone());
            assert!(table.irq_is_edge(48) && !table.irq_is_edge(34) && !table.irq_is_edge(999));
            let row = table.info(slot_index(&list), &abi::Grants::NONE).unwrap();
            assert_eq!(row.flags >> abi::DEVICE_IRQ_EDGE_SHIFT, 1);
            assert_eq!(row.flags & abi::DEVICE_DMA, abi::DEVICE_DMA);
            // RAM set aside for pass-through: a region after the tree's.
            let n = list.len();
            assert!(table.add_reserved_ram(0x7000_0000, 128 << 20));
            let mut g = abi::Grants::NONE;
            g.add_device(n);
            let row = table.info(n, &g).unwrap();
            assert_eq!(row.path(), "/reserved-ram@70000000");
            assert_eq!(row.compatible(), "qhv,reserved-ram");
            assert_eq!((row.base, row.size), (0x7000_0000, 128 << 20));
            assert_eq!(row.flags, abi::DEVICE_RAM | abi::DEVICE_GRANTED);
            assert!(table.all_grants().device(n), "init may hand it out");
        }
    }
}
