//! Takes the `FDT_NOP` tokens out of a flattened device tree in place.
//! A boot loader that edits the tree with libfdt leaves one wherever it
//! deleted a property or a node: QEMU's `raspi4b` leaves hundreds (it
//! takes out the nodes of devices it does not model). A NOP means nothing
//! (Devicetree Specification v0.4, 5.4.1), but the `fdt` crate (0.1.5)
//! reads them only in some places and panics on one between a node's
//! properties and its first child, so a guest strips them before parsing.
//!
//! Every token is checked against the blob before anything moves: a tree
//! that is not well formed is left as it is (the parser then refuses it).

/// Header fields (Devicetree Specification 5.2): the magic, and the byte
/// offsets of `totalsize`, `off_dt_struct` and `size_dt_struct`.
const FDT_MAGIC: u32 = 0xd00d_feed;
const HDR_TOTALSIZE: usize = 4;
const HDR_OFF_DT_STRUCT: usize = 8;
const HDR_SIZE_DT_STRUCT: usize = 36;
/// The header up to the end of `size_dt_struct` (version 17).
const HDR_LEN: usize = 40;

/// Structure block tokens (5.4.1).
const FDT_BEGIN_NODE: u32 = 0x1;
const FDT_END_NODE: u32 = 0x2;
const FDT_PROP: u32 = 0x3;
const FDT_NOP: u32 = 0x4;
const FDT_END: u32 = 0x9;

/// Why a blob was left alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotATree;

fn word(bytes: &[u8], at: usize) -> Result<u32, NotATree> {
    let w = bytes
        .get(at..at.checked_add(4).ok_or(NotATree)?)
        .ok_or(NotATree)?;
    Ok(u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
}

/// `n` rounded up to a multiple of 4.
fn padded(n: usize) -> Result<usize, NotATree> {
    Ok(n.checked_add(3).ok_or(NotATree)? & !3)
}

/// The token at byte `at` of the structure block: its kind and its whole
/// length (name or value and padding included), inside the block.
fn token(block: &[u8], at: usize) -> Result<(u32, usize), NotATree> {
    let kind = word(block, at)?;
    let len = match kind {
        FDT_BEGIN_NODE => {
            let name = block.get(at + 4..).ok_or(NotATree)?;
            let nul = name.iter().position(|&b| b == 0).ok_or(NotATree)?;
            4 + padded(nul + 1)?
        }
        // Value length, name offset, value.
        FDT_PROP => 12 + padded(word(block, at + 4)? as usize)?,
        FDT_END_NODE | FDT_NOP | FDT_END => 4,
        _ => return Err(NotATree),
    };
    match at.checked_add(len) {
        Some(end) if end <= block.len() => Ok((kind, len)),
        _ => Err(NotATree),
    }
}

/// Removes the NOP tokens of the tree `blob` (all of it, `totalsize`
/// bytes or more): the tokens after each move down, the freed end of the
/// structure block is zeroed and `size_dt_struct` shrinks. Returns how
/// many NOPs there were.
pub fn strip(blob: &mut [u8]) -> Result<usize, NotATree> {
    if blob.len() < HDR_LEN || word(blob, 0)? != FDT_MAGIC {
        return Err(NotATree);
    }
    let total = word(blob, HDR_TOTALSIZE)? as usize;
    let start = word(blob, HDR_OFF_DT_STRUCT)? as usize;
    let size = word(blob, HDR_SIZE_DT_STRUCT)? as usize;
    let end = start.checked_add(size).ok_or(NotATree)?;
    if start < HDR_LEN || end > total || total > blob.len() {
        return Err(NotATree);
    }
    // Check every token (nodes balanced, FDT_END at depth 0) and count.
    let block = &blob[start..end];
    let (mut at, mut depth, mut nops) = (0usize, 0usize, 0usize);
    let used = loop {
        let (kind, len) = token(block, at)?;
        match kind {
            FDT_BEGIN_NODE => depth += 1,
            FDT_END_NODE => depth = depth.checked_sub(1).ok_or(NotATree)?,
            FDT_NOP => nops += 1,
            FDT_END if depth == 0 => break at + len,
            FDT_END => return Err(NotATree),
            _ => {}
        }
        at += len;
    };
    if nops == 0 {
        return Ok(0);
    }
    let block = &mut blob[start..end];
    let (mut from, mut to) = (0, 0);
    while from < used {
        let (kind, len) = token(block, from)?;
        if kind != FDT_NOP {
            block.copy_within(from..from + len, to);
            to += len;
        }
        from += len;
    }
    block[to..used].fill(0);
    let new_size = u32::try_from(to).map_err(|_| NotATree)?;
    blob[HDR_SIZE_DT_STRUCT..HDR_SIZE_DT_STRUCT + 4].copy_from_slice(&new_size.to_be_bytes());
    Ok(nops)
}
