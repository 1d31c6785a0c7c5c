use super::calendar::{civil_from_days, days_from_civil};
use super::*;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};

/// 2026-12-06 10:00:00 UTC, a Sunday.
const START: u64 = 1_796_551_200;
const MS: u64 = 1_000_000;
const S: u64 = 1_000_000_000;

/// An RTC at `unix` on a hand-driven clock that starts at 5 s.
fn rtc_at(unix: u64) -> (Mc146818, Arc<AtomicU64>) {
    let t = Arc::new(AtomicU64::new(5 * S));
    let c = t.clone();
    let rtc = Mc146818::new(Box::new(move || c.load(Ordering::SeqCst)), unix);
    (rtc, t)
}

fn advance(t: &AtomicU64, ns: u64) {
    t.fetch_add(ns, Ordering::SeqCst);
}

fn get(rtc: &mut Mc146818, index: u8) -> u8 {
    rtc.write(0, 1, u64::from(index)).unwrap();
    rtc.read(1, 1).unwrap() as u8
}

fn set(rtc: &mut Mc146818, index: u8, value: u8) {
    rtc.write(0, 1, u64::from(index)).unwrap();
    rtc.write(1, 1, u64::from(value)).unwrap();
}

/// Seconds, minutes, hours, day of week, date, month, year, century.
fn time(rtc: &mut Mc146818) -> [u8; 8] {
    [0, 2, 4, 6, 7, 8, 9, 0x32].map(|i| get(rtc, i))
}

#[test]
fn reads_the_start_time_in_bcd_and_binary() {
    let (mut rtc, _) = rtc_at(START);
    assert_eq!(get(&mut rtc, REGISTER_B), HOURS_24);
    assert_eq!(get(&mut rtc, REGISTER_D), VRT);
    assert_eq!(
        time(&mut rtc),
        [0x00, 0x00, 0x10, 1, 0x06, 0x12, 0x26, 0x20]
    );
    set(&mut rtc, REGISTER_B, HOURS_24 | DM);
    assert_eq!(time(&mut rtc), [0, 0, 10, 1, 6, 12, 26, 20]);
}

#[test]
fn counts_the_clock_across_days_years_and_centuries() {
    let (mut rtc, t) = rtc_at(4_102_444_799); // 2099-12-31 23:59:59
    assert_eq!(
        time(&mut rtc),
        [0x59, 0x59, 0x23, 5, 0x31, 0x12, 0x99, 0x20]
    );
    advance(&t, S - 1);
    assert_eq!(get(&mut rtc, SECONDS), 0x59);
    advance(&t, 1);
    assert_eq!(time(&mut rtc), [0, 0, 0, 6, 0x01, 0x01, 0x00, 0x21]);
}

#[test]
fn twelve_hour_mode_sets_pm_in_bit_7() {
    let (mut rtc, t) = rtc_at(START);
    set(&mut rtc, REGISTER_B, 0); // BCD, 12-hour
    assert_eq!(get(&mut rtc, HOURS), 0x10);
    advance(&t, 2 * 3600 * S);
    assert_eq!(get(&mut rtc, HOURS), 0x80 | 0x12);
    advance(&t, 3600 * S);
    assert_eq!(get(&mut rtc, HOURS), 0x80 | 0x01);
    advance(&t, 11 * 3600 * S);
    assert_eq!(get(&mut rtc, HOURS), 0x12, "midnight is 12 AM");
    // Setting 3 PM in binary 12-hour mode.
    set(&mut rtc, REGISTER_B, DM);
    set(&mut rtc, HOURS, 0x80 | 3);
    set(&mut rtc, REGISTER_B, DM | HOURS_24);
    assert_eq!(get(&mut rtc, HOURS), 15);
}

#[test]
fn set_freezes_the_time_and_clearing_it_starts_from_what_was_written() {
    let (mut rtc, t) = rtc_at(START);
    set(&mut rtc, REGISTER_B, HOURS_24 | SET | UIE);
    assert_eq!(get(&mut rtc, REGISTER_B), HOURS_24 | SET, "SET clears UIE");
    advance(&t, 5 * S);
    assert_eq!(get(&mut rtc, SECONDS), 0, "no updates while SET");
    // 2028-02-29 23:59:58, in the order Linux's mc146818_set_time uses.
    for (i, v) in [
        (9, 0x28),
        (8, 0x02),
        (7, 0x29),
        (4, 0x23),
        (2, 0x59),
        (0, 0x58),
    ] {
        set(&mut rtc, i, v);
    }
    set(&mut rtc, CENTURY, 0x20);
    assert_eq!(get(&mut rtc, DATE_OF_MONTH), 0x29);
    set(&mut rtc, REGISTER_B, HOURS_24);
    assert_eq!(
        time(&mut rtc),
        [0x58, 0x59, 0x23, 3, 0x29, 0x02, 0x28, 0x20]
    );
    advance(&t, 2 * S);
    assert_eq!(time(&mut rtc), [0, 0, 0, 4, 0x01, 0x03, 0x28, 0x20]);
}

