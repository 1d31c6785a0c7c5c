//! Takes the `FDT_NOP` tokens out of a flattened device tree, in place,
//! before it is parsed. Boot loaders that edit the tree with libfdt leave
//! them where they delete a property or a node (QEMU's `raspi4b` leaves
//! hundreds, U-Boot some), and the `fdt` crate stops at one between a
//! node's properties and its first child (its `skip_current_node` panics).
//! The Devicetree Specification (v0.4, 5.4.1) makes a NOP mean nothing, so
//! dropping them changes no node or property. The walk checks every length
//! against the blob first and changes nothing unless the whole structure
//! block is well formed.

/// The header's magic, and the offsets of `totalsize`, `off_dt_struct`
/// and `size_dt_struct` in it (Devicetree Specification 5.2).
const MAGIC: u32 = 0xd00d_feed;
const TOTALSIZE: usize = 4;
const OFF_DT_STRUCT: usize = 8;
const SIZE_DT_STRUCT: usize = 36;
/// Header bytes up to and including `size_dt_struct`.
const HEADER_MIN: usize = 40;

/// Structure block tokens (5.4.1).
const FDT_BEGIN_NODE: u32 = 1;
const FDT_END_NODE: u32 = 2;
const FDT_PROP: u32 = 3;
const FDT_NOP: u32 = 4;
const FDT_END: u32 = 9;

/// The blob is not a well-formed device tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Malformed;

fn be32(blob: &[u8], at: usize) -> Result<u32, Malformed> {
    let bytes = blob
        .get(at..at.checked_add(4).ok_or(Malformed)?)
        .ok_or(Malformed)?;
    Ok(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

fn align4(n: usize) -> Result<usize, Malformed> {
    n.checked_add(3).map(|n| n & !3).ok_or(Malformed)
}

/// The token at `at` in `block`: its kind and its length in bytes
/// (padding included).
fn token(block: &[u8], at: usize) -> Result<(u32, usize), Malformed> {
    let kind = be32(block, at)?;
    let len = match kind {
        FDT_BEGIN_NODE => {
            let name = block.get(at + 4..).ok_or(Malformed)?;
            let nul = name.iter().position(|&b| b == 0).ok_or(Malformed)?;
            4 + align4(nul + 1)?
        }
        FDT_PROP => {
            let value = be32(block, at + 4)? as usize;
            12usize.checked_add(align4(value)?).ok_or(Malformed)?
        }
        FDT_END_NODE | FDT_NOP | FDT_END => 4,
        _ => return Err(Malformed),
    };
    if at.checked_add(len).is_none_or(|end| end > block.len()) {
        return Err(Malformed);
    }
    Ok((kind, len))
}

/// Removes the NOP tokens of `blob`'s structure block, moving the tokens
/// after each down and shrinking `size_dt_struct`; returns how many went.
/// Nothing changes when `blob` is not a well-formed tree.
pub fn strip(blob: &mut [u8]) -> Result<usize, Malformed> {
    if be32(blob, 0)? != MAGIC || blob.len() < HEADER_MIN {
        return Err(Malformed);
    }
    let total = be32(blob, TOTALSIZE)? as usize;
    let start = be32(blob, OFF_DT_STRUCT)? as usize;
    let size = be32(blob, SIZE_DT_STRUCT)? as usize;
    let end = start.checked_add(size).ok_or(Malformed)?;
    if total > blob.len() || end > total || start < HEADER_MIN {
        return Err(Malformed);
    }
    // First the whole walk, so that a malformed block is left as it is.
    let block = &blob[start..end];
    let (mut at, mut nops, mut depth) = (0, 0, 0usize);
    loop {
        let (kind, len) = token(block, at)?;
        match kind {
            FDT_BEGIN_NODE => depth += 1,
            FDT_END_NODE => depth = depth.checked_sub(1).ok_or(Malformed)?,
            FDT_NOP => nops += 1,
            FDT_END if depth == 0 => break,
            FDT_END => return Err(Malformed),
            _ => {}
        }
        at += len;
    }
    let used = at + 4;
    if nops == 0 {
        return Ok(0);
    }
    // Then the copy: every token that is not a NOP, down to `to`.
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
    blob[start + to..start + used].fill(0);
    blob[SIZE_DT_STRUCT..SIZE_DT_STRUCT + 4].copy_from_slice(&(to as u32).to_be_bytes());
    Ok(nops)
}

#[cfg(test)]
mod tests;
