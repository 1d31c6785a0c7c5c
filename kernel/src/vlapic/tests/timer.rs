//! The timer: exact deadlines and current counts in every mode and at
//! every divide value, periodic reloads (late ones too), TSC-deadline
//! arming and disarming, masking, mode changes, rate changes mid-count.

use super::*;

const VEC: u32 = 0x40;
const ONE_SHOT: u32 = VEC;
const PERIODIC: u32 = VEC | 1 << 17;
const DEADLINE: u32 = VEC | 2 << 17;

/// An enabled APIC with the LVT timer set to `lvt` and divide `dcr`.
fn with_timer(lvt: u32, dcr: u32) -> VLapic {
    let mut l = enabled();
    wr(&mut l, APIC_LVT_TIMER, lvt);
    wr(&mut l, APIC_TIMER_DIVIDE, dcr);
    l
}

#[test]
fn clock_rejects_zero_and_rounds_up() {
    assert_eq!(TimerClock::new(0, 1), None);
    assert_eq!(TimerClock::new(1, 0), None);
    let c = TimerClock::new(2_500_000_000, 1_000_000_000).unwrap();
    assert_eq!(c, TimerClock::new(5, 2).unwrap(), "reduced");
    assert_eq!(c.to_tsc(3), 8, "7.5 rounds up");
    assert_eq!(c.to_tsc(4), 10);
    assert_eq!(c.to_bus(7), 2);
    assert_eq!(c.to_bus(8), 3);
}

#[test]
fn one_shot_deadline_and_current_count() {
    // Divide by 2, 3 TSC ticks per bus tick: 6 per count.
    let mut l = with_timer(ONE_SHOT, 0);
    assert_eq!(l.write(APIC_TIMER_INITIAL, 10, 100), Effect::Timer);
    assert_eq!(l.timer_deadline(), Some(160));
    for (now, count) in [(100, 10), (105, 10), (106, 9), (111, 9), (112, 8), (159, 1)] {
        assert_eq!(l.read(APIC_TIMER_CURRENT, now), count, "at {now}");
    }
    assert_eq!(l.read(APIC_TIMER_CURRENT, 160), 0);
    assert_eq!(l.read(APIC_TIMER_CURRENT, 10_000), 0);
    assert_eq!(rd(&mut l, APIC_TIMER_INITIAL), 10);
    assert!(!l.timer_fire(159));
    assert!(l.irr().is_empty());
    assert!(l.timer_fire(160));
    assert_eq!(vectors(l.irr()), [0x40]);
    assert!(!l.tmr().contains(0x40), "edge-triggered");
    assert_eq!(l.timer_deadline(), None, "one-shot stops");
    assert!(!l.timer_fire(1000));
    assert_eq!(rd(&mut l, APIC_TIMER_INITIAL), 10, "initial count kept");
}

#[test]
fn every_divide_value() {
    let table = [
        (0b0000, 2),
        (0b0001, 4),
        (0b0010, 8),
        (0b0011, 16),
        (0b1000, 32),
        (0b1001, 64),
        (0b1010, 128),
        (0b1011, 1),
        // Bit 2 is not part of the value.
        (0b0111, 16),
    ];
    for (dcr, div) in table {
        let mut l = with_timer(ONE_SHOT, dcr);
        l.write(APIC_TIMER_INITIAL, 7, 1000);
        assert_eq!(l.timer_deadline(), Some(1000 + 7 * div * 3), "DCR {dcr:#b}");
        let one_count = div * 3;
        assert_eq!(l.read(APIC_TIMER_CURRENT, 1000 + one_count - 1), 7);
        assert_eq!(l.read(APIC_TIMER_CURRENT, 1000 + one_count), 6);
    }
}

