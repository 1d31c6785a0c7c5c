//! Host tests of RAM with holes, as the Raspberry Pi 4's firmware writes
//! it: one `/memory` node with several ranges (below the VideoCore's
//! carve-out, up to the peripherals, above 4 GiB), a second node, ranges
//! of size 0 skipped, and a range that would wrap the address space left
//! out instead of trusted.

use super::testtree::{Node, cells, one_cpu, root, stripped, text};
use super::*;

fn board(memory: std::vec::Vec<Node>) -> Board {
    let mut top = memory;
    top.push(one_cpu());
    parse(&stripped(&root(top))).unwrap()
}

fn memory(name: &'static str, reg: &[u32]) -> Node {
    Node(
        name,
        vec![("device_type", text("memory")), ("reg", cells(reg))],
        vec![],
    )
}

fn ranges(board: &Board) -> std::vec::Vec<(usize, usize)> {
    board.ram.iter().map(|r| (r.start, r.end)).collect()
}

#[test]
fn a_pi_4_with_8_gib_has_four_ranges_with_holes() {
    let b = board(vec![memory(
        "memory@0",
        &[
            0,
            0,
            0x3b40_0000, // below the VideoCore's memory
            0,
            0x4000_0000,
            0xbc00_0000, // up to the peripherals
            1,
            0,
            0x8000_0000, // above 4 GiB
            1,
            0x8000_0000,
            0x8000_0000,
        ],
    )]);
    assert_eq!(
        ranges(&b),
        [
            (0, 0x3b40_0000),
            (0x4000_0000, 0xfc00_0000),
            (0x1_0000_0000, 0x1_8000_0000),
            (0x1_8000_0000, 0x2_0000_0000)
        ]
    );
    assert_eq!(b.ram_bytes(), 0x3b40_0000 + 0xbc00_0000 + 0x1_0000_0000);
}

#[test]
fn every_memory_node_counts_and_empty_ranges_do_not() {
    let b = board(vec![
        memory("memory@0", &[0, 0, 0x3b40_0000, 0, 0x4000_0000, 0]),
        memory("memory@100000000", &[1, 0, 0x4000_0000]),
    ]);
    assert_eq!(
        ranges(&b),
        [(0, 0x3b40_0000), (0x1_0000_0000, 0x1_4000_0000)]
    );
}

#[test]
fn a_range_past_the_end_of_the_address_space_is_left_out() {
    let b = board(vec![memory(
        "memory@0",
        &[0, 0, 0x1000_0000, 0xffff_ffff, 0xffff_f000, 0x2000],
    )]);
    assert_eq!(ranges(&b), [(0, 0x1000_0000)]);
}
