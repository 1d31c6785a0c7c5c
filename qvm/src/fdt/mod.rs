//! The device tree of AArch64 guests (x86 guests have none): memory, every
//! vdev, `/chosen`, and what the
//! guest's architecture adds (`crate::arch`; on AArch64 vCPUs with PSCI,
//! the GIC, the generic timer); then the `fdt load` trees merged in (rules
//! in `docs/qvmconf.md`).
//!
//! The tree is built in memory ([`Node`]) and written with `vm-fdt`.
//! `kaslr-seed` is left out: the guest gets `nokaslr` behaviour unless its
//! command line or an overlay says otherwise.

mod chosen;
pub(crate) mod common;
mod merge;
mod nodes;
mod reader;
pub(crate) mod tree;

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::arch::aarch64::gic::GicLayout;
use crate::config::Origin;
use crate::layout::VmLayout;
pub use chosen::{Chosen, PassedDevice, PassedIrq};
pub use nodes::generate;
pub use reader::parse;
pub use tree::{Node, Prop, cells, cells64, strings};

/// A device tree to merge into the generated one (`fdt load FILE`).
#[derive(Clone, Copy, Debug)]
pub struct Overlay<'a> {
    /// The file, for messages.
    pub name: &'a str,
    /// The `fdt load` option, for messages.
    pub origin: Option<&'a Origin>,
    /// The DTB.
    pub dtb: &'a [u8],
}

/// Why the device tree could not be built.
#[derive(Debug, PartialEq, Eq)]
pub enum FdtError {
    /// `vm-fdt` refused the tree (a bad node or property name from an
    /// overlay, a size over 4 GiB).
    Writer(vm_fdt::Error),
    /// An `fdt load` file is not a usable device tree, or cannot be merged.
    Overlay {
        /// The file.
        name: String,
        /// The `fdt load` option.
        origin: Option<Origin>,
        /// What is wrong.
        message: String,
    },
    /// Two nodes of the merged tree have the same phandle.
    DuplicatePhandle(u32),
}

impl fmt::Display for FdtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FdtError::Writer(e) => write!(f, "device tree: {e}"),
            FdtError::Overlay {
                name,
                origin,
                message,
            } => {
                if let Some(o) = origin {
                    write!(f, "{o}: ")?;
                }
                write!(f, "fdt load {name}: {message}")
            }
            FdtError::DuplicatePhandle(p) => {
                write!(f, "device tree: two nodes have the phandle {p:#x}")
            }
        }
    }
}

impl core::error::Error for FdtError {}

impl From<vm_fdt::Error> for FdtError {
    fn from(e: vm_fdt::Error) -> Self {
        FdtError::Writer(e)
    }
}

/// The guest's DTB for `layout`.
pub fn build(layout: &VmLayout<GicLayout>, chosen: &Chosen) -> Result<Vec<u8>, FdtError> {
    build_with_overlays(layout, chosen, &[])
}

/// Highest phandle an overlay may use: the generated nodes take the
/// numbers above the overlays' highest (0 and 0xffffffff are invalid,
/// Devicetree Specification 2.3.3).
pub const MAX_OVERLAY_PHANDLE: u32 = 0xfff0_0000;

/// The guest's DTB for `layout`, with `overlays` merged in, in order.
pub fn build_with_overlays(
    layout: &VmLayout<GicLayout>,
    chosen: &Chosen,
    overlays: &[Overlay],
) -> Result<Vec<u8>, FdtError> {
    let mut trees = Vec::new();
    let mut used = Vec::new();
    for o in overlays {
        let err = |message: &str| FdtError::Overlay {
            name: String::from(o.name),
            origin: o.origin.cloned(),
            message: String::from(message),
        };
        let tree = reader::parse(o.dtb).map_err(err)?;
        let before = used.len();
        tree.phandles(&mut used);
        if let Some(bad) = used[before..]
            .iter()
            .find(|&&p| !(1..=MAX_OVERLAY_PHANDLE).contains(&p))
        {
            return Err(err(&format!(
                "phandle {bad:#x}: an overlay's phandles must be 1 to {MAX_OVERLAY_PHANDLE:#x} \
                 (the generated nodes are numbered above them)"
            )));
        }
        trees.push((tree, err));
    }
    let first = used.iter().max().map_or(1, |m| m.saturating_add(1));
    let mut root = generate(layout, chosen, first);
    for (tree, err) in trees {
        merge::apply(&mut root, tree).map_err(|m| err(&m))?;
    }
    let mut all = Vec::new();
    root.phandles(&mut all);
    all.sort_unstable();
    if let Some(w) = all.windows(2).find(|w| w[0] == w[1]) {
        return Err(FdtError::DuplicatePhandle(w[0]));
    }
    Ok(root.to_dtb()?)
}
