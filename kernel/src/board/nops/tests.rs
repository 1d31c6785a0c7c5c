//! Host tests of NOP stripping over small hand-made trees.

use super::*;
use std::vec::Vec;

/// A tree: the header, a structure block of `tokens` (each a list of
/// big-endian words), and a strings block holding "reg\0".
fn tree(tokens: &[&[u32]]) -> Vec<u8> {
    let mut block = Vec::new();
    for t in tokens {
        for w in *t {
            block.extend_from_slice(&w.to_be_bytes());
        }
    }
    let strings = b"reg\0";
    let off_struct = 40usize;
    let off_strings = off_struct + block.len();
    let total = off_strings + strings.len();
    let mut blob = Vec::new();
    for w in [
        MAGIC,
        total as u32,
        off_struct as u32,
        off_strings as u32,
        40, // off_mem_rsvmap (empty: nothing reads it here)
        17,
        16,
        0,
        strings.len() as u32,
        block.len() as u32,
    ] {
        blob.extend_from_slice(&w.to_be_bytes());
    }
    blob.extend_from_slice(&block);
    blob.extend_from_slice(strings);
    blob
}

/// "/" holding "a" with property reg = <1>, a NOP, then child "b" with
/// two NOPs inside: where QEMU's edits leave them.
fn with_nops() -> Vec<u8> {
    tree(&[
        &[FDT_BEGIN_NODE, 0],
        &[FDT_BEGIN_NODE, u32::from_be_bytes(*b"a\0\0\0")],
        &[FDT_PROP, 4, 0, 1],
        &[FDT_NOP],
        &[FDT_BEGIN_NODE, u32::from_be_bytes(*b"b\0\0\0")],
        &[FDT_NOP, FDT_NOP],
        &[FDT_END_NODE],
        &[FDT_END_NODE],
        &[FDT_END_NODE],
        &[FDT_END],
    ])
}

#[test]
fn nops_go_and_the_tree_parses_the_same() {
    let mut blob = with_nops();
    // What the `fdt` crate does with them (why they must go).
    let original = blob.clone();
    let walk = std::panic::catch_unwind(|| {
        let fdt = fdt::Fdt::new(&original).unwrap();
        fdt.find_all_nodes("/memory").count()
    });
    assert!(walk.is_err(), "the fdt crate now walks past NOPs: {walk:?}");
    let total = blob.len();
    assert_eq!(strip(&mut blob), Ok(3));
    assert_eq!(blob.len(), total, "the blob keeps its size");
    // Fourteen words are left: "/", "a" and "b" (2 each), the property
    // (4), three ends of nodes and the end.
    assert_eq!(be32(&blob, SIZE_DT_STRUCT), Ok(4 * 14));
    let fdt = fdt::Fdt::new(&blob).unwrap();
    let names: Vec<&str> = fdt.all_nodes().map(|n| n.name).collect();
    assert_eq!(names, ["/", "a", "b"]);
    assert_eq!(fdt.find_all_nodes("/memory").count(), 0);
    let reg = fdt.find_node("/a").unwrap().property("reg").unwrap();
    assert_eq!(reg.as_usize(), Some(1));
    // A second pass finds none.
    assert_eq!(strip(&mut blob), Ok(0));
}

#[test]
fn a_malformed_tree_is_left_alone() {
    let good = with_nops();
    // Unbalanced: an END_NODE too many.
    let mut unbalanced = tree(&[
        &[FDT_BEGIN_NODE, 0],
        &[FDT_END_NODE],
        &[FDT_END_NODE],
        &[FDT_END],
    ]);
    let before = unbalanced.clone();
    assert_eq!(strip(&mut unbalanced), Err(Malformed));
    assert_eq!(unbalanced, before);
    // A property longer than the block, an unknown token, no END.
    let mut long = tree(&[
        &[FDT_BEGIN_NODE, 0],
        &[FDT_NOP],
        &[FDT_PROP, 400, 0],
        &[FDT_END],
    ]);
    let before = long.clone();
    assert_eq!(strip(&mut long), Err(Malformed));
    assert_eq!(long, before);
    let mut unknown = tree(&[&[FDT_BEGIN_NODE, 0], &[FDT_NOP], &[7], &[FDT_END]]);
    assert_eq!(strip(&mut unknown), Err(Malformed));
    let mut unended = tree(&[&[FDT_BEGIN_NODE, 0], &[FDT_NOP], &[FDT_END_NODE]]);
    assert_eq!(strip(&mut unended), Err(Malformed));
    // Bad magic, a size past the blob, a truncated blob.
    let mut magic = good.clone();
    magic[0] = 0;
    assert_eq!(strip(&mut magic), Err(Malformed));
    let mut big = good.clone();
    big[SIZE_DT_STRUCT..SIZE_DT_STRUCT + 4].copy_from_slice(&0xffff_fff0u32.to_be_bytes());
    assert_eq!(strip(&mut big), Err(Malformed));
    for cut in [0, 3, 39, 60] {
        let mut short = good[..cut].to_vec();
        assert_eq!(strip(&mut short), Err(Malformed), "{cut} bytes");
    }
}

#[test]
fn every_prefix_and_corruption_is_refused_or_stripped_without_panicking() {
    let good = with_nops();
    for i in 0..good.len() {
        for byte in [0x00, 0x01, 0x04, 0x09, 0xff] {
            let mut blob = good.clone();
            blob[i] = byte;
            let _ = strip(&mut blob);
        }
    }
}
