//! The 8254 against a fake clock the tests move by hand: programming and
//! reading counts, the six modes, gating, and IRQ 0 edges.

mod modes;
mod port61;

use super::Pit8254;
use super::regs::*;
use super::wave::{ns_of, ticks};
use crate::{Fault, Vdev};
use alloc::boxed::Box;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};

/// The fake clock's start: not on a whole second, nor a CLK pulse.
const T0: u64 = 5_000_000_123;

/// A timer on a clock the test sets.
struct Rig {
    pit: Pit8254,
    time: Arc<AtomicU64>,
}

fn rig() -> Rig {
    let time = Arc::new(AtomicU64::new(T0));
    let clock = Arc::clone(&time);
    let pit = Pit8254::new(Box::new(move || clock.load(Ordering::Relaxed)));
    Rig { pit, time }
}

impl Rig {
    fn now(&self) -> u64 {
        self.time.load(Ordering::Relaxed)
    }

    fn set(&self, ns: u64) {
        self.time.store(ns, Ordering::Relaxed);
    }

    /// Moves the clock to the first nanosecond of CLK pulse `k` after `origin`.
    fn at(&self, origin: u64, k: u64) {
        self.set(origin + ns_of(k));
    }

    fn control(&mut self, word: u8) {
        self.pit.write(CONTROL, 1, word.into()).unwrap();
    }

    fn put(&mut self, counter: u64, byte: u8) {
        self.pit.write(counter, 1, byte.into()).unwrap();
    }

    fn get(&mut self, counter: u64) -> u8 {
        self.pit.read(counter, 1).unwrap() as u8
    }

    /// Writes a count LSB then MSB.
    fn load(&mut self, counter: u64, count: u16) {
        let [lsb, msb] = count.to_le_bytes();
        self.put(counter, lsb);
        self.put(counter, msb);
    }

    /// Reads a count LSB then MSB (`RW` = 11).
    fn read16(&mut self, counter: u64) -> u16 {
        let lsb = self.get(counter);
        u16::from_le_bytes([lsb, self.get(counter)])
    }

    /// Latches counter `counter`'s count and reads it.
    fn latched(&mut self, counter: u64) -> u16 {
        self.control((counter as u8) << CW_SC_SHIFT);
        self.read16(counter)
    }

    /// Read-Back of counter `counter`'s status alone.
    fn status(&mut self, counter: u64) -> u8 {
        self.control(0xC0 | RB_COUNT | (RB_CNT0 << counter));
        self.get(counter)
    }
}

#[test]
fn time_converts_exactly() {
    assert_eq!(ticks(1_000_000_000), PIT_HZ);
    assert_eq!(ns_of(PIT_HZ), 1_000_000_000);
    assert_eq!(ns_of(1), 839); // 838.095... rounded up
    for k in [1, 2, 3, 1000, 11931, 65536, PIT_HZ * 3600 + 7] {
        assert_eq!(ticks(ns_of(k)), k);
        assert_eq!(ticks(ns_of(k) - 1), k - 1);
    }
    assert_eq!(ns_of(u64::MAX), u64::MAX);
}

#[test]
fn bad_accesses_are_unsupported() {
    let mut r = rig();
    for size in [0, 2, 4, 8] {
        for offset in 0..4 {
            assert_eq!(r.pit.read(offset, size), Err(Fault::Unsupported));
            assert_eq!(r.pit.write(offset, size, 0x34), Err(Fault::Unsupported));
        }
    }
    for offset in [4, 0x21, u64::MAX] {
        assert_eq!(r.pit.read(offset, 1), Err(Fault::Unsupported));
        assert_eq!(r.pit.write(offset, 1, 0), Err(Fault::Unsupported));
    }
    assert_eq!(r.pit.read(CONTROL, 1), Ok(0xFF));
    assert_eq!(r.pit.kind(), "timer8254");
    assert_eq!(Pit8254::SIZE, 4);
}

