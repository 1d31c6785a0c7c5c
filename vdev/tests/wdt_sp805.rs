//! The SP805 watchdog against ARM DDI 0270B: reset values, the counter
//! in time, the interrupt and the bite, the lock, the integration test
//! registers, narrow and refused accesses, and the register sequence of
//! Linux's `sp805_wdt` driver.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use vdev::wdt::sp805::regs::*;
use vdev::wdt::{Bite, Sp805, Watchdog};
use vdev::{Fault, Vdev};

const MS: u64 = 1_000_000;
/// The clock's reading when a model is made.
const T0: u64 = 5_000;

/// A model counting at `hz`, and the hand that moves its clock.
fn wdt(hz: u64) -> (Sp805, Arc<AtomicU64>) {
    let now = Arc::new(AtomicU64::new(T0));
    let clock = now.clone();
    (
        Sp805::new(Box::new(move || clock.load(Ordering::Relaxed)), hz),
        now,
    )
}

/// Sets the clock to `ns` after the model was made.
fn at(now: &AtomicU64, ns: u64) {
    now.store(T0 + ns, Ordering::Relaxed);
}

fn r(d: &mut Sp805, reg: u64) -> u32 {
    d.read(reg, 4).expect("32-bit read") as u32
}

fn w(d: &mut Sp805, reg: u64, value: u32) {
    d.write(reg, 4, value.into()).expect("32-bit write");
}

/// Load 10 at 1 kHz (a count every millisecond), counter enabled with
/// `control`, at time 0.
fn counting(control: u32) -> (Sp805, Arc<AtomicU64>) {
    let (mut d, now) = wdt(1000);
    w(&mut d, WDOG_LOAD, 10);
    w(&mut d, WDOG_CONTROL, control);
    (d, now)
}

#[test]
fn reset_values() {
    let (mut d, now) = wdt(25_000_000);
    let want = [
        (WDOG_LOAD, 0xFFFF_FFFF),
        (WDOG_VALUE, 0xFFFF_FFFF),
        (WDOG_CONTROL, 0),
        (WDOG_INTCLR, 0),
        (WDOG_RIS, 0),
        (WDOG_MIS, 0),
        (WDOG_LOCK, 0),
        (WDOG_ITCR, 0),
        (WDOG_ITOP, 0),
        (0x018, 0),
        (0xBFC, 0),
    ];
    for (reg, value) in want {
        assert_eq!(r(&mut d, reg), value, "register {reg:#x}");
    }
    let ids: Vec<u32> = (0..8).map(|i| r(&mut d, WDOG_PERIPH_ID0 + 4 * i)).collect();
    assert_eq!(ids, [0x05, 0x18, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1]);
    assert_eq!(r(&mut d, WDOG_PCELL_ID0), 0x0D);
    // Linux's AMBA bus reads the IDs so and matches 0x00141805.
    let pid = (0..4).fold(0, |id, i| id | (ids[i] & 0xFF) << (8 * i));
    assert_eq!(pid & 0x00ff_ffff, 0x0014_1805);
    assert_eq!(d.kind(), "wdt-sp805");
    assert_eq!((Sp805::SIZE, d.hz()), (0x1000, 25_000_000));
    // Held: time changes nothing.
    at(&now, 3_600_000 * MS);
    assert_eq!(r(&mut d, WDOG_VALUE), 0xFFFF_FFFF);
    assert!(!d.irq_level());
    assert_eq!((d.bite(), d.next_event_ns()), (None, None));
}

#[test]
fn the_counter_counts_interrupts_reloads_and_bites() {
    let (mut d, now) = counting(CONTROL_INTEN | CONTROL_RESEN);
    assert_eq!(r(&mut d, WDOG_VALUE), 10);
    assert_eq!(d.next_event_ns(), Some(T0 + 10 * MS), "the interrupt");
    at(&now, 3 * MS);
    assert_eq!(r(&mut d, WDOG_VALUE), 7);
    at(&now, 10 * MS - 1);
    assert_eq!((r(&mut d, WDOG_VALUE), r(&mut d, WDOG_RIS)), (1, 0));
    assert!(!d.irq_level());
    // 0 sets the interrupt; the next edge reloads WdogLoad.
    at(&now, 10 * MS);
    assert_eq!((r(&mut d, WDOG_VALUE), r(&mut d, WDOG_RIS)), (0, 1));
    assert_eq!(r(&mut d, WDOG_MIS), 1);
    assert!(d.irq_level());
    assert_eq!(d.bite(), None);
    assert_eq!(d.next_event_ns(), Some(T0 + 21 * MS), "the reset");
    at(&now, 11 * MS);
    assert_eq!(r(&mut d, WDOG_VALUE), 10);
    at(&now, 21 * MS - 1);
    assert_eq!((r(&mut d, WDOG_VALUE), d.bite()), (1, None));
    // 0 again with the interrupt set: the reset, the counter stops.
    at(&now, 21 * MS);
    let bite = Bite::Sp805Counter { load: 10, hz: 1000 };
    assert_eq!(d.bite(), Some(bite));
    assert_eq!(d.next_event_ns(), Some(T0 + 21 * MS), "due now");
    at(&now, 500 * MS);
    assert_eq!((r(&mut d, WDOG_VALUE), d.bite()), (0, Some(bite)));
    assert_eq!(
        bite.to_string(),
        "the SP805's counter reached 0 twice without its interrupt being cleared \
         (WdogLoad 0xa at 1000 Hz: 2 x 11 ms), its reset output enabled"
    );
}

