use super::*;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU64, Ordering};

/// The S5 SLP_TYP the tests' DSDT would say.
const S5: u8 = 5;
const NS: u64 = 1_000_000_000;

/// A model and the hand that moves its clock.
fn pm() -> (AcpiPm, Arc<AtomicU64>) {
    let now = Arc::new(AtomicU64::new(1_000));
    let clock = now.clone();
    let pm = AcpiPm::new(Box::new(move || clock.load(Ordering::Relaxed)), S5);
    (pm, now)
}

/// Sets the clock to `ns` after the model was made.
fn at(now: &AtomicU64, ns: u64) {
    now.store(1_000 + ns, Ordering::Relaxed);
}

fn read16(pm: &mut AcpiPm, offset: u64) -> u16 {
    pm.read(offset, 2).unwrap() as u16
}

fn write16(pm: &mut AcpiPm, offset: u64, value: u16) {
    pm.write(offset, 2, u64::from(value)).unwrap();
}

fn sleep_value(typ: u8) -> u16 {
    u16::from(typ) << SLP_TYP_SHIFT | SLP_EN
}

#[test]
fn power_on_state() {
    let (mut pm, _) = pm();
    assert_eq!(read16(&mut pm, PM1_STS), 0);
    assert_eq!(read16(&mut pm, PM1_EN), 0);
    assert_eq!(read16(&mut pm, PM1_CNT), SCI_EN, "ACPI mode from the start");
    assert_eq!(pm.read(PM_TMR, 4), Ok(0));
    assert!(!pm.irq_level());
    assert!(!pm.take_power_off_request());
    assert_eq!(pm.kind(), "acpipm");
    assert_eq!(AcpiPm::SIZE, 12);
}

#[test]
fn slp_typ_s5_with_slp_en_asks_for_power_off() {
    let (mut pm, _) = pm();
    // ACPICA writes SLP_TYP first, then SLP_TYP | SLP_EN.
    write16(&mut pm, PM1_CNT, u16::from(S5) << SLP_TYP_SHIFT);
    assert!(!pm.take_power_off_request(), "SLP_TYP alone");
    assert_eq!(read16(&mut pm, PM1_CNT), SCI_EN | 5 << 10);
    write16(&mut pm, PM1_CNT, sleep_value(S5));
    assert!(pm.take_power_off_request());
    assert!(!pm.take_power_off_request(), "taken once");
    assert_eq!(read16(&mut pm, PM1_CNT), SCI_EN | 5 << 10, "SLP_EN reads 0");
    assert_eq!(pm.unsupported_sleeps(), 0);
    // The high byte alone holds SLP_TYP and SLP_EN.
    pm.write(PM1_CNT + 1, 1, u64::from(sleep_value(S5) >> 8))
        .unwrap();
    assert!(pm.take_power_off_request());
}

#[test]
fn other_sleep_types_are_counted_and_ignored() {
    let (mut pm, _) = pm();
    for (n, typ) in [0u8, 1, 2, 3, 4, 6, 7].into_iter().enumerate() {
        write16(&mut pm, PM1_CNT, sleep_value(typ));
        assert!(!pm.take_power_off_request(), "SLP_TYP {typ}");
        assert_eq!(pm.unsupported_sleeps(), n as u32 + 1);
        assert_eq!(pm.last_unsupported_sleep(), Some(typ));
    }
    // And the guest can still power off afterwards.
    write16(&mut pm, PM1_CNT, sleep_value(S5));
    assert!(pm.take_power_off_request());
}

#[test]
fn the_s5_value_is_the_one_given() {
    let now = Arc::new(AtomicU64::new(0));
    let clock = now.clone();
    let mut pm = AcpiPm::new(Box::new(move || clock.load(Ordering::Relaxed)), 2);
    write16(&mut pm, PM1_CNT, sleep_value(5));
    assert!(!pm.take_power_off_request());
    write16(&mut pm, PM1_CNT, sleep_value(2));
    assert!(pm.take_power_off_request());
}

#[test]
fn control_keeps_bm_rld_and_drops_write_only_and_reserved_bits() {
    let (mut pm, _) = pm();
    write16(&mut pm, PM1_CNT, !SLP_EN);
    assert_eq!(read16(&mut pm, PM1_CNT), SCI_EN | BM_RLD | SLP_TYP_MASK);
    write16(&mut pm, PM1_CNT, 0);
    assert_eq!(read16(&mut pm, PM1_CNT), SCI_EN, "SCI_EN cannot be cleared");
    pm.write(PM1_CNT, 1, 0xFF).unwrap();
    assert_eq!(pm.read(PM1_CNT, 1), Ok(u64::from(SCI_EN | BM_RLD)));
    assert_eq!(pm.read(PM1_CNT + 1, 1), Ok(0));
}

