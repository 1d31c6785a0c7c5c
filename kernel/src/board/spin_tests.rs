//! Host tests of the CPUs' start methods read from a device tree: a
//! spin-table CPU's release address (as on the Raspberry Pi 4), a PSCI
//! one's none. The tree is built here, with a few NOP tokens where QEMU's
//! edits leave them (stripped first, as the kernel does at boot).

use super::*;
use std::string::String;
use std::vec::Vec;

/// A node: name, properties (name, value), children.
struct Node(&'static str, Vec<(&'static str, Vec<u8>)>, Vec<Node>);

fn cells(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_be_bytes()).collect()
}

fn text(s: &str) -> Vec<u8> {
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

fn blob(root: &Node) -> Vec<u8> {
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

fn cpu(n: u32, method: &'static str, release: Option<u32>) -> Node {
    let mut props = vec![
        ("device_type", text("cpu")),
        ("reg", cells(&[n])),
        ("enable-method", text(method)),
    ];
    if let Some(addr) = release {
        props.push(("cpu-release-addr", cells(&[0, addr])));
    }
    Node(if n == 0 { "cpu@0" } else { "cpu@1" }, props, vec![])
}

#[test]
fn spin_table_cpus_get_their_release_address() {
    let root = Node(
        "",
        vec![
            ("#address-cells", cells(&[2])),
            ("#size-cells", cells(&[1])),
        ],
        vec![
            Node(
                "memory@0",
                vec![
                    ("device_type", text("memory")),
                    ("reg", cells(&[0, 0, 0x3b40_0000])),
                ],
                vec![],
            ),
            Node(
                "cpus",
                vec![
                    ("#address-cells", cells(&[1])),
                    ("#size-cells", cells(&[0])),
                ],
                vec![cpu(0, "spin-table", Some(0xd8)), cpu(1, "psci", Some(0xe0))],
            ),
        ],
    );
    let mut dtb = blob(&root);
    assert_eq!(nops::strip(&mut dtb), Ok(5));
    let board = parse(&dtb).unwrap();
    assert_eq!(board.cpus.as_slice(), &[0, 1]);
    // A release address counts only with the spin-table method.
    assert_eq!(board.cpu_release.as_slice(), &[Some(0xd8), None]);
    assert_eq!(
        board.ram.as_slice(),
        &[Range {
            start: 0,
            end: 0x3b40_0000
        }]
    );
}