#[test]
fn non_integer_clock_ratio() {
    // 2.5 TSC ticks per bus tick, divide by 1: 3 counts end at 7.5 → 8.
    let clock = TimerClock::new(5, 2).unwrap();
    let mut l = VLapic::new(0, true, clock);
    wr(&mut l, APIC_SVR, 0x1FF);
    wr(&mut l, APIC_LVT_TIMER, ONE_SHOT);
    wr(&mut l, APIC_TIMER_DIVIDE, 0xB);
    l.write(APIC_TIMER_INITIAL, 3, 0);
    assert_eq!(l.timer_deadline(), Some(8));
    let counts: Vec<u32> = (0..=8).map(|t| l.read(APIC_TIMER_CURRENT, t)).collect();
    assert_eq!(counts, [3, 3, 3, 2, 2, 1, 1, 1, 0]);
}

#[test]
fn periodic_reloads_and_catches_up() {
    // Divide by 1: 3 TSC per count, period 15.
    let mut l = with_timer(PERIODIC, 0xB);
    l.write(APIC_TIMER_INITIAL, 5, 0);
    assert_eq!(l.timer_deadline(), Some(15));
    assert_eq!(l.read(APIC_TIMER_CURRENT, 14), 1);
    assert!(l.timer_fire(15));
    assert_eq!(l.timer_deadline(), Some(30));
    assert_eq!(l.read(APIC_TIMER_CURRENT, 15), 5);
    assert_eq!(take(&mut l), 0x40);
    // The kernel is late by two periods: one interrupt, then in phase.
    assert_eq!(
        l.read(APIC_TIMER_CURRENT, 47),
        5,
        "phase 2 of the 4th period"
    );
    assert_eq!(l.read(APIC_TIMER_CURRENT, 50), 4);
    assert!(l.timer_fire(47));
    assert_eq!(vectors(l.irr()), [0x40]);
    assert_eq!(l.timer_deadline(), Some(60));
    assert_eq!(l.read(APIC_TIMER_CURRENT, 50), 4);
    assert_eq!(l.read(APIC_TIMER_CURRENT, 59), 1);
    // Not due yet: nothing happens.
    assert!(!l.timer_fire(59));
    assert_eq!(l.timer_deadline(), Some(60));
}

#[test]
fn masked_timer_counts_without_interrupts() {
    let mut l = with_timer(PERIODIC | LVT_MASKED, 0xB);
    l.write(APIC_TIMER_INITIAL, 2, 0);
    assert_eq!(l.timer_deadline(), Some(6));
    assert!(!l.timer_fire(6));
    assert!(l.irr().is_empty());
    assert_eq!(l.timer_deadline(), Some(12), "still reloads");
    let mut l = with_timer(ONE_SHOT | LVT_MASKED, 0xB);
    l.write(APIC_TIMER_INITIAL, 2, 0);
    assert!(!l.timer_fire(6));
    assert_eq!(l.timer_deadline(), None, "one-shot expired");
    // Unmasking later raises nothing retroactively.
    wr(&mut l, APIC_LVT_TIMER, ONE_SHOT);
    assert!(!l.timer_fire(100));
    assert!(l.irr().is_empty());
}

#[test]
fn initial_count_zero_stops_and_rewrite_restarts() {
    let mut l = with_timer(PERIODIC, 0xB);
    l.write(APIC_TIMER_INITIAL, 100, 0);
    l.write(APIC_TIMER_INITIAL, 10, 50);
    assert_eq!(l.timer_deadline(), Some(80), "restarted at 50");
    assert_eq!(l.read(APIC_TIMER_CURRENT, 50), 10);
    assert_eq!(l.write(APIC_TIMER_INITIAL, 0, 60), Effect::Timer);
    assert_eq!(l.timer_deadline(), None);
    assert_eq!(l.read(APIC_TIMER_CURRENT, 60), 0);
    assert!(!l.timer_fire(1000));
}

#[test]
fn a_write_first_takes_an_expiry_due() {
    let mut l = with_timer(ONE_SHOT, 0xB);
    l.write(APIC_TIMER_INITIAL, 10, 0);
    // The deadline (30) passed without timer_fire: the write takes it.
    l.write(APIC_TIMER_INITIAL, 10, 40);
    assert_eq!(vectors(l.irr()), [0x40]);
    assert_eq!(l.timer_deadline(), Some(70));
}