#[test]
fn status_bits_are_write_1_to_clear() {
    let (mut pm, _) = pm();
    pm.press_power_button();
    assert_eq!(read16(&mut pm, PM1_STS), PWRBTN_STS);
    write16(&mut pm, PM1_STS, 0);
    write16(&mut pm, PM1_STS, !PWRBTN_STS);
    assert_eq!(
        read16(&mut pm, PM1_STS),
        PWRBTN_STS,
        "other bits clear nothing"
    );
    // Bit 8 is bit 0 of the high byte.
    assert_eq!(pm.read(PM1_STS + 1, 1), Ok(1));
    pm.write(PM1_STS, 1, 0xFF).unwrap();
    assert_eq!(read16(&mut pm, PM1_STS), PWRBTN_STS, "the low byte");
    pm.write(PM1_STS + 1, 1, 0x01).unwrap();
    assert_eq!(read16(&mut pm, PM1_STS), 0);
}

#[test]
fn enable_bits_are_stored_and_reserved_ones_read_0() {
    let (mut pm, _) = pm();
    write16(&mut pm, PM1_EN, 0xFFFF);
    assert_eq!(read16(&mut pm, PM1_EN), EN_WRITABLE);
    pm.write(PM1_EN + 1, 1, 0).unwrap();
    assert_eq!(read16(&mut pm, PM1_EN), EN_WRITABLE & 0xFF);
    assert_eq!(pm.read(PM1_EN, 1), Ok(u64::from(TMR_EN | GBL_EN)));
}

#[test]
fn the_power_button_raises_the_sci_when_enabled() {
    let (mut pm, _) = pm();
    pm.press_power_button();
    assert!(!pm.irq_level(), "PWRBTN_EN clear");
    write16(&mut pm, PM1_EN, PWRBTN_EN);
    assert!(pm.irq_level());
    write16(&mut pm, PM1_STS, PWRBTN_STS);
    assert!(!pm.irq_level(), "status cleared");
    pm.press_power_button();
    assert!(pm.irq_level());
    write16(&mut pm, PM1_EN, 0);
    assert!(!pm.irq_level(), "enable cleared");
}

#[test]
fn the_timer_counts_at_3_579545_mhz_and_wraps_at_32_bits() {
    let (mut pm, now) = pm();
    at(&now, NS);
    assert_eq!(pm.read(PM_TMR, 4), Ok(3_579_545));
    at(&now, 1_000);
    assert_eq!(pm.read(PM_TMR, 4), Ok(3), "3.58 counts in a microsecond");
    // 2^32 + 5 counts later.
    let ns = ((1u128 << 32) + 5) * 1_000_000_000 / 3_579_545 + 1;
    at(&now, ns as u64);
    assert_eq!(pm.read(PM_TMR, 4), Ok(5));
    at(&now, 2 * NS);
    let count = 2 * 3_579_545u64;
    assert_eq!(pm.timer(), count as u32);
    assert_eq!(pm.read(PM_TMR, 2), Ok(count & 0xFFFF));
    assert_eq!(pm.read(PM_TMR + 2, 2), Ok(count >> 16));
    assert_eq!(pm.read(PM_TMR + 1, 1), Ok(count >> 8 & 0xFF));
    pm.write(PM_TMR, 4, 0).unwrap();
    assert_eq!(pm.read(PM_TMR, 4), Ok(count), "writes are ignored");
}

/// Clock time (from creation) of the `n`th toggle of the timer's bit 31.
fn toggle_ns(n: u64) -> u64 {
    ((u128::from(n) << 31) * 1_000_000_000).div_ceil(3_579_545) as u64
}

#[test]
fn tmr_sts_is_set_when_bit_31_toggles() {
    let (mut pm, now) = pm();
    assert_eq!(pm.next_irq_ns(), None, "TMR_EN clear");
    write16(&mut pm, PM1_EN, TMR_EN);
    assert_eq!(pm.next_irq_ns(), Some(1_000 + toggle_ns(1)));
    at(&now, toggle_ns(1) - 1);
    assert_eq!(read16(&mut pm, PM1_STS), 0);
    assert!(!pm.irq_level());
    at(&now, toggle_ns(1));
    assert_eq!(pm.read(PM_TMR, 4), Ok(1 << 31));
    assert_eq!(read16(&mut pm, PM1_STS), TMR_STS);
    assert!(pm.irq_level());
    assert_eq!(pm.next_irq_ns(), None, "already up");
    write16(&mut pm, PM1_STS, TMR_STS);
    assert_eq!(read16(&mut pm, PM1_STS), 0);
    assert_eq!(pm.next_irq_ns(), Some(1_000 + toggle_ns(2)));
    at(&now, toggle_ns(2) + 5);
    assert_eq!(
        read16(&mut pm, PM1_STS),
        TMR_STS,
        "bit 31 fell: a toggle too"
    );
    // Several toggles unread are one status bit, cleared by one write.
    at(&now, toggle_ns(5));
    write16(&mut pm, PM1_STS, TMR_STS);
    assert_eq!(read16(&mut pm, PM1_STS), 0);
    write16(&mut pm, PM1_EN, 0);
    assert_eq!(pm.next_irq_ns(), None);
}