#[test]
fn clearing_the_interrupt_in_time_keeps_it_from_biting() {
    let (mut d, now) = counting(CONTROL_INTEN | CONTROL_RESEN);
    // Pet every 15 ms: past the interrupt (10 ms), before the reset.
    for pet in 1..=20 {
        at(&now, pet * 15 * MS);
        assert!(d.irq_level(), "pet {pet}");
        assert_eq!(d.bite(), None, "pet {pet}");
        w(&mut d, WDOG_INTCLR, 0);
        assert!(!d.irq_level());
        assert_eq!(r(&mut d, WDOG_VALUE), 10, "reloaded");
        assert_eq!(d.next_event_ns(), Some(T0 + (pet * 15 + 10) * MS));
    }
    // Writing WdogLoad restarts the count but leaves the interrupt set.
    at(&now, 312 * MS);
    assert!(d.irq_level());
    w(&mut d, WDOG_LOAD, 100);
    assert_eq!((r(&mut d, WDOG_VALUE), r(&mut d, WDOG_RIS)), (100, 1));
    at(&now, 412 * MS);
    assert!(d.bite().is_some(), "the next 0 is the reset");
}

#[test]
fn without_resen_the_reset_stops_the_counter_and_waits() {
    let (mut d, now) = counting(CONTROL_INTEN);
    assert_eq!(d.next_event_ns(), Some(T0 + 10 * MS));
    at(&now, 10 * MS);
    assert_eq!(d.next_event_ns(), None, "nothing to raise, nothing to bite");
    at(&now, 50 * MS);
    assert_eq!((r(&mut d, WDOG_VALUE), d.bite()), (0, None));
    assert!(d.irq_level());
    // Clearing the interrupt does not restart a stopped counter.
    w(&mut d, WDOG_INTCLR, 1);
    at(&now, 60 * MS);
    assert_eq!((r(&mut d, WDOG_VALUE), r(&mut d, WDOG_RIS)), (10, 0));
    // The reset is still up: enabling it bites at once.
    w(&mut d, WDOG_CONTROL, CONTROL_INTEN | CONTROL_RESEN);
    assert_eq!(d.next_event_ns(), Some(T0 + 60 * MS));
    assert!(d.bite().is_some());
}

#[test]
fn inten_holds_and_reloads_the_counter() {
    let (mut d, now) = counting(CONTROL_INTEN);
    at(&now, 4 * MS);
    w(&mut d, WDOG_CONTROL, 0);
    at(&now, 100 * MS);
    assert_eq!(r(&mut d, WDOG_VALUE), 6, "held");
    assert_eq!((d.next_event_ns(), d.bite()), (None, None));
    // WdogLoad and WdogIntClr reload a held counter without starting it.
    w(&mut d, WDOG_LOAD, 20);
    assert_eq!(r(&mut d, WDOG_VALUE), 20);
    at(&now, 200 * MS);
    assert_eq!(r(&mut d, WDOG_VALUE), 20);
    w(&mut d, WDOG_CONTROL, CONTROL_INTEN);
    at(&now, 205 * MS);
    assert_eq!(r(&mut d, WDOG_VALUE), 15);
    // RESEN alone changes nothing in the count.
    w(&mut d, WDOG_CONTROL, CONTROL_INTEN | CONTROL_RESEN);
    assert_eq!(r(&mut d, WDOG_VALUE), 15);
    // The interrupt shows in WdogMIS and on the line only with INTEN.
    at(&now, 220 * MS);
    w(&mut d, WDOG_CONTROL, CONTROL_RESEN);
    assert_eq!((r(&mut d, WDOG_RIS), r(&mut d, WDOG_MIS)), (1, 0));
    assert!(!d.irq_level());
    at(&now, 10_000 * MS);
    assert_eq!(d.bite(), None, "a held counter never resets");
    assert_eq!(r(&mut d, WDOG_CONTROL), CONTROL_RESEN);
    w(&mut d, WDOG_CONTROL, 0xFFFF_FFFC);
    assert_eq!(r(&mut d, WDOG_CONTROL), 0, "reserved bits read 0");
}

