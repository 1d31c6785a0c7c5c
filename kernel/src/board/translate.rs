//! Bus addresses to CPU physical addresses through the `ranges` of a
//! node's ancestors (Devicetree Specification v0.4, 2.3.8). On QEMU `virt`
//! every device sits on the root bus and `reg` is already physical; on the
//! Raspberry Pi 4 the devices under `/soc` are at VideoCore bus addresses
//! (the PL011 at 0x7e201000, the GIC-400 at 0x40041000) that `/soc`'s
//! `ranges` maps to 0xfe201000 and 0xff841000.

use fdt::Fdt;
use fdt::node::FdtNode;
use heapless::Vec;

/// Most ancestors with `ranges` kept, and windows per `ranges`.
const MAX_LEVELS: usize = 8;
const MAX_WINDOWS: usize = 8;

/// One `ranges` entry: a window of the child bus at `child` is the
/// parent bus's at `parent`, `size` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Window {
    child: u64,
    parent: u64,
    size: u64,
}

/// How one ancestor passes its children's addresses to its parent.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Level {
    /// An empty `ranges`, or none (taken as the same addresses, as on
    /// trees that leave it out of simple buses).
    Identity,
    /// Only these windows (an address outside them has no CPU address).
    Windows(Vec<Window, MAX_WINDOWS>),
}

/// The translations from a node's bus up to the CPU's, innermost first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BusPath {
    levels: Vec<Level, MAX_LEVELS>,
}

impl BusPath {
    /// The CPU physical address of `addr` on the node's bus, if every
    /// ancestor maps it.
    pub fn to_cpu(&self, addr: u64) -> Option<u64> {
        self.levels.iter().try_fold(addr, |a, level| match level {
            Level::Identity => Some(a),
            Level::Windows(windows) => windows
                .iter()
                .find(|w| a >= w.child && a - w.child < w.size)
                .map(|w| w.parent + (a - w.child)),
        })
    }
}

/// Reads `cells` big-endian 32-bit cells from `bytes` as one number.
fn number(bytes: &[u8], cells: usize) -> Option<u64> {
    if cells == 0 || cells > 2 || bytes.len() < cells * 4 {
        return None;
    }
    Some(bytes[..cells * 4].chunks_exact(4).fold(0u64, |n, c| {
        (n << 32) | u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
    }))
}

/// The level `node`'s `ranges` makes, its parent's address cells being
/// `parent_cells`.
fn level(node: &FdtNode, parent_cells: usize) -> Option<Level> {
    let Some(ranges) = node.property("ranges") else {
        return Some(Level::Identity);
    };
    if ranges.value.is_empty() {
        return Some(Level::Identity);
    }
    let sizes = node.cell_sizes();
    let (child, size) = (sizes.address_cells, sizes.size_cells);
    let entry = (child + parent_cells + size) * 4;
    if entry == 0 || ranges.value.len() % entry != 0 {
        return None;
    }
    let mut windows = Vec::new();
    for e in ranges.value.chunks_exact(entry) {
        let w = Window {
            child: number(e, child)?,
            parent: number(&e[child * 4..], parent_cells)?,
            size: number(&e[(child + parent_cells) * 4..], size)?,
        };
        windows.push(w).ok()?;
    }
    Some(Level::Windows(windows))
}

/// The first node, in tree order, for which `wanted` holds, and the path
/// from its bus to the CPU's.
pub fn find<'b, 'a>(
    fdt: &'b Fdt<'a>,
    wanted: &impl Fn(&FdtNode<'b, 'a>) -> bool,
) -> Option<(FdtNode<'b, 'a>, BusPath)> {
    let root = fdt.find_node("/")?;
    search(root, &BusPath::default(), wanted)
}

/// [`find`] below `node`, whose children's bus is reached by `path`.
fn search<'b, 'a>(
    node: FdtNode<'b, 'a>,
    path: &BusPath,
    wanted: &impl Fn(&FdtNode<'b, 'a>) -> bool,
) -> Option<(FdtNode<'b, 'a>, BusPath)> {
    for child in node.children() {
        if wanted(&child) {
            return Some((child, path.clone()));
        }
        if child.children().next().is_none() {
            continue;
        }
        // Innermost first: the child's own `ranges`, then what `path` has.
        // A subtree whose `ranges` cannot be read (or too deep) is skipped.
        let parent_cells = node.cell_sizes().address_cells;
        let Some(own) = level(&child, parent_cells) else {
            continue;
        };
        let mut inner = BusPath::default();
        let pushed = core::iter::once(own)
            .chain(path.levels.iter().cloned())
            .all(|l| inner.levels.push(l).is_ok());
        if !pushed {
            continue;
        }
        if let Some(found) = search(child, &inner, wanted) {
            return Some(found);
        }
    }
    None
}

/// The first node compatible with one of `compatibles`, with its path.
pub fn find_compatible<'b, 'a>(
    fdt: &'b Fdt<'a>,
    compatibles: &[&str],
) -> Option<(FdtNode<'b, 'a>, BusPath)> {
    find(fdt, &|n: &FdtNode| {
        n.compatible()
            .is_some_and(|c| c.all().any(|s| compatibles.contains(&s)))
    })
}

#[cfg(test)]
mod tests;