#[test]
fn access_order_lsb_msb() {
    let mut r = rig();
    r.control(0x30);
    r.load(COUNTER0, 0x1234);
    assert_eq!(r.get(COUNTER0), 0x34);
    assert_eq!(r.get(COUNTER0), 0x12);
    // LSB only: the MSB is 0, reads give the LSB every time.
    r.control(0x10);
    r.put(COUNTER0, 0x56);
    assert_eq!(r.get(COUNTER0), 0x56);
    assert_eq!(r.get(COUNTER0), 0x56);
    // MSB only: the LSB is 0.
    r.control(0x20);
    r.put(COUNTER0, 0x12);
    assert_eq!(r.get(COUNTER0), 0x12);
    r.control(0x30);
    assert_eq!(r.latched(COUNTER0), 0x1200);
}

#[test]
fn counter_latch_holds_while_time_passes() {
    let mut r = rig();
    r.control(0x34);
    r.load(COUNTER0, 0x1234);
    let t = r.now();
    r.at(t, 100);
    r.control(0x00); // latch counter 0
    r.at(t, 600);
    r.control(0x00); // ignored: the first latch is unread
    assert_eq!(r.get(COUNTER0), 0xD0); // 0x1234 - 100 = 0x11D0
    r.at(t, 900);
    assert_eq!(r.get(COUNTER0), 0x11);
    assert_eq!(r.read16(COUNTER0), 0x1234 - 900); // live again
}

#[test]
fn read_back_status_and_count() {
    let mut r = rig();
    assert_eq!(r.status(COUNTER0), STATUS_NULL_COUNT | 0x30); // power-up
    r.control(0x34);
    let want = STATUS_OUTPUT | STATUS_NULL_COUNT | 0x34;
    assert_eq!(r.status(COUNTER0), want);
    r.load(COUNTER0, 300);
    let t = r.now();
    assert_eq!(r.status(COUNTER0), STATUS_OUTPUT | 0x34);
    // Count and status of counters 0 and 1: status first, then the count.
    r.at(t, 20);
    r.control(0xC0 | RB_CNT0 | RB_CNT1);
    r.at(t, 40);
    assert_eq!(r.get(COUNTER0), STATUS_OUTPUT | 0x34);
    assert_eq!(r.read16(COUNTER0), 280);
    assert_eq!(r.get(COUNTER1), STATUS_NULL_COUNT | 0x30);
    // Count alone; a second Read-Back does not replace it.
    r.control(0xC0 | RB_STATUS | RB_CNT0);
    r.at(t, 60);
    r.control(0xC0 | RB_STATUS | RB_CNT0);
    assert_eq!(r.read16(COUNTER0), 260);
    // Mode 7 reads back as written; BCD is kept.
    r.control(0x7F);
    assert_eq!(r.status(COUNTER1), STATUS_OUTPUT | STATUS_NULL_COUNT | 0x3F);
}

#[test]
fn bcd_counts_in_decimal() {
    let mut r = rig();
    r.control(0x31); // mode 0, BCD
    r.load(COUNTER0, 0x1000);
    let t = r.now();
    r.at(t, 1);
    assert_eq!(r.read16(COUNTER0), 0x0999);
    r.at(t, 1000);
    assert!(r.pit.irq_level());
    r.at(t, 1001);
    assert_eq!(r.read16(COUNTER0), 0x9999);
    r.load(COUNTER0, 0); // 10000
    let t = r.now();
    r.at(t, 9999);
    assert!(!r.pit.irq_level());
    r.at(t, 10000);
    assert!(r.pit.irq_level());
}

#[test]
fn reset_restores_power_up() {
    let mut r = rig();
    r.control(0x34);
    r.load(COUNTER0, 2);
    r.set(r.now() + 1_000_000);
    r.pit.port61_write(0x03);
    r.pit.reset();
    assert_eq!(r.pit.take_irq_edges(), 0);
    assert!(!r.pit.irq_level());
    assert_eq!(r.pit.port61_read() & 0x0F, 0);
    assert_eq!(r.status(COUNTER0), STATUS_NULL_COUNT | 0x30);
}
