//! Counter 0 in each mode: OUT (the IRQ 0 level), the counts read, and
//! the rising edges `take_irq_edges` reports.

use super::*;

#[test]
fn mode0_out_rises_at_terminal_count() {
    let mut r = rig();
    assert!(!r.pit.irq_level());
    r.control(0x30); // counter 0, LSB then MSB, mode 0, binary
    r.load(COUNTER0, 1000);
    let t = r.now();
    assert!(!r.pit.irq_level());
    assert_eq!(r.pit.next_event_ns(), Some(t + ns_of(1000)));
    assert_eq!(r.pit.next_edge_ns(), Some(t + ns_of(1000)));
    assert_eq!(r.read16(COUNTER0), 1000);
    r.at(t, 1);
    assert_eq!(r.read16(COUNTER0), 999);
    r.set(t + ns_of(1000) - 1);
    assert_eq!(r.read16(COUNTER0), 1);
    assert!(!r.pit.irq_level());
    assert_eq!(r.pit.take_irq_edges(), 0);
    r.at(t, 1000);
    assert!(r.pit.irq_level());
    assert_eq!(r.read16(COUNTER0), 0);
    assert_eq!(r.pit.take_irq_edges(), 1);
    // The count wraps on; OUT stays high until the counter is written.
    r.at(t, 1001);
    assert_eq!(r.read16(COUNTER0), 0xFFFF);
    assert!(r.pit.irq_level());
    assert_eq!(r.pit.next_event_ns(), None);
    assert_eq!(r.pit.take_irq_edges(), 0);
    // A new count drops OUT again; 0 means 65536.
    r.load(COUNTER0, 0);
    let t = r.now();
    assert!(!r.pit.irq_level());
    r.at(t, 65535);
    assert!(!r.pit.irq_level());
    r.at(t, 65536);
    assert!(r.pit.irq_level());
    assert_eq!(r.pit.take_irq_edges(), 1);
}

#[test]
fn mode0_first_byte_stops_counting() {
    let mut r = rig();
    r.control(0x30);
    r.load(COUNTER0, 500);
    let t = r.now();
    r.at(t, 600);
    assert!(r.pit.irq_level());
    r.put(COUNTER0, 0x10); // LSB of the next count: counting stops, OUT low
    assert!(!r.pit.irq_level());
    let held = r.latched(COUNTER0);
    r.at(t, 5000);
    assert_eq!(r.latched(COUNTER0), held);
    r.put(COUNTER0, 0x00); // MSB: count 16 starts now
    let t = r.now();
    r.at(t, 16);
    assert!(r.pit.irq_level());
}

#[test]
fn mode2_rate_generator_pulses() {
    let mut r = rig();
    r.control(0x34); // counter 0, LSB then MSB, mode 2
    assert!(r.pit.irq_level()); // OUT high after the control word...
    assert_eq!(r.pit.take_irq_edges(), 1); // ...rising from mode 0's low
    r.load(COUNTER0, 100);
    let t = r.now();
    assert_eq!(r.read16(COUNTER0), 100);
    assert_eq!(r.pit.next_event_ns(), Some(t + ns_of(99)));
    assert_eq!(r.pit.next_edge_ns(), Some(t + ns_of(100)));
    r.at(t, 99);
    assert_eq!(r.read16(COUNTER0), 1);
    assert!(!r.pit.irq_level()); // the one-CLK low pulse
    assert_eq!(r.pit.next_event_ns(), Some(t + ns_of(100)));
    r.at(t, 100);
    assert_eq!(r.read16(COUNTER0), 100);
    assert!(r.pit.irq_level());
    assert_eq!(r.pit.take_irq_edges(), 1);
    // Edges are counted from time, however late they are asked for.
    r.at(t, 1050);
    assert_eq!(r.pit.take_irq_edges(), 9);
    assert_eq!(r.pit.next_edge_ns(), Some(t + ns_of(1100)));
    r.at(t, 1100);
    assert_eq!(r.pit.take_irq_edges(), 1);
    // Mode 6 is mode 2.
    r.control(0x3C);
    r.load(COUNTER0, 10);
    let t = r.now();
    r.at(t, 95);
    assert_eq!(r.pit.take_irq_edges(), 9);
}

