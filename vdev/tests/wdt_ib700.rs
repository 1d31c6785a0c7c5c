//! The IB700 watchdog: the timeout table, start, restart and stop in
//! time, the window's ports and access sizes, and the port writes of
//! Linux's `ib700wdt` driver.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use vdev::wdt::ib700::{BASE_PORT, START, STOP, timeout_seconds};
use vdev::wdt::{Bite, Ib700, Watchdog};
use vdev::{Fault, Vdev};

const S: u64 = 1_000_000_000;

fn wdt() -> (Ib700, Arc<AtomicU64>) {
    let now = Arc::new(AtomicU64::new(0));
    let clock = now.clone();
    (
        Ib700::new(Box::new(move || clock.load(Ordering::Relaxed))),
        now,
    )
}

fn at(now: &AtomicU64, ns: u64) {
    now.store(ns, Ordering::Relaxed);
}

#[test]
fn stopped_at_start_and_nothing_to_read() {
    let (mut d, now) = wdt();
    assert_eq!((d.kind(), Ib700::SIZE, BASE_PORT), ("wdt-ib700", 4, 0x441));
    assert_eq!(d.read(STOP, 1), Ok(0xFF));
    assert_eq!(d.read(START, 2), Ok(0xFFFF));
    assert_eq!(d.read(0, 4), Ok(0xFFFF_FFFF));
    at(&now, 3600 * S);
    assert_eq!(
        (d.bite(), d.next_event_ns(), d.timeout()),
        (None, None, None)
    );
    assert!(!d.irq_level());
}

#[test]
fn the_timeout_table() {
    let table: Vec<u32> = (0..16).map(timeout_seconds).collect();
    assert_eq!(
        table,
        [30, 28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0]
    );
    assert_eq!(timeout_seconds(0xF3), 24, "the low 4 bits");
}

#[test]
fn start_restart_stop_and_bite() {
    let (mut d, now) = wdt();
    at(&now, 10 * S);
    d.write(START, 1, 13).unwrap();
    assert_eq!(d.timeout(), Some(4));
    assert_eq!(d.next_event_ns(), Some(14 * S));
    at(&now, 13 * S);
    d.write(START, 1, 13).unwrap(); // a ping
    at(&now, 17 * S - 1);
    assert_eq!(d.bite(), None);
    at(&now, 17 * S);
    assert_eq!(d.bite(), Some(Bite::Ib700 { seconds: 4 }));
    assert_eq!(
        Bite::Ib700 { seconds: 4 }.to_string(),
        "the IB700 was not restarted within its 4 s timeout (I/O port 0x443)"
    );
    d.write(STOP, 1, 0).unwrap();
    assert_eq!((d.bite(), d.next_event_ns()), (None, None));
    // 0xF: 0 s, bites at once.
    d.write(START, 1, 0xF).unwrap();
    assert_eq!(d.bite(), Some(Bite::Ib700 { seconds: 0 }));
}

#[test]
fn wide_writes_are_byte_writes_in_address_order() {
    let (mut d, _) = wdt();
    // The manual's `OUT DX,AX` to 0x443: AL to 0x443, AH to 0x444.
    d.write(START, 2, 0xFF0D).unwrap();
    assert_eq!(d.timeout(), Some(4));
    d.write(STOP, 2, 0xFFFF).unwrap();
    assert_eq!(d.timeout(), None);
    // 0x441..0x444 at once: stop, then start.
    d.write(0, 4, 0x0007_0000).unwrap();
    assert_eq!(d.timeout(), Some(16));
    // 0x442 and 0x444 alone do nothing.
    d.write(1, 1, 0).unwrap();
    d.write(3, 1, 0).unwrap();
    assert_eq!(d.timeout(), Some(16));
}

#[test]
fn refused_accesses() {
    let (mut d, _) = wdt();
    for (offset, size) in [(0, 8), (0, 3), (3, 2), (1, 4), (4, 1), (u64::MAX, 1)] {
        assert_eq!(
            d.write(offset, size, 0),
            Err(Fault::Unsupported),
            "{offset}/{size}"
        );
        assert_eq!(d.read(offset, size), Err(Fault::Unsupported));
    }
    assert_eq!(d.timeout(), None);
}

#[test]
fn linux_ib700wdt() {
    // ib700wdt with `timeout` 6 (WDIOC_SETTIMEOUT): ibwdt_ping writes
    // 15 - (6 + 1) / 2 = 12 to 0x443 on open and each write.
    let (mut d, now) = wdt();
    let timeout: u64 = 6;
    let ping = |d: &mut Ib700| d.write(START, 1, 15 - timeout.div_ceil(2)).unwrap();
    ping(&mut d);
    assert_eq!(d.timeout(), Some(6));
    for second in 1..=10 {
        at(&now, second * S);
        assert_eq!(d.bite(), None);
        ping(&mut d);
    }
    at(&now, 16 * S);
    assert!(d.bite().is_some(), "6 s after the last ping");
    // A close after the magic 'V': ibwdt_disable writes 0 to 0x441.
    d.write(STOP, 1, 0).unwrap();
    at(&now, 100 * S);
    assert_eq!(d.bite(), None);
}
