//! Device addresses as the CPU sees them: a node's `reg` is an address on
//! its parent's bus, which each ancestor's `ranges` maps to the bus above
//! (Devicetree Specification v0.4, 2.3.8). On QEMU `virt` and under qvm
//! every device sits on the root bus, so `reg` is already physical; on the
//! Raspberry Pi 4 the devices under `/soc` are at VideoCore bus addresses
//! (the PL011 at 0x7e201000, the GIC-400 at 0x40041000) that `/soc`'s
//! `ranges` maps to 0xfe201000 and 0xff841000.
//!
//! The `fdt` crate gives a node no way back to its parent, so the tree is
//! walked from the root ([`walk`], [`find_path`]) with the chain of buses
//! above the node kept on the stack ([`Bus`]). A bus node without `ranges`
//! has no mapping to its parent (the specification's rule: I2C or SPI
//! buses, `/cpus`), an empty `ranges` is the identity, and a `ranges`
//! whose numbers take more than two cells (PCI) cannot be read: the
//! addresses below such a node have no CPU address.

use super::Region;
use core::ops::ControlFlow;
use fdt::Fdt;
use fdt::node::FdtNode;

/// How deep [`walk`] goes below the root (deeper subtrees are skipped).
const MAX_DEPTH: usize = 16;

/// How a bus's addresses reach its parent's bus.
#[derive(Clone, Copy, Debug)]
enum Map<'a> {
    /// The same addresses (an empty `ranges`, or the root).
    Identity,
    /// The windows of a `ranges` property: (child address, parent
    /// address, size) entries of the cells below.
    Windows(&'a [u8]),
    /// No mapping: no `ranges`, or one that cannot be read.
    None,
}

/// The bus a node's `reg` is on, and the buses above it up to the CPU's.
#[derive(Clone, Copy, Debug)]
pub struct Bus<'p, 'a> {
    map: Map<'a>,
    /// `#address-cells` of addresses on this bus.
    cells: usize,
    /// `#address-cells` of the bus above.
    parent_cells: usize,
    /// `#size-cells` of this bus (the sizes in `ranges`).
    size_cells: usize,
    up: Option<&'p Bus<'p, 'a>>,
}

/// `cells` big-endian 32-bit cells at the start of `bytes` as one number
/// (one or two cells).
fn number(bytes: &[u8], cells: usize) -> Option<u64> {
    let bytes = bytes
        .get(..cells * 4)
        .filter(|_| (1..=2).contains(&cells))?;
    Some(bytes.chunks_exact(4).fold(0u64, |n, c| {
        (n << 32) | u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
    }))
}

impl<'p, 'a> Bus<'p, 'a> {
    /// The root's children's bus: the CPU's own.
    fn root(root: &FdtNode<'_, 'a>) -> Bus<'p, 'a> {
        Bus {
            map: Map::Identity,
            cells: root.cell_sizes().address_cells,
            parent_cells: 0,
            size_cells: 0,
            up: None,
        }
    }

    /// The bus of `node`'s children, `node` being on `self`.
    fn below(&'p self, node: &FdtNode<'_, 'a>) -> Bus<'p, 'a> {
        let sizes = node.cell_sizes();
        let map = match node.property("ranges") {
            None => Map::None,
            Some(r) if r.value.is_empty() => Map::Identity,
            Some(r) => Map::Windows(r.value),
        };
        Bus {
            map,
            cells: sizes.address_cells,
            parent_cells: self.cells,
            size_cells: sizes.size_cells,
            up: Some(self),
        }
    }

    /// `addr` on this bus as an address on the bus above, if mapped.
    fn step(&self, addr: u64) -> Option<u64> {
        match self.map {
            Map::Identity => Some(addr),
            Map::None => None,
            Map::Windows(ranges) => {
                let (child, parent, size) = (self.cells, self.parent_cells, self.size_cells);
                let entry = (child + parent + size) * 4;
                if entry == 0 || ranges.len() % entry != 0 {
                    return None;
                }
                ranges.chunks_exact(entry).find_map(|e| {
                    let from = number(e, child)?;
                    let to = number(&e[child * 4..], parent)?;
                    let len = number(&e[(child + parent) * 4..], size)?;
                    let offset = addr.checked_sub(from).filter(|&o| o < len)?;
                    to.checked_add(offset)
                })
            }
        }
    }

