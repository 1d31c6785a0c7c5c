//! A device tree built in a test: nodes with named properties, written
//! as a flattened tree with a NOP after each property list (where QEMU's
//! edits leave them; the kernel strips them first, `nops.rs`).

use std::string::String;
use std::vec::Vec;

/// A node: name, properties (name, value), children.
pub struct Node(
    pub &'static str,
    pub Vec<(&'static str, Vec<u8>)>,
    pub Vec<Node>,
);

pub fn cells(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_be_bytes()).collect()
}

pub fn text(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

/// The structure block of `node` (a NOP after each property list), and
/// its property names in `strings`.
fn emit(node: &Node, block: &mut Vec<u8>, strings: &mut String) {
    let word = |b: &mut Vec<u8>, w: u32| b.extend_from_slice(&w.to_be_bytes());
    word(block, 1);
    block.extend_from_slice(node.0.as_bytes());
    block.push(0);
    while !block.len().is_multiple_of(4) {
        block.push(0);
    }
    for (name, value) in &node.1 {
        let off = strings.find(&format!("{name}\0")).unwrap_or_else(|| {
            let at = strings.len();
            strings.push_str(name);
            strings.push('\0');
            at
        });
        word(block, 3);
        word(block, value.len() as u32);
        word(block, off as u32);
        block.extend_from_slice(value);
        while !block.len().is_multiple_of(4) {
            block.push(0);
        }
    }
    word(block, 4); // FDT_NOP
    for child in &node.2 {
        emit(child, block, strings);
    }
    word(block, 2);
}

pub fn blob(root: &Node) -> Vec<u8> {
    let (mut block, mut strings) = (Vec::new(), String::new());
    emit(root, &mut block, &mut strings);
    block.extend_from_slice(&9u32.to_be_bytes());
    let rsvmap = 40;
    let off_struct = rsvmap + 16;
    let off_strings = off_struct + block.len();
    let total = off_strings + strings.len();
    let header = [
        0xd00d_feed,
        total as u32,
        off_struct as u32,
        off_strings as u32,
        rsvmap as u32,
        17,
        16,
        0,
        strings.len() as u32,
        block.len() as u32,
    ];
    let mut out = cells(&header);
    out.extend_from_slice(&[0; 16]);
    out.extend_from_slice(&block);
    out.extend_from_slice(strings.as_bytes());
    out
}

/// `/memory@0`: RAM from 0, `size` bytes (two address cells, one size
/// cell in its parent).
pub fn memory(size: u32) -> Node {
    Node(
        "memory@0",
        vec![
            ("device_type", text("memory")),
            ("reg", cells(&[0, 0, size])),
        ],
        vec![],
    )
}

/// `/cpus` holding `cpus`.
pub fn cpus(cpus: Vec<Node>) -> Node {
    Node(
        "cpus",
        vec![
            ("#address-cells", cells(&[1])),
            ("#size-cells", cells(&[0])),
        ],
        cpus,
    )
}

/// `/cpus` with one CPU, `cpu@0`.
pub fn one_cpu() -> Node {
    cpus(vec![Node(
        "cpu@0",
        vec![("device_type", text("cpu")), ("reg", cells(&[0]))],
        vec![],
    )])
}

/// The root node (two address cells, one size cell, as the Raspberry Pi
/// 4's) holding `children`.
pub fn root(children: Vec<Node>) -> Node {
    Node(
        "",
        vec![
            ("#address-cells", cells(&[2])),
            ("#size-cells", cells(&[1])),
        ],
        children,
    )
}

/// The blob of `root` with its NOP tokens stripped, as the kernel has it
/// when it parses the tree.
pub fn stripped(root: &Node) -> Vec<u8> {
    let mut dtb = blob(root);
    super::nops::strip(&mut dtb).unwrap();
    dtb
}