#[test]
fn load_zero_resets_one_edge_later() {
    // Linux's sp805 restart handler: unlock, Control 0, Load 0, INTEN|RESEN.
    let (mut d, now) = wdt(1000);
    w(&mut d, WDOG_CONTROL, 0);
    w(&mut d, WDOG_LOAD, 0);
    w(&mut d, WDOG_CONTROL, CONTROL_INTEN | CONTROL_RESEN);
    assert_eq!(r(&mut d, WDOG_RIS), 1, "the interrupt at once");
    assert_eq!(d.bite(), None);
    assert_eq!(d.next_event_ns(), Some(T0 + MS));
    at(&now, MS);
    assert!(d.bite().is_some());
}

#[test]
fn the_lock_guards_every_other_register() {
    let (mut d, now) = wdt(1000);
    w(&mut d, WDOG_LOCK, 1);
    assert_eq!(r(&mut d, WDOG_LOCK), LOCK_LOCKED);
    w(&mut d, WDOG_LOAD, 10);
    w(&mut d, WDOG_CONTROL, CONTROL_INTEN | CONTROL_RESEN);
    w(&mut d, WDOG_ITCR, ITCR_ENABLE);
    w(&mut d, WDOG_ITOP, ITOP_WDOGRES);
    assert_eq!(r(&mut d, WDOG_LOAD), 0xFFFF_FFFF);
    assert_eq!((r(&mut d, WDOG_CONTROL), r(&mut d, WDOG_ITCR)), (0, 0));
    assert_eq!(d.bite(), None);
    w(&mut d, WDOG_LOCK, LOCK_KEY);
    assert_eq!(r(&mut d, WDOG_LOCK), 0);
    w(&mut d, WDOG_LOAD, 10);
    w(&mut d, WDOG_CONTROL, CONTROL_INTEN | CONTROL_RESEN);
    w(&mut d, WDOG_LOCK, 0);
    at(&now, 10 * MS);
    assert!(d.irq_level());
    w(&mut d, WDOG_INTCLR, 0);
    assert!(d.irq_level(), "WdogIntClr is locked too");
    at(&now, 21 * MS);
    assert!(d.bite().is_some());
    // A narrow write of the key is another value: it locks.
    let (mut d, _) = wdt(1000);
    d.write(WDOG_LOCK, 2, 0xE551).unwrap();
    assert_eq!(r(&mut d, WDOG_LOCK), LOCK_LOCKED);
}

#[test]
fn integration_test_registers_drive_the_outputs() {
    let (mut d, _) = counting(CONTROL_INTEN | CONTROL_RESEN);
    w(&mut d, WDOG_ITCR, 0xFFFF_FFFF);
    assert_eq!(r(&mut d, WDOG_ITCR), ITCR_ENABLE);
    assert_eq!(d.next_event_ns(), None, "the outputs follow WdogITOP");
    w(&mut d, WDOG_ITOP, ITOP_WDOGINT);
    assert!(d.irq_level());
    assert_eq!((r(&mut d, WDOG_RIS), r(&mut d, WDOG_ITOP)), (0, 0));
    assert_eq!(d.bite(), None);
    w(&mut d, WDOG_ITOP, ITOP_WDOGRES);
    assert!(!d.irq_level());
    assert_eq!(d.bite(), Some(Bite::Sp805TestOutput));
    w(&mut d, WDOG_ITCR, 0);
    assert_eq!(d.bite(), None, "back to the counter's outputs");
    assert_eq!(r(&mut d, WDOG_VALUE), 10);
}

#[test]
fn narrow_and_refused_accesses() {
    let (mut d, _) = wdt(1000);
    d.write(WDOG_LOAD + 1, 1, 0x12).unwrap();
    assert_eq!(r(&mut d, WDOG_LOAD), 0xFFFF_12FF);
    d.write(WDOG_LOAD + 2, 2, 0).unwrap();
    assert_eq!(r(&mut d, WDOG_LOAD), 0x0000_12FF);
    assert_eq!(d.read(WDOG_LOAD + 1, 1), Ok(0x12));
    assert_eq!(d.read(WDOG_PERIPH_ID0 + 8, 2), Ok(0x14));
    for (offset, size) in [(0, 8), (1, 2), (2, 4), (0, 3), (0x1000, 4)] {
        assert_eq!(
            d.read(offset, size),
            Err(Fault::Unsupported),
            "{offset:#x}/{size}"
        );
        assert_eq!(d.write(offset, size, 0), Err(Fault::Unsupported));
    }
    // Read-only registers ignore writes.
    w(&mut d, WDOG_VALUE, 5);
    w(&mut d, WDOG_RIS, 1);
    w(&mut d, WDOG_PERIPH_ID0, 0);
    assert_eq!((r(&mut d, WDOG_VALUE), r(&mut d, WDOG_RIS)), (0x12FF, 0));
    assert_eq!(r(&mut d, WDOG_PERIPH_ID0), 0x05);
}