    /// The CPU physical address of `addr` on this bus, if every bus up to
    /// the CPU's maps it.
    pub fn to_cpu(&self, addr: u64) -> Option<u64> {
        let mut addr = addr;
        let mut bus = Some(self);
        while let Some(b) = bus {
            addr = b.step(addr)?;
            bus = b.up;
        }
        Some(addr)
    }

    /// The register ranges of `node` (on this bus) in order, each as CPU
    /// addresses if it has them.
    pub fn regs<'n>(&'n self, node: &FdtNode<'_, 'a>) -> impl Iterator<Item = Option<Region>> + 'n
    where
        'a: 'n,
    {
        node.reg().into_iter().flatten().map(|r| {
            let start = usize::try_from(self.to_cpu(r.starting_address as u64)?).ok()?;
            Some(Region {
                start,
                end: start.saturating_add(r.size.unwrap_or(0)),
            })
        })
    }

    /// The first `N` register ranges of `node` as [`Bus::regs`] gives them
    /// (`None` past the last).
    pub fn first_regs<const N: usize>(&self, node: &FdtNode<'_, 'a>) -> [Option<Region>; N] {
        let mut regs = [None; N];
        for (slot, r) in regs.iter_mut().zip(self.regs(node)) {
            *slot = r;
        }
        regs
    }
}

/// Calls `visit` on every node below the root, in tree order, with the
/// bus its `reg` is on, until it breaks.
pub fn walk<'b, 'a>(
    fdt: &'b Fdt<'a>,
    visit: &mut dyn FnMut(&FdtNode<'b, 'a>, &Bus<'_, 'a>) -> ControlFlow<()>,
) {
    if let Some(root) = fdt.find_node("/") {
        let _ = descend(&root, &Bus::root(&root), 0, visit);
    }
}

fn descend<'b, 'a>(
    node: &FdtNode<'b, 'a>,
    bus: &Bus<'_, 'a>,
    depth: usize,
    visit: &mut dyn FnMut(&FdtNode<'b, 'a>, &Bus<'_, 'a>) -> ControlFlow<()>,
) -> ControlFlow<()> {
    for child in node.children() {
        visit(&child, bus)?;
        if depth < MAX_DEPTH && child.children().next().is_some() {
            descend(&child, &bus.below(&child), depth + 1, visit)?;
        }
    }
    ControlFlow::Continue(())
}

/// The first node in tree order for which `wanted` holds, with its first
/// `N` register ranges ([`Bus::first_regs`]).
pub fn find<'b, 'a, const N: usize>(
    fdt: &'b Fdt<'a>,
    wanted: &dyn Fn(&FdtNode<'b, 'a>) -> bool,
) -> Option<(FdtNode<'b, 'a>, [Option<Region>; N])> {
    let mut found = None;
    walk(fdt, &mut |node, bus| {
        if !wanted(node) {
            return ControlFlow::Continue(());
        }
        found = Some((*node, bus.first_regs(node)));
        ControlFlow::Break(())
    });
    found
}

/// The node at the absolute `path` (`/soc/serial@7e215040`; a component
/// without a unit address matches a node of that name with any), with
/// the CPU addresses of its first `N` register ranges as [`find`] gives
/// them.
pub fn find_path<'b, 'a, const N: usize>(
    fdt: &'b Fdt<'a>,
    path: &str,
) -> Option<(FdtNode<'b, 'a>, [Option<Region>; N])> {
    let root = fdt.find_node("/")?;
    let rest = path.strip_prefix('/')?;
    let bus = Bus::root(&root);
    path_below(&root, &bus, rest)
}

fn path_below<'b, 'a, const N: usize>(
    node: &FdtNode<'b, 'a>,
    bus: &Bus<'_, 'a>,
    path: &str,
) -> Option<(FdtNode<'b, 'a>, [Option<Region>; N])> {
    let (part, rest) = path.split_once('/').unwrap_or((path, ""));
    let matches =
        |name: &str| name == part || (!part.contains('@') && name.split('@').next() == Some(part));
    let child = node.children().find(|c| matches(c.name))?;
    if rest.is_empty() {
        return Some((child, bus.first_regs(&child)));
    }
    path_below(&child, &bus.below(&child), rest)
}