#[test]
fn a_time_byte_written_while_running_sets_the_clock() {
    let (mut rtc, t) = rtc_at(START);
    advance(&t, S / 2);
    set(&mut rtc, MINUTES, 0x30);
    assert_eq!(get(&mut rtc, MINUTES), 0x30);
    advance(&t, S / 2);
    assert_eq!(time(&mut rtc)[..3], [0x01, 0x30, 0x10], "same second phase");
}

#[test]
fn uip_is_set_for_the_244_us_before_each_update() {
    let (mut rtc, t) = rtc_at(START);
    assert_eq!(get(&mut rtc, REGISTER_A), 0x26);
    advance(&t, S - 244_001);
    assert_eq!(get(&mut rtc, REGISTER_A) & UIP, 0);
    advance(&t, 1);
    assert_eq!(get(&mut rtc, REGISTER_A) & UIP, UIP);
    assert_eq!(get(&mut rtc, SECONDS), 0x00, "not updated yet");
    set(&mut rtc, REGISTER_B, HOURS_24 | SET);
    assert_eq!(get(&mut rtc, REGISTER_A), 0x26, "no UIP while SET");
    set(&mut rtc, REGISTER_B, HOURS_24);
    advance(&t, 244_000);
    assert_eq!(get(&mut rtc, REGISTER_A) & UIP, 0);
    assert_eq!(get(&mut rtc, SECONDS), 0x01);
}

#[test]
fn periodic_flag_follows_the_rate_and_register_c_read_clears() {
    let (mut rtc, t) = rtc_at(START);
    // RS = 6: 1024 Hz, 976.5625 us.
    advance(&t, 976_562);
    assert_eq!(get(&mut rtc, REGISTER_C), 0);
    advance(&t, 1);
    assert_eq!(get(&mut rtc, REGISTER_C), PF, "no IRQF without PIE");
    assert_eq!(get(&mut rtc, REGISTER_C), 0, "read clears");
    set(&mut rtc, REGISTER_B, HOURS_24 | PIE);
    assert!(!rtc.irq_level());
    let due = rtc.next_irq_ns().unwrap();
    assert_eq!(due, 5 * S + 1_953_125);
    t.store(due - 1, Ordering::SeqCst);
    assert!(!rtc.irq_level());
    t.store(due, Ordering::SeqCst);
    assert!(rtc.irq_level());
    assert_eq!(rtc.next_irq_ns(), None, "already up");
    assert_eq!(get(&mut rtc, REGISTER_C), IRQF | PF);
    assert!(!rtc.irq_level());
    // RS = 15: 2 Hz, in phase with the divider chain; RS = 0: none.
    set(&mut rtc, REGISTER_A, 0x2F);
    t.store(5 * S + 499 * MS, Ordering::SeqCst);
    assert!(!rtc.irq_level());
    advance(&t, MS);
    assert!(rtc.irq_level());
    get(&mut rtc, REGISTER_C);
    set(&mut rtc, REGISTER_A, 0x20);
    advance(&t, 10 * S);
    assert_eq!(get(&mut rtc, REGISTER_C), UF, "no PF with RS = 0");
}

#[test]
fn update_ended_and_alarm_flags() {
    let (mut rtc, t) = rtc_at(START);
    set(&mut rtc, REGISTER_A, 0x20); // no periodic flag
    set(&mut rtc, REGISTER_B, HOURS_24 | UIE);
    assert_eq!(rtc.next_irq_ns(), Some(6 * S));
    advance(&t, S);
    assert!(rtc.irq_level());
    assert_eq!(get(&mut rtc, REGISTER_C), IRQF | UF);
    // Alarm at 10:00:05 (BCD).
    for (i, v) in [
        (SECONDS_ALARM, 0x05),
        (MINUTES_ALARM, 0),
        (HOURS_ALARM, 0x10),
    ] {
        set(&mut rtc, i, v);
    }
    set(&mut rtc, REGISTER_B, HOURS_24 | AIE);
    assert_eq!(rtc.next_irq_ns(), Some(10 * S));
    advance(&t, 3 * S);
    assert_eq!(get(&mut rtc, REGISTER_C), UF);
    advance(&t, S);
    assert!(rtc.irq_level());
    assert_eq!(get(&mut rtc, REGISTER_C), IRQF | AF | UF);
    // The next 10:00:05 is tomorrow; "don't care" hours: 11:00:05.
    assert_eq!(rtc.next_irq_ns(), Some((10 + 86_400) * S));
    set(&mut rtc, HOURS_ALARM, 0xC0);
    assert_eq!(rtc.next_irq_ns(), Some((10 + 3600) * S));
    // All "don't care": every second. An impossible alarm: never.
    set(&mut rtc, MINUTES_ALARM, 0xFF);
    set(&mut rtc, SECONDS_ALARM, 0xC0);
    assert_eq!(rtc.next_irq_ns(), Some(11 * S));
    set(&mut rtc, SECONDS_ALARM, 0x60);
    assert_eq!(rtc.next_irq_ns(), None);
    advance(&t, 86_400 * S);
    assert_eq!(get(&mut rtc, REGISTER_C), UF);
}

