//! Merging an `fdt load` tree into the generated one.
//!
//! Rules (also in `docs/qvmconf.md`):
//! - A plain tree is merged at the root: a node of the same name (with its
//!   unit address) is merged into the generated node, a new node is added
//!   after the generated ones; a property replaces the generated property of
//!   the same name, a new one is added.
//! - An overlay built with `dtc -@` (`/fragment@N/__overlay__`) is merged at
//!   each fragment's `target-path`, which must exist. A `target = <&label>`
//!   fragment and a non-empty `__fixups__` (references to labels of the
//!   generated tree) are refused: the generated tree has no labels.
//!   `__symbols__` and `__local_fixups__` are dropped.
//! - After the merge every `#address-cells` and `#size-cells` must be one
//!   32-bit cell of at most 4 (Devicetree Specification 2.3.5): a guest's
//!   reader trusts them to walk `reg` and `ranges`.
//! - The overlay's phandles are kept; the generated nodes' phandles are
//!   numbered above them, so references inside the overlay stay right. An
//!   overlay may not set the phandle of a generated node that has one.

use alloc::format;
use alloc::string::String;

use super::tree::Node;

/// Merges `overlay` (a whole tree, root included) into `base`.
pub fn apply(base: &mut Node, overlay: Node) -> Result<(), String> {
    let Node {
        props, children, ..
    } = overlay;
    let mut rest = Node::new("");
    rest.props = props;
    for child in children {
        match child.name.as_str() {
            "__symbols__" | "__local_fixups__" => {}
            "__fixups__" => {
                if !child.props.is_empty() {
                    return Err(String::from(
                        "the overlay refers to labels of the generated tree (__fixups__); \
                         use target-path and no &label references",
                    ));
                }
            }
            _ if child.child("__overlay__").is_some() => fragment(base, child)?,
            _ => rest.children.push(child),
        }
    }
    merge_node(base, rest, "")?;
    check_cells(base, "")
}

/// Largest `#address-cells` / `#size-cells` accepted.
const MAX_CELLS: u32 = 4;

/// Checks the cell counts of `node` and every node below it.
fn check_cells(node: &Node, path: &str) -> Result<(), String> {
    let here = if node.name.is_empty() {
        String::from("/")
    } else {
        format!("{path}/{}", node.name)
    };
    for name in ["#address-cells", "#size-cells"] {
        if let Some(value) = node.get(name) {
            let count = <[u8; 4]>::try_from(value).map(u32::from_be_bytes);
            match count {
                Ok(n) if n <= MAX_CELLS => {}
                _ => {
                    return Err(format!(
                        "{here}: '{name}' must be one 32-bit cell of at most {MAX_CELLS}"
                    ));
                }
            }
        }
    }
    let below = if node.name.is_empty() {
        ""
    } else {
        here.as_str()
    };
    node.children
        .iter()
        .try_for_each(|child| check_cells(child, below))
}

/// A `fragment@N` with `target-path` and `__overlay__`.
fn fragment(base: &mut Node, mut frag: Node) -> Result<(), String> {
    if frag.get("target").is_some() && frag.get("target-path").is_none() {
        return Err(format!(
            "{}: 'target' needs labels of the generated tree; use 'target-path'",
            frag.name
        ));
    }
    let path = frag
        .get("target-path")
        .and_then(|v| v.strip_suffix(&[0]))
        .and_then(|v| core::str::from_utf8(v).ok())
        .ok_or_else(|| format!("{}: no string 'target-path'", frag.name))?;
    let path = String::from(path);
    let target = base.find_mut(&path).ok_or_else(|| {
        format!(
            "{}: target-path '{path}' is not in the generated tree",
            frag.name
        )
    })?;
    let pos = frag
        .children
        .iter()
        .position(|c| c.name == "__overlay__")
        .unwrap_or_default();
    let body = frag.children.swap_remove(pos);
    merge_node(target, body, path.trim_end_matches('/'))
}

fn merge_node(dst: &mut Node, src: Node, path: &str) -> Result<(), String> {
    let shown = if path.is_empty() { "/" } else { path };
    for p in src.props {
        let is_phandle = p.name == "phandle" || p.name == "linux,phandle";
        let has_phandle = dst.get("phandle").is_some() || dst.get("linux,phandle").is_some();
        if is_phandle && has_phandle && dst.get(&p.name) != Some(p.value.as_slice()) {
            return Err(format!(
                "node {shown}: an overlay may not change the phandle of a generated node"
            ));
        }
        dst.set(&p.name, p.value);
    }
    for c in src.children {
        let child_path = format!("{path}/{}", c.name);
        match dst.child_mut(&c.name) {
            Some(d) => merge_node(d, c, &child_path)?,
            None => {
                dst.children.push(c);
            }
        }
    }
    Ok(())
}
