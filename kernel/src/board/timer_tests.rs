//! Host tests of the architected timer node: its `clock-frequency` (for
//! firmware that leaves `CNTFRQ_EL0` unset) is taken when it is one
//! non-zero cell, and the EL2 timer's INTID is its fourth interrupt.

use super::testtree::{Node, blob, cells, cpus, memory, text};
use super::*;

fn board_with_timer(props: std::vec::Vec<(&'static str, std::vec::Vec<u8>)>) -> Board {
    let mut timer = vec![("compatible", text("arm,armv8-timer"))];
    timer.extend(props);
    let root = Node(
        "",
        vec![
            ("#address-cells", cells(&[2])),
            ("#size-cells", cells(&[1])),
        ],
        vec![
            memory(0x4000_0000),
            cpus(vec![Node(
                "cpu@0",
                vec![("device_type", text("cpu")), ("reg", cells(&[0]))],
                vec![],
            )]),
            Node("timer", timer, vec![]),
        ],
    );
    let mut dtb = blob(&root);
    nops::strip(&mut dtb).unwrap();
    parse(&dtb).unwrap()
}

#[test]
fn the_timer_nodes_clock_frequency_is_the_counters() {
    let board = board_with_timer(vec![("clock-frequency", cells(&[54_000_000]))]);
    assert_eq!(board.counter_hz, Some(54_000_000));
    assert_eq!(board_with_timer(vec![]).counter_hz, None);
}

#[test]
fn a_zero_or_malformed_clock_frequency_is_left_out() {
    for bad in [cells(&[0]), cells(&[0, 54_000_000]), vec![1, 2]] {
        assert_eq!(
            board_with_timer(vec![("clock-frequency", bad)]).counter_hz,
            None
        );
    }
}

#[test]
fn the_el2_timer_is_the_fourth_interrupt() {
    let irqs = cells(&[1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4]);
    assert_eq!(
        board_with_timer(vec![("interrupts", irqs)]).hyp_timer_intid,
        26
    );
    let irqs = cells(&[1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 12, 4]);
    assert_eq!(
        board_with_timer(vec![("interrupts", irqs)]).hyp_timer_intid,
        28
    );
}
