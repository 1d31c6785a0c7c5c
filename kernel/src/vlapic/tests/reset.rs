//! Reset values of every register in both modes, INIT, and what the page
//! does at offsets that are no register.

use super::*;

/// Every LVT offset.
const LVTS: [u64; 7] = [
    APIC_LVT_CMCI,
    APIC_LVT_TIMER,
    APIC_LVT_THERMAL,
    APIC_LVT_PERF,
    APIC_LVT_LINT0,
    APIC_LVT_LINT1,
    APIC_LVT_ERROR,
];

/// Checks the power-up value of every xAPIC register of `l` (ID 5).
fn assert_xapic_reset(l: &mut VLapic) {
    assert_eq!(rd(l, APIC_ID), 5 << 24);
    // Version 0x14, Max LVT Entry 6, EOI-broadcast suppression.
    assert_eq!(rd(l, APIC_VERSION), 0x0106_0014);
    for off in [
        APIC_TPR, APIC_APR, APIC_PPR, APIC_EOI, APIC_RRD, APIC_LDR, APIC_ESR,
    ] {
        assert_eq!(rd(l, off), 0, "{off:#x}");
    }
    assert_eq!(rd(l, APIC_DFR), 0xFFFF_FFFF);
    assert_eq!(rd(l, APIC_SVR), 0xFF);
    for n in 0..8 {
        for base in [APIC_ISR, APIC_TMR, APIC_IRR] {
            assert_eq!(rd(l, base + 16 * n), 0, "{base:#x} word {n}");
        }
    }
    for off in LVTS {
        assert_eq!(rd(l, off), 0x0001_0000, "LVT {off:#x}");
    }
    for off in [
        APIC_ICR_LOW,
        APIC_ICR_HIGH,
        APIC_TIMER_INITIAL,
        APIC_TIMER_CURRENT,
        APIC_TIMER_DIVIDE,
    ] {
        assert_eq!(rd(l, off), 0, "{off:#x}");
    }
    assert_eq!(l.esr(), 0, "reading registers logged no error");
}

#[test]
fn xapic_power_up_values() {
    let mut l = lapic();
    assert_eq!(l.mode(), ApicMode::XApic);
    assert_eq!(l.apic_base(), 0xFEE0_0800);
    assert_eq!(l.base_address(), 0xFEE0_0000);
    assert!(!l.software_enabled() && !l.is_enabled());
    assert_xapic_reset(&mut l);
    assert_eq!(l.timer_deadline(), None);
    assert_eq!(l.read_msr(IA32_TSC_DEADLINE, 0), Ok(0));
}

#[test]
fn bsp_flag_and_configured_features() {
    let mut bsp = VLapic::new(0, true, CLOCK);
    assert_eq!(rdmsr(&mut bsp, IA32_APIC_BASE), 0xFEE0_0900);
    let mut cfg = LapicConfig::new(7, false, CLOCK);
    cfg.eoi_suppression = false;
    let mut l = VLapic::with_config(cfg);
    assert_eq!(rd(&mut l, APIC_VERSION), 0x0006_0014);
    // Without suppression support SVR bit 12 is not writable.
    wr(&mut l, APIC_SVR, 0x11FF);
    assert_eq!(rd(&mut l, APIC_SVR), 0x01FF);
    assert_eq!(rd(&mut l, APIC_ID), 7 << 24);
}

#[test]
fn xapic_id_keeps_the_low_byte_of_a_wide_id() {
    let mut l = VLapic::new(0x1_0203, false, CLOCK);
    assert_eq!(rd(&mut l, APIC_ID), 0x03 << 24);
    assert_eq!(l.x2apic_id(), 0x1_0203);
}

#[test]
fn x2apic_values_after_the_switch() {
    let mut l = VLapic::new(0x43, false, CLOCK);
    to_x2apic(&mut l);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_ID)), 0x43);
    // Cluster 4, bit 3.
    assert_eq!(rdmsr(&mut l, msr_of(APIC_LDR)), 0x0004_0008);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_VERSION)), 0x0106_0014);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_SVR)), 0xFF);
    assert_eq!(rdmsr(&mut l, X2APIC_ICR), 0);
    for off in LVTS {
        assert_eq!(rdmsr(&mut l, msr_of(off)), 0x0001_0000, "LVT {off:#x}");
    }
    for off in [APIC_TPR, APIC_PPR, APIC_ESR, APIC_TIMER_INITIAL] {
        assert_eq!(rdmsr(&mut l, msr_of(off)), 0, "{off:#x}");
    }
    assert_eq!(rdmsr(&mut l, IA32_APIC_BASE), 0xFEE0_0C00);
}

#[test]
fn x2apic_ldr_derivation() {
    for (id, ldr) in [
        (0, 0x0000_0001),
        (0xF, 0x0000_8000),
        (0x10, 0x0001_0001),
        // The cluster is ID bits 19:4.
        (0x1234_5678, 0x4567_0100),
        (0xFFFF_FFFE, 0xFFFF_4000),
    ] {
        assert_eq!(x2(id).x2apic_ldr(), ldr, "ID {id:#x}");
    }
}

