//! Reads a DTB into a [`Node`] tree, checking every offset and length: the
//! input is a user's `fdt load` file, so a bad one must give an error, never
//! a panic (the `fdt` crate may panic on malformed input, which is why it is
//! only used here to read back trees in tests).

use alloc::string::String;
use alloc::vec::Vec;

use super::tree::{Node, Prop};

const FDT_MAGIC: u32 = 0xd00d_feed;
const FDT_BEGIN_NODE: u32 = 1;
const FDT_END_NODE: u32 = 2;
const FDT_PROP: u32 = 3;
const FDT_NOP: u32 = 4;
const FDT_END: u32 = 9;
/// Deepest nesting accepted (as Linux and `vm-fdt`).
const MAX_DEPTH: usize = 64;

fn be32(data: &[u8], off: usize) -> Result<u32, &'static str> {
    let b = data
        .get(off..off.checked_add(4).ok_or("offset overflows")?)
        .ok_or("truncated")?;
    Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// A NUL-terminated UTF-8 string at `off` in `data`, and its length.
fn cstr(data: &[u8], off: usize) -> Result<(&str, usize), &'static str> {
    let rest = data.get(off..).ok_or("string outside its block")?;
    let len = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or("string without a NUL")?;
    let s = core::str::from_utf8(&rest[..len]).map_err(|_| "name not UTF-8")?;
    Ok((s, len))
}

/// Parses a flattened device tree (version 16 or 17). The memory
/// reservation block is not read.
pub fn parse(dtb: &[u8]) -> Result<Node, &'static str> {
    if be32(dtb, 0).map_err(|_| "too short for a device tree header")? != FDT_MAGIC {
        return Err("not a device tree blob (bad magic)");
    }
    let total = be32(dtb, 4)? as usize;
    let data = dtb
        .get(..total)
        .ok_or("shorter than its header's totalsize")?;
    let off_struct = be32(data, 8)? as usize;
    let off_strings = be32(data, 12)? as usize;
    let version = be32(data, 20)?;
    let size_strings = be32(data, 32)? as usize;
    if version < 16 || be32(data, 24)? > 17 {
        return Err("unsupported device tree version (need 16 or 17)");
    }
    let size_struct = if version >= 17 {
        be32(data, 36)? as usize
    } else {
        total.saturating_sub(off_struct)
    };
    let block = |off: usize, size: usize| {
        data.get(off..off.checked_add(size).ok_or("block overflows")?)
            .ok_or("block outside the blob")
    };
    let structs = block(off_struct, size_struct)?;
    let strings = block(off_strings, size_strings)?;

    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut pos = 0usize;
    loop {
        let token = be32(structs, pos)?;
        pos += 4;
        match token {
            FDT_BEGIN_NODE => {
                if root.is_some() {
                    return Err("data after the root node");
                }
                if stack.len() >= MAX_DEPTH {
                    return Err("nodes nest too deep");
                }
                let (name, len) = cstr(structs, pos)?;
                pos = (pos + len + 1).next_multiple_of(4);
                stack.push(Node::new(name));
            }
            FDT_END_NODE => {
                let node = stack.pop().ok_or("end of a node that was not begun")?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            FDT_PROP => {
                let len = be32(structs, pos)? as usize;
                let nameoff = be32(structs, pos + 4)? as usize;
                pos += 8;
                let value = structs
                    .get(pos..pos.checked_add(len).ok_or("property overflows")?)
                    .ok_or("property runs past the structure block")?;
                pos = (pos + len).next_multiple_of(4);
                let (name, _) = cstr(strings, nameoff)?;
                let node = stack.last_mut().ok_or("property outside a node")?;
                node.props.push(Prop {
                    name: String::from(name),
                    value: Vec::from(value),
                });
            }
            FDT_NOP => {}
            FDT_END => break,
            _ => return Err("bad token in the structure block"),
        }
    }
    if !stack.is_empty() {
        return Err("a node is not ended");
    }
    root.ok_or("no root node")
}
