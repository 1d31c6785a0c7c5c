//! Local interrupt sources through the LVT: delivery modes, trigger
//! modes, masking, the performance-counter entry's self-masking.

use super::*;

#[test]
fn delivery_modes_of_the_lint_pins() {
    let mut l = enabled();
    let cases = [
        (DM_FIXED, LocalDelivery::Fixed),
        (DM_SMI, LocalDelivery::Smi),
        (DM_NMI, LocalDelivery::Nmi),
        (DM_INIT, LocalDelivery::Init),
        (DM_EXTINT, LocalDelivery::ExtInt),
        (DM_LOWEST_PRIORITY, LocalDelivery::None),
        (0b011, LocalDelivery::None),
        (DM_STARTUP, LocalDelivery::None),
    ];
    for lint in [Lvt::Lint0, Lvt::Lint1] {
        for (dm, want) in cases {
            wr(&mut l, lint.offset(), 0x45 | dm << DM_SHIFT);
            assert_eq!(l.local_interrupt(lint), want, "{lint:?} mode {dm:#b}");
        }
    }
    assert_eq!(vectors(l.irr()), [0x45], "only the fixed ones");
    assert!(!l.tmr().contains(0x45));
}

#[test]
fn level_triggered_lint_sets_the_tmr() {
    let mut l = enabled();
    wr(
        &mut l,
        APIC_LVT_LINT0,
        0x46 | LVT_LEVEL_TRIGGER | LVT_POLARITY,
    );
    assert_eq!(l.local_interrupt(Lvt::Lint0), LocalDelivery::Fixed);
    assert!(l.tmr().contains(0x46));
    take(&mut l);
    assert_eq!(
        l.eoi(),
        Effect::Eoi {
            vector: 0x46,
            level: true,
            broadcast: true
        }
    );
}

#[test]
fn other_entries_have_no_init_or_extint() {
    let mut l = enabled();
    for lvt in [Lvt::Cmci, Lvt::Thermal] {
        for (dm, want) in [
            (DM_FIXED, LocalDelivery::Fixed),
            (DM_NMI, LocalDelivery::Nmi),
            (DM_SMI, LocalDelivery::Smi),
            (DM_INIT, LocalDelivery::None),
            (DM_EXTINT, LocalDelivery::None),
        ] {
            wr(&mut l, lvt.offset(), 0x47 | dm << DM_SHIFT);
            assert_eq!(l.local_interrupt(lvt), want, "{lvt:?} mode {dm:#b}");
        }
    }
    // The timer and error entries are always fixed.
    wr(&mut l, APIC_LVT_ERROR, 0x48);
    assert_eq!(l.local_interrupt(Lvt::Error), LocalDelivery::Fixed);
    assert!(l.irr().contains(0x48));
}

#[test]
fn masked_or_disabled_sources_deliver_nothing() {
    let mut l = enabled();
    wr(&mut l, APIC_LVT_LINT1, DM_NMI << DM_SHIFT | LVT_MASKED);
    assert_eq!(l.local_interrupt(Lvt::Lint1), LocalDelivery::None);
    wr(&mut l, APIC_LVT_LINT1, DM_NMI << DM_SHIFT);
    assert_eq!(l.local_interrupt(Lvt::Lint1), LocalDelivery::Nmi);
    l.write_apic_base(APIC_BASE_DEFAULT).unwrap();
    assert_eq!(l.local_interrupt(Lvt::Lint1), LocalDelivery::None);
}

#[test]
fn a_pmi_masks_its_entry() {
    let mut l = enabled();
    wr(&mut l, APIC_LVT_PERF, DM_NMI << DM_SHIFT);
    assert_eq!(l.local_interrupt(Lvt::Perf), LocalDelivery::Nmi);
    assert_eq!(rd(&mut l, APIC_LVT_PERF), DM_NMI << DM_SHIFT | LVT_MASKED);
    assert_eq!(l.local_interrupt(Lvt::Perf), LocalDelivery::None);
    wr(&mut l, APIC_LVT_PERF, 0x49);
    assert_eq!(l.local_interrupt(Lvt::Perf), LocalDelivery::Fixed);
    assert_eq!(rd(&mut l, APIC_LVT_PERF), 0x49 | LVT_MASKED);
    // A reserved mode delivers nothing and leaves the mask alone.
    wr(&mut l, APIC_LVT_PERF, 0x49 | DM_STARTUP << DM_SHIFT);
    assert_eq!(l.local_interrupt(Lvt::Perf), LocalDelivery::None);
    assert_eq!(rd(&mut l, APIC_LVT_PERF) & LVT_MASKED, 0);
}

#[test]
fn lvt_offsets_round_trip() {
    for lvt in Lvt::ALL {
        assert_eq!(Lvt::at(lvt.offset()), Some(lvt));
    }
    assert_eq!(Lvt::at(APIC_ICR_LOW), None);
    assert_eq!(Lvt::at(APIC_LVT_CMCI + 4), None);
}