#[test]
fn odd_accesses_are_refused() {
    let (mut pm, _) = pm();
    let refused = [
        (PM1_STS, 4), // STS and EN at once
        (PM1_CNT, 4), // CNT and the hole
        (PM1_STS + 1, 2),
        (PM1_EN + 1, 2),
        (PM_TMR + 1, 2),
        (PM_TMR + 2, 4),
        (PM_TMR, 8),
        (PM1_STS, 3),
        (PM1_STS, 0),
        (6, 1),
        (7, 1),
        (6, 2),
        (12, 1),
        (13, 1),
        (u64::MAX, 1),
        (u64::MAX - 1, 2),
    ];
    for (offset, size) in refused {
        assert_eq!(
            pm.read(offset, size),
            Err(Fault::Unsupported),
            "{offset}+{size}"
        );
        assert_eq!(
            pm.write(offset, size, u64::from(sleep_value(S5))),
            Err(Fault::Unsupported),
            "{offset}+{size}"
        );
    }
    assert!(!pm.take_power_off_request());
    assert_eq!(read16(&mut pm, PM1_CNT), SCI_EN, "no refused write landed");
    // Bits above the access are not written.
    pm.write(PM1_EN, 1, 0xFFFF_FFFF).unwrap();
    assert_eq!(read16(&mut pm, PM1_EN), TMR_EN | GBL_EN);
}

#[test]
fn reset_returns_to_power_on_but_the_timer_runs_on() {
    let (mut pm, now) = pm();
    write16(&mut pm, PM1_EN, EN_WRITABLE);
    write16(&mut pm, PM1_CNT, sleep_value(3));
    write16(&mut pm, PM1_CNT, sleep_value(S5));
    pm.press_power_button();
    at(&now, toggle_ns(1));
    pm.reset();
    assert_eq!(read16(&mut pm, PM1_STS), 0, "TMR_STS too");
    assert_eq!(read16(&mut pm, PM1_EN), 0);
    assert_eq!(read16(&mut pm, PM1_CNT), SCI_EN);
    assert!(!pm.take_power_off_request());
    assert_eq!(pm.unsupported_sleeps(), 1);
    assert_eq!(pm.read(PM_TMR, 4), Ok(1 << 31));
}

#[test]
fn reset_control_resets_on_rst_cpu() {
    let mut rc = ResetControl::new();
    assert_eq!(rc.kind(), "cf9reset");
    assert_eq!(rc.read(0, 1), Ok(0));
    // Linux's reboot=pci: 0x02 (SYS_RST), then 0x06.
    rc.write(0, 1, 0x02).unwrap();
    assert!(!rc.take_reset_request());
    assert_eq!(rc.read(0, 1), Ok(0x02));
    rc.write(0, 1, 0x06).unwrap();
    assert!(rc.take_reset_request());
    assert!(!rc.take_reset_request(), "taken once");
    assert_eq!(rc.read(0, 1), Ok(0x02), "RST_CPU reads 0");
    rc.write(0, 1, 0x0E).unwrap();
    assert!(rc.take_reset_request());
    assert_eq!(rc.read(0, 1), Ok(0x0A));
    rc.write(0, 1, 0xF4).unwrap();
    assert!(rc.take_reset_request(), "a soft reset is a reset too");
    assert_eq!(rc.read(0, 1), Ok(0));
    rc.write(0, 1, 0x0A).unwrap();
    assert!(!rc.take_reset_request());
}

#[test]
fn reset_control_takes_only_bytes_at_its_port() {
    let mut rc = ResetControl::new();
    for (offset, size) in [(0, 2), (0, 4), (0, 8), (0, 0), (1, 1), (u64::MAX, 1)] {
        assert_eq!(rc.read(offset, size), Err(Fault::Unsupported));
        assert_eq!(rc.write(offset, size, 0x06), Err(Fault::Unsupported));
    }
    assert!(!rc.take_reset_request());
}