#[test]
fn divide_change_mid_count_keeps_the_count() {
    // Divide by 2: 6 TSC per count; 100 counts from 0 end at 600.
    let mut l = with_timer(ONE_SHOT, 0);
    l.write(APIC_TIMER_INITIAL, 100, 0);
    assert_eq!(l.read(APIC_TIMER_CURRENT, 300), 50);
    assert_eq!(l.write(APIC_TIMER_DIVIDE, 0xB, 300), Effect::Timer);
    assert_eq!(l.read(APIC_TIMER_CURRENT, 300), 50);
    assert_eq!(l.timer_deadline(), Some(450));
    assert_eq!(l.read(APIC_TIMER_CURRENT, 330), 40);
    // A periodic timer reloads the initial count at the new rate.
    let mut l = with_timer(PERIODIC, 0);
    l.write(APIC_TIMER_INITIAL, 100, 0);
    l.write(APIC_TIMER_DIVIDE, 0xB, 300);
    assert!(l.timer_fire(450));
    assert_eq!(l.timer_deadline(), Some(750));
}

#[test]
fn tsc_deadline_arm_fire_disarm() {
    let mut l = with_timer(DEADLINE, 0);
    assert_eq!(l.timer_mode(), TimerMode::TscDeadline);
    assert_eq!(l.write_msr(IA32_TSC_DEADLINE, 1000, 0), Ok(Effect::Timer));
    assert_eq!(l.timer_deadline(), Some(1000));
    assert_eq!(l.read_msr(IA32_TSC_DEADLINE, 999), Ok(1000));
    assert_eq!(l.read_msr(IA32_TSC_DEADLINE, 1000), Ok(0), "passed");
    assert!(!l.timer_fire(999));
    assert!(l.timer_fire(1000));
    assert_eq!(vectors(l.irr()), [0x40]);
    assert_eq!(l.timer_deadline(), None);
    assert_eq!(l.read_msr(IA32_TSC_DEADLINE, 0), Ok(0), "disarmed");
    // 0 disarms.
    l.write_msr(IA32_TSC_DEADLINE, 2000, 0).unwrap();
    l.write_msr(IA32_TSC_DEADLINE, 0, 0).unwrap();
    assert_eq!(l.timer_deadline(), None);
    assert!(!l.timer_fire(u64::MAX));
    // A deadline already past fires at the next look.
    l.write_msr(IA32_TSC_DEADLINE, 5, 10).unwrap();
    assert_eq!(l.timer_deadline(), Some(5));
    take(&mut l);
    assert!(l.timer_fire(10));
    // The count registers are idle in this mode.
    assert_eq!(l.write(APIC_TIMER_INITIAL, 50, 0), Effect::None);
    assert_eq!(rd(&mut l, APIC_TIMER_INITIAL), 0);
    assert_eq!(rd(&mut l, APIC_TIMER_CURRENT), 0);
}

#[test]
fn tsc_deadline_msr_outside_deadline_mode() {
    let mut l = with_timer(ONE_SHOT, 0);
    assert_eq!(l.write_msr(IA32_TSC_DEADLINE, 1000, 0), Ok(Effect::None));
    assert_eq!(l.read_msr(IA32_TSC_DEADLINE, 0), Ok(0));
    assert_eq!(l.timer_deadline(), None);
    // Without TSC-deadline support: no MSR and no mode bit 18.
    let mut cfg = LapicConfig::new(1, false, CLOCK);
    cfg.tsc_deadline = false;
    let mut l = VLapic::with_config(cfg);
    wr(&mut l, APIC_SVR, 0x1FF);
    assert_eq!(l.read_msr(IA32_TSC_DEADLINE, 0), Err(Gp));
    assert_eq!(l.write_msr(IA32_TSC_DEADLINE, 1, 0), Err(Gp));
    wr(&mut l, APIC_LVT_TIMER, DEADLINE | PERIODIC);
    assert_eq!(rd(&mut l, APIC_LVT_TIMER), PERIODIC);
}

