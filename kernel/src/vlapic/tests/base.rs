//! IA32_APIC_BASE: reserved bits, the legal and illegal mode transitions,
//! and what each mode leaves of the registers.

use super::*;

const XAPIC: u64 = APIC_BASE_DEFAULT | APIC_BASE_EN;
const X2APIC: u64 = XAPIC | APIC_BASE_EXTD;
const DISABLED: u64 = APIC_BASE_DEFAULT;

/// Writes IA32_APIC_BASE through the MSR path.
fn set(l: &mut VLapic, value: u64) -> Result<Effect, Gp> {
    l.write_msr(IA32_APIC_BASE, value, 0)
}

#[test]
fn reserved_bits_fault() {
    let mut cfg = LapicConfig::new(1, false, CLOCK);
    cfg.phys_bits = 39;
    let mut l = VLapic::with_config(cfg);
    for bit in (0..8).chain([9]).chain(39..64) {
        assert_eq!(set(&mut l, XAPIC | 1 << bit), Err(Gp), "bit {bit}");
        assert_eq!(l.apic_base(), XAPIC, "bit {bit} left no trace");
    }
    assert_eq!(set(&mut l, 1 << 38 | APIC_BASE_EN), Ok(Effect::None));
    assert_eq!(l.base_address(), 1 << 38);
}

#[test]
fn bsp_is_read_only() {
    let mut l = VLapic::new(0, true, CLOCK);
    set(&mut l, XAPIC).unwrap();
    assert_eq!(l.apic_base(), XAPIC | APIC_BASE_BSP);
    let mut ap = lapic();
    set(&mut ap, XAPIC | APIC_BASE_BSP).unwrap();
    assert_eq!(ap.apic_base(), XAPIC);
}

#[test]
fn legal_and_illegal_transitions() {
    // (from, to, legal)
    let table = [
        (XAPIC, X2APIC, true),
        (XAPIC, DISABLED, true),
        (XAPIC, XAPIC, true),
        (X2APIC, DISABLED, true),
        (X2APIC, X2APIC, true),
        (X2APIC, XAPIC, false),
        (DISABLED, XAPIC, true),
        (DISABLED, DISABLED, true),
        (DISABLED, X2APIC, false),
        // EXTD without EN is the invalid state, from anywhere.
        (XAPIC, DISABLED | APIC_BASE_EXTD, false),
        (X2APIC, DISABLED | APIC_BASE_EXTD, false),
        (DISABLED, DISABLED | APIC_BASE_EXTD, false),
    ];
    for (from, to, legal) in table {
        let mut l = lapic();
        set(&mut l, from).unwrap();
        assert_eq!(set(&mut l, to).is_ok(), legal, "{from:#x} -> {to:#x}");
        let now = if legal { to } else { from };
        assert_eq!(l.apic_base(), now, "{from:#x} -> {to:#x}");
    }
}

#[test]
fn x2apic_needs_the_feature() {
    let mut cfg = LapicConfig::new(1, false, CLOCK);
    cfg.x2apic = false;
    let mut l = VLapic::with_config(cfg);
    assert_eq!(set(&mut l, X2APIC), Err(Gp));
    assert_eq!(l.mode(), ApicMode::XApic);
}

#[test]
fn disabling_resets_and_keeps_the_id() {
    let mut l = enabled();
    wr(&mut l, APIC_ID, 0x0900_0000);
    wr(&mut l, APIC_TPR, 0x30);
    raise(&mut l, 0x40);
    set(&mut l, DISABLED).unwrap();
    assert_eq!(l.mode(), ApicMode::Disabled);
    // The page is not the APIC now.
    assert_eq!(rd(&mut l, APIC_ID), 0);
    assert_eq!(rd(&mut l, APIC_VERSION), 0);
    assert_eq!(wr(&mut l, APIC_TPR, 0x50), Effect::None);
    assert_eq!(l.read_msr(msr_of(APIC_ID), 0), Err(Gp));
    assert!(!l.matches_destination(DestMode::Physical, 9));
    set(&mut l, XAPIC).unwrap();
    assert_eq!(rd(&mut l, APIC_ID), 0x0900_0000);
    assert_eq!(rd(&mut l, APIC_TPR), 0);
    assert_eq!(rd(&mut l, APIC_SVR), 0xFF);
    assert!(l.irr().is_empty());
}

#[test]
fn entering_x2apic_keeps_the_registers() {
    let mut l = enabled();
    wr(&mut l, APIC_TPR, 0x30);
    wr(&mut l, APIC_LVT_LINT0, 0x700);
    wr(&mut l, APIC_LDR, 0xFF00_0000);
    raise(&mut l, 0x40);
    set(&mut l, X2APIC).unwrap();
    assert_eq!(rdmsr(&mut l, msr_of(APIC_TPR)), 0x30);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_LVT_LINT0)), 0x700);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_SVR)), 0x1FF);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_IRR + 0x20)), 1);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_LDR)), 1 << 5, "derived, not kept");
    // And the page is gone.
    assert_eq!(rd(&mut l, APIC_TPR), 0);
    assert_eq!(wr(&mut l, APIC_TPR, 0x50), Effect::None);
    assert_eq!(l.tpr(), 0x30);
}

#[test]
fn the_base_moves_the_page() {
    let mut l = lapic();
    set(&mut l, 0xFEC0_0000 | APIC_BASE_EN).unwrap();
    assert_eq!(l.base_address(), 0xFEC0_0000);
    assert_eq!(rdmsr(&mut l, IA32_APIC_BASE), 0xFEC0_0800);
}
