//! Host tests of the architected timer node: its `clock-frequency` (for
//! firmware that leaves `CNTFRQ_EL0` unset) is taken when it is one
//! non-zero cell, and the EL2 timer's INTID is its fourth interrupt.

use super::testtree::{Node, cells, memory, one_cpu, root, stripped, text};
use super::*;

fn board_with_timer(props: std::vec::Vec<(&'static str, std::vec::Vec<u8>)>) -> Board {
    let mut timer = vec![("compatible", text("arm,armv8-timer"))];
    timer.extend(props);
    let tree = root(vec![
        memory(0x4000_0000),
        one_cpu(),
        Node("timer", timer, vec![]),
    ]);
    parse(&stripped(&tree)).unwrap()
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