#[test]
fn index_bit_7_is_the_nmi_mask() {
    let (mut rtc, _) = rtc_at(START);
    assert!(!rtc.nmi_masked());
    rtc.write(0, 1, 0x80 | u64::from(REGISTER_D)).unwrap();
    assert!(rtc.nmi_masked());
    assert_eq!(rtc.read(1, 1), Ok(u64::from(VRT)));
    assert_eq!(rtc.read(0, 1), Ok(0xFF), "the index port is write-only");
    rtc.write(0, 1, u64::from(HOURS)).unwrap();
    assert!(!rtc.nmi_masked());
}

#[test]
fn cmos_ram_is_storage() {
    let (mut rtc, _) = rtc_at(START);
    rtc.set_cmos(0x34, 0x12);
    rtc.cmos_mut()[0x35] = 0x34;
    assert_eq!([get(&mut rtc, 0x34), get(&mut rtc, 0x35)], [0x12, 0x34]);
    set(&mut rtc, 0x7F, 0xA5);
    set(&mut rtc, REGISTER_C, 0xFF);
    set(&mut rtc, REGISTER_D, 0);
    assert_eq!(rtc.cmos()[0x7F], 0xA5);
    assert_eq!(
        [get(&mut rtc, REGISTER_C), get(&mut rtc, REGISTER_D)],
        [0, VRT]
    );
    rtc.set_cmos(CENTURY, 0x19);
    assert_eq!(get(&mut rtc, CENTURY), 0x20, "the century is the clock's");
}

/// Linux's `mc146818_get_time`: `mc146818_avoid_UIP` around reads of the
/// time bytes, register B and the century, retrying (100 us apart) while
/// UIP is set or the seconds change.
#[test]
fn linux_get_time_waits_out_uip() {
    let (mut rtc, t) = rtc_at(START);
    advance(&t, S - 150_000); // inside the UIP window
    let mut tries = 0;
    let got = loop {
        tries += 1;
        assert!(tries < 10);
        let seconds = get(&mut rtc, SECONDS);
        if get(&mut rtc, REGISTER_A) & UIP != 0 {
            advance(&t, 100_000);
            continue;
        }
        let b = get(&mut rtc, REGISTER_B);
        let rest = [2, 4, 7, 8, 9, 0x32].map(|i| get(&mut rtc, i));
        if get(&mut rtc, REGISTER_A) & UIP != 0 || get(&mut rtc, SECONDS) != seconds {
            continue;
        }
        break (seconds, b, rest);
    };
    assert_eq!(got, (0x01, HOURS_24, [0, 0x10, 0x06, 0x12, 0x26, 0x20]));
    assert_eq!(tries, 3);
}

#[test]
fn odd_accesses_fault_and_nothing_panics() {
    let (mut rtc, t) = rtc_at(u64::MAX);
    assert_eq!(rtc.read(1, 2), Err(Fault::Unsupported));
    assert_eq!(rtc.read(2, 1), Err(Fault::Unsupported));
    assert_eq!(rtc.write(0, 4, 0), Err(Fault::Unsupported));
    assert_eq!(rtc.write(u64::MAX, 1, 0), Err(Fault::Unsupported));
    for (n, index) in (0..=255u8).enumerate() {
        for value in [0x00, 0x7F, 0x80, 0x9A, 0xFF, index] {
            for b in [SET, 0, DM, PIE | AIE | UIE] {
                set(&mut rtc, REGISTER_B, b | value & (DM | HOURS_24));
                set(&mut rtc, index, value);
                get(&mut rtc, index);
                rtc.irq_level();
                rtc.next_irq_ns();
            }
        }
        t.store(u64::MAX - (n as u64) * S, Ordering::SeqCst);
    }
    rtc.reset();
    assert!(!rtc.irq_level());
}

#[test]
fn calendar_round_trips() {
    assert_eq!(days_from_civil(1970, 1, 1), 0);
    assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    assert_eq!(civil_from_days(-719_468), (0, 3, 1));
    for z in (-800_000..3_000_000).step_by(997) {
        let (y, m, d) = civil_from_days(z);
        assert_eq!(days_from_civil(y, m, d), z);
    }
}