#[test]
fn init_resets_all_but_the_id_and_base() {
    let mut l = enabled();
    wr(&mut l, APIC_ID, 9 << 24);
    wr(&mut l, APIC_TPR, 0x20);
    wr(&mut l, APIC_LDR, 0x0100_0000);
    wr(&mut l, APIC_DFR, 0x0FFF_FFFF);
    wr(&mut l, APIC_LVT_TIMER, 0x40);
    wr(&mut l, APIC_TIMER_DIVIDE, 3);
    wr(&mut l, APIC_TIMER_INITIAL, 1000);
    wr(&mut l, APIC_ICR_HIGH, 0x0300_0000);
    raise(&mut l, 0x50);
    take(&mut l);
    raise(&mut l, 0x60);
    l.accept(3, false);
    wr(&mut l, APIC_ESR, 0);
    l.write_apic_base(0xFEC0_0800).unwrap();
    l.reset();
    assert_eq!(l.apic_base(), 0xFEC0_0800, "INIT keeps the base");
    assert_eq!(rd(&mut l, APIC_ID), 9 << 24, "INIT keeps the ID");
    wr(&mut l, APIC_ID, 5 << 24);
    assert_xapic_reset(&mut l);
    assert_eq!(l.timer_deadline(), None);
}

#[test]
fn init_keeps_x2apic_mode() {
    let mut l = x2(0x21);
    wrmsr(&mut l, msr_of(APIC_TPR), 0x40);
    l.reset();
    assert_eq!(l.mode(), ApicMode::X2Apic);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_ID)), 0x21);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_TPR)), 0);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_SVR)), 0xFF);
}

#[test]
fn reserved_slots_read_zero_and_log_illegal_register() {
    let reserved = [
        0x000, 0x010, 0x040, 0x050, 0x060, 0x070, 0x290, 0x2A0, 0x2E0, 0x3A0, 0x3D0, 0x3F0, 0x400,
        0x800, 0xFF0,
    ];
    for off in reserved {
        let mut l = enabled();
        assert_eq!(rd(&mut l, off), 0, "{off:#x}");
        wr(&mut l, APIC_ESR, 0);
        assert_eq!(rd(&mut l, APIC_ESR), ESR_ILLEGAL_REGISTER, "read {off:#x}");
        assert_eq!(wr(&mut l, off, !0), Effect::None);
        wr(&mut l, APIC_ESR, 0);
        assert_eq!(rd(&mut l, APIC_ESR), ESR_ILLEGAL_REGISTER, "write {off:#x}");
        wr(&mut l, APIC_ESR, 0);
        assert_eq!(rd(&mut l, APIC_ESR), 0, "the next write clears it");
    }
}

#[test]
fn misaligned_and_outside_offsets_do_nothing() {
    let mut l = enabled();
    wr(&mut l, APIC_TPR, 0x35);
    for off in [0x81, 0x84, 0x88, 0x8C, 0x8F, 0x1000, 0x1080, u64::MAX] {
        assert_eq!(rd(&mut l, off), 0, "{off:#x}");
        assert_eq!(wr(&mut l, off, 0x77), Effect::None);
    }
    assert_eq!(rd(&mut l, APIC_TPR), 0x35);
    wr(&mut l, APIC_ESR, 0);
    assert_eq!(rd(&mut l, APIC_ESR), 0, "misalignment logs nothing");
}

#[test]
fn read_only_registers_ignore_writes() {
    let mut l = enabled();
    raise(&mut l, 0x40);
    for off in [
        APIC_VERSION,
        APIC_APR,
        APIC_PPR,
        APIC_RRD,
        APIC_IRR + 0x20,
        APIC_ISR,
        APIC_TMR,
        APIC_TIMER_CURRENT,
    ] {
        assert_eq!(wr(&mut l, off, 0xFFFF_FFFF), Effect::None);
    }
    assert_eq!(rd(&mut l, APIC_VERSION), 0x0106_0014);
    assert_eq!(rd(&mut l, APIC_IRR + 0x20), 1);
    assert_eq!(rd(&mut l, APIC_ISR), 0);
    assert_eq!(rd(&mut l, APIC_TIMER_CURRENT), 0);
    wr(&mut l, APIC_ESR, 0);
    assert_eq!(rd(&mut l, APIC_ESR), 0);
}

#[test]
fn writable_fields_of_the_plain_registers() {
    let mut l = enabled();
    wr(&mut l, APIC_ID, 0xFFFF_FFFF);
    assert_eq!(rd(&mut l, APIC_ID), 0xFF00_0000);
    wr(&mut l, APIC_TPR, 0xFFFF_FFFF);
    assert_eq!(rd(&mut l, APIC_TPR), 0xFF);
    wr(&mut l, APIC_LDR, 0xFFFF_FFFF);
    assert_eq!(rd(&mut l, APIC_LDR), 0xFF00_0000);
    wr(&mut l, APIC_DFR, 0);
    assert_eq!(rd(&mut l, APIC_DFR), 0x0FFF_FFFF);
    wr(&mut l, APIC_SVR, 0xFFFF_FFFF);
    assert_eq!(rd(&mut l, APIC_SVR), 0x13FF);
    wr(&mut l, APIC_ICR_HIGH, 0xFFFF_FFFF);
    assert_eq!(rd(&mut l, APIC_ICR_HIGH), 0xFF00_0000);
    wr(&mut l, APIC_TIMER_DIVIDE, 0xFFFF_FFFF);
    assert_eq!(rd(&mut l, APIC_TIMER_DIVIDE), 0xB);
    let masks = [
        (APIC_LVT_CMCI, 0x0001_07FF),
        (APIC_LVT_TIMER, 0x0007_00FF),
        (APIC_LVT_THERMAL, 0x0001_07FF),
        (APIC_LVT_PERF, 0x0001_07FF),
        (APIC_LVT_LINT0, 0x0001_A7FF),
        (APIC_LVT_LINT1, 0x0001_A7FF),
        (APIC_LVT_ERROR, 0x0001_00FF),
    ];
    for (off, mask) in masks {
        wr(&mut l, off, 0xFFFF_FFFF);
        assert_eq!(rd(&mut l, off), mask, "LVT {off:#x}");
    }
}