#[test]
fn mode2_new_count_waits_for_the_cycle() {
    let mut r = rig();
    r.control(0x34);
    r.load(COUNTER0, 100);
    let t = r.now();
    assert_eq!(r.pit.take_irq_edges(), 1); // the control word's
    r.at(t, 30);
    r.load(COUNTER0, 10);
    assert_eq!(r.status(COUNTER0) & STATUS_NULL_COUNT, STATUS_NULL_COUNT);
    assert_eq!(r.read16(COUNTER0), 70); // still the old cycle
    assert_eq!(r.pit.next_edge_ns(), Some(t + ns_of(100)));
    r.at(t, 100);
    assert_eq!(r.status(COUNTER0) & STATUS_NULL_COUNT, 0);
    assert_eq!(r.read16(COUNTER0), 10);
    r.at(t, 125);
    assert_eq!(r.pit.take_irq_edges(), 3); // at 100, 110, 120
}

#[test]
fn mode3_square_wave() {
    let mut r = rig();
    r.control(0x36); // counter 0, LSB then MSB, mode 3
    assert_eq!(r.pit.take_irq_edges(), 1); // OUT rose from mode 0's low
    r.load(COUNTER0, 10);
    let t = r.now();
    let even = [10, 8, 6, 4, 2, 10, 8, 6, 4, 2, 10];
    for (k, count) in even.into_iter().enumerate() {
        r.at(t, k as u64);
        assert_eq!(r.read16(COUNTER0), count, "tick {k}");
        assert_eq!(r.pit.irq_level(), k % 10 < 5, "tick {k}");
    }
    assert_eq!(r.pit.take_irq_edges(), 1);
    // Odd: high (N+1)/2, low (N-1)/2. Written in the low half, the new
    // count takes over at its end (tick 20), with OUT rising.
    r.at(t, 16);
    r.load(COUNTER0, 5);
    let odd = [
        (5, true),
        (4, true),
        (2, true),
        (5, false),
        (2, false),
        (5, true),
    ];
    for (k, (count, out)) in odd.into_iter().enumerate() {
        r.at(t, 20 + k as u64);
        assert_eq!(r.read16(COUNTER0), count, "tick {k}");
        assert_eq!(r.pit.irq_level(), out, "tick {k}");
    }
    r.at(t, 520);
    assert_eq!(r.pit.take_irq_edges(), 1 + 100);
    assert_eq!(r.pit.next_event_ns(), Some(t + ns_of(523)));
    assert_eq!(r.pit.next_edge_ns(), Some(t + ns_of(525)));
    // Written in the high half, it takes over at its end, OUT falling.
    r.load(COUNTER0, 9);
    r.at(t, 523);
    assert_eq!((r.read16(COUNTER0), r.pit.irq_level()), (9, false));
    r.at(t, 527);
    assert_eq!((r.read16(COUNTER0), r.pit.irq_level()), (9, true));
    assert_eq!(r.pit.take_irq_edges(), 1);
}

#[test]
fn mode4_software_strobe() {
    let mut r = rig();
    r.control(0x38);
    assert_eq!(r.pit.take_irq_edges(), 1); // OUT rose from mode 0's low
    r.load(COUNTER0, 50);
    let t = r.now();
    assert!(r.pit.irq_level());
    assert_eq!(r.pit.next_event_ns(), Some(t + ns_of(50)));
    r.at(t, 50);
    assert!(!r.pit.irq_level());
    assert_eq!(r.pit.next_edge_ns(), Some(t + ns_of(51)));
    r.at(t, 51);
    assert!(r.pit.irq_level());
    assert_eq!(r.pit.take_irq_edges(), 1);
    assert_eq!(r.pit.next_event_ns(), None);
    r.at(t, 500);
    assert_eq!(r.pit.take_irq_edges(), 0);
}

#[test]
fn counters_0_and_1_ignore_gate_triggers() {
    let mut r = rig();
    r.control(0x32); // mode 1 on counter 0: no GATE edge ever comes
    r.load(COUNTER0, 5);
    let t = r.now();
    r.at(t, 1000);
    assert!(r.pit.irq_level());
    assert_eq!(r.pit.take_irq_edges(), 1); // the control word raised OUT
    assert_eq!(r.pit.next_event_ns(), None);
    assert_eq!(r.status(COUNTER0), STATUS_OUTPUT | STATUS_NULL_COUNT | 0x32);
}