#[test]
fn changing_the_mode_disarms() {
    // One-shot to periodic.
    let mut l = with_timer(ONE_SHOT, 0);
    l.write(APIC_TIMER_INITIAL, 100, 0);
    assert_eq!(l.write(APIC_LVT_TIMER, PERIODIC, 10), Effect::Timer);
    assert_eq!(l.timer_deadline(), None);
    assert_eq!(rd(&mut l, APIC_TIMER_INITIAL), 0);
    // Counting to TSC-deadline, and back.
    l.write(APIC_TIMER_INITIAL, 100, 20);
    wr(&mut l, APIC_LVT_TIMER, DEADLINE);
    assert_eq!(l.timer_deadline(), None);
    l.write_msr(IA32_TSC_DEADLINE, 500, 0).unwrap();
    wr(&mut l, APIC_LVT_TIMER, ONE_SHOT);
    assert_eq!(l.timer_deadline(), None);
    wr(&mut l, APIC_LVT_TIMER, DEADLINE);
    assert_eq!(l.read_msr(IA32_TSC_DEADLINE, 0), Ok(0), "not re-armed");
    // The reserved mode 11 does not run.
    wr(&mut l, APIC_LVT_TIMER, VEC | 3 << 17);
    assert_eq!(l.timer_mode(), TimerMode::Reserved);
    l.write(APIC_TIMER_INITIAL, 10, 0);
    assert_eq!(l.timer_deadline(), None);
    // The same mode (a mask change) keeps the timer running.
    let mut l = with_timer(PERIODIC, 0);
    l.write(APIC_TIMER_INITIAL, 10, 0);
    wr(&mut l, APIC_LVT_TIMER, PERIODIC | LVT_MASKED);
    assert_eq!(l.timer_deadline(), Some(60));
    wr(&mut l, APIC_LVT_TIMER, 1 << 17 | 0x33);
    assert_eq!(l.timer_deadline(), Some(60));
    assert!(l.timer_fire(60));
    assert_eq!(vectors(l.irr()), [0x33], "the new vector");
}

#[test]
fn disabling_the_apic_stops_the_timer() {
    let mut l = with_timer(PERIODIC, 0);
    l.write(APIC_TIMER_INITIAL, 10, 0);
    assert_eq!(
        l.write_msr(IA32_APIC_BASE, APIC_BASE_DEFAULT, 0),
        Ok(Effect::Timer)
    );
    assert_eq!(l.timer_deadline(), None);
    assert!(!l.timer_fire(1_000_000));
}

#[test]
fn software_disabled_timer_raises_nothing() {
    let mut l = with_timer(ONE_SHOT, 0xB);
    l.write(APIC_TIMER_INITIAL, 1, 0);
    wr(&mut l, APIC_SVR, 0xFF);
    assert_eq!(rd(&mut l, APIC_LVT_TIMER), ONE_SHOT | LVT_MASKED);
    assert_eq!(l.timer_deadline(), Some(3), "it still counts");
    assert!(!l.timer_fire(3));
    assert!(l.irr().is_empty());
}

#[test]
fn long_counts_do_not_overflow() {
    let clock = TimerClock::new(u64::MAX, 1).unwrap();
    let mut l = VLapic::new(0, true, clock);
    wr(&mut l, APIC_SVR, 0x1FF);
    wr(&mut l, APIC_LVT_TIMER, PERIODIC);
    wr(&mut l, APIC_TIMER_DIVIDE, 0xA);
    l.write(APIC_TIMER_INITIAL, u32::MAX, 5);
    assert_eq!(l.timer_deadline(), Some(u64::MAX));
    assert_eq!(l.read(APIC_TIMER_CURRENT, u64::MAX - 1), u32::MAX);
    assert!(l.timer_fire(u64::MAX));
    assert_eq!(l.timer_deadline(), Some(u64::MAX));
}
