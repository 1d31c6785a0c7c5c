//! Port 0x61 and counter 2: GATE through bit 0, OUT in bit 5, the refresh
//! toggle, and the sequences Linux and this project's kernel calibrate
//! their TSC with.

use super::*;

/// Reads port 0x61's bit 5: counter 2's OUT.
fn out2(r: &mut Rig) -> bool {
    r.pit.port61_read() & NMI_SC_TMR2_OUT_STS != 0
}

#[test]
fn refresh_toggles_and_bits_stick() {
    let mut r = rig();
    let a = r.pit.port61_read();
    let b = r.pit.port61_read();
    assert_eq!((a ^ b) & NMI_SC_REF_TOGGLE, NMI_SC_REF_TOGGLE);
    assert_eq!(
        r.pit.port61_read() & NMI_SC_REF_TOGGLE,
        a & NMI_SC_REF_TOGGLE
    );
    r.pit.port61_write(0xFE); // read-only bits are ignored
    let v = r.pit.port61_read();
    assert_eq!(v & !NMI_SC_REF_TOGGLE, 0x0E);
    r.pit.port61_write(0x00);
    assert_eq!(r.pit.port61_read() & 0xEF, 0);
}

/// arch/x86/kernel/tsc.c, `pit_calibrate_tsc`: GATE 2 high, speaker off,
/// counter 2 in mode 0, then poll bit 5. OUT must rise exactly when the
/// count's time has passed.
#[test]
fn linux_pit_calibrate_tsc() {
    let mut r = rig();
    let latch: u16 = (PIT_HZ / 100) as u16; // 10 ms, as CAL_MS asks
    let x = r.pit.port61_read();
    r.pit.port61_write((x & !0x02) | 0x01);
    r.control(0xB0);
    r.put(COUNTER2, latch as u8);
    r.put(COUNTER2, (latch >> 8) as u8);
    let t = r.now();
    let mut polls = 0u64;
    while !out2(&mut r) {
        polls += 1;
        r.set(t + polls * 1_001); // ~1 µs per inb
        assert!(polls < 20_000);
    }
    let seen = r.now();
    let due = t + ns_of(u64::from(latch));
    assert!((due..due + 1_001).contains(&seen));
    r.set(due - 1);
    assert!(!out2(&mut r));
    r.set(due);
    assert!(out2(&mut r));
    assert_eq!(ns_of(u64::from(latch)), 9_999_313); // 11931 pulses
}

/// Linux's `quick_pit_calibrate`: mode 0 from 0xFFFF, the MSB read (LSB
/// first) drops every 256 pulses.
#[test]
fn linux_quick_pit_calibrate_msb() {
    let mut r = rig();
    let x = r.pit.port61_read();
    r.pit.port61_write((x & !0x02) | 0x01);
    r.control(0xB0);
    r.load(COUNTER2, 0xFFFF);
    let t = r.now();
    for (k, msb) in [
        (0, 0xFF),
        (255, 0xFF),
        (256, 0xFE),
        (511, 0xFE),
        (512, 0xFD),
    ] {
        r.at(t, k);
        let _lsb = r.get(COUNTER2);
        assert_eq!(r.get(COUNTER2), msb, "tick {k}");
    }
}

/// This project's kernel (arch/src/x86_64/tsc.rs): GATE low while
/// programming, counting from the GATE rising edge.
#[test]
fn gate_low_holds_mode0_until_it_rises() {
    let mut r = rig();
    let saved = r.pit.port61_read();
    r.pit.port61_write(saved & !0x03);
    r.control(0xB0);
    r.load(COUNTER2, 100);
    r.set(r.now() + 1_000_000);
    assert_eq!(r.read16(COUNTER2), 100);
    assert!(!out2(&mut r));
    r.pit.port61_write((saved & !0x02) | 0x01);
    let t = r.now();
    r.at(t, 40);
    r.pit.port61_write(0); // pause at 60
    r.at(t, 400);
    assert_eq!(r.read16(COUNTER2), 60);
    assert!(!out2(&mut r));
    r.pit.port61_write(1);
    let t = r.now();
    r.set(t + ns_of(60) - 1);
    assert!(!out2(&mut r));
    r.at(t, 60);
    assert!(out2(&mut r));
    // Counter 0 is not involved.
    assert_eq!(r.pit.take_irq_edges(), 0);
}

#[test]
fn mode1_one_shot_retriggers_on_gate() {
    let mut r = rig();
    r.control(0xB2); // counter 2, mode 1
    r.load(COUNTER2, 30);
    assert!(out2(&mut r));
    assert_eq!(r.status(COUNTER2) & STATUS_NULL_COUNT, STATUS_NULL_COUNT);
    r.pit.port61_write(1); // trigger
    let t = r.now();
    assert!(!out2(&mut r));
    assert_eq!(r.status(COUNTER2), 0x32);
    r.at(t, 10);
    r.pit.port61_write(0); // GATE low does not stop mode 1
    r.at(t, 20);
    assert_eq!(r.read16(COUNTER2), 10);
    r.pit.port61_write(1); // retrigger: 30 more pulses from tick 20
    r.at(t, 49);
    assert!(!out2(&mut r));
    r.at(t, 50);
    assert!(out2(&mut r));
}

#[test]
fn mode5_strobe_on_gate() {
    let mut r = rig();
    r.control(0xBA); // counter 2, mode 5
    r.load(COUNTER2, 20);
    r.set(r.now() + 100_000);
    assert!(out2(&mut r));
    r.pit.port61_write(1);
    let t = r.now();
    r.at(t, 19);
    assert!(out2(&mut r));
    r.at(t, 20);
    assert!(!out2(&mut r));
    r.at(t, 21);
    assert!(out2(&mut r));
}

#[test]
fn mode3_gate_low_forces_out_high() {
    let mut r = rig();
    r.pit.port61_write(1);
    r.control(0xB6); // counter 2, mode 3: the speaker tone
    r.load(COUNTER2, 100);
    let t = r.now();
    r.at(t, 60);
    assert!(!out2(&mut r));
    r.pit.port61_write(0);
    assert!(out2(&mut r));
    let held = r.read16(COUNTER2);
    r.at(t, 500);
    assert_eq!(r.read16(COUNTER2), held);
    r.pit.port61_write(1); // reloads the count
    let t = r.now();
    assert_eq!(r.read16(COUNTER2), 100);
    r.at(t, 50);
    assert!(!out2(&mut r));
}

/// Arbitrary accesses at arbitrary times never panic.
#[test]
fn never_panics() {
    let mut r = rig();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..200_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let byte = (x >> 24) as u8;
        r.set(r.now().wrapping_add((x >> 40) % 3_000));
        match x % 8 {
            0 | 1 => _ = r.pit.write(x >> 3 & 3, 1, byte.into()),
            2 | 3 => _ = r.pit.read(x >> 3 & 3, 1),
            4 => r.pit.port61_write(byte),
            5 => _ = r.pit.port61_read(),
            6 => _ = (r.pit.next_event_ns(), r.pit.next_edge_ns()),
            _ => _ = (r.pit.take_irq_edges(), r.pit.irq_level()),
        }
    }
    r.set(u64::MAX);
    _ = (
        r.pit.next_event_ns(),
        r.pit.next_edge_ns(),
        r.pit.take_irq_edges(),
    );
    _ = r.pit.read(COUNTER0, 1);
}
