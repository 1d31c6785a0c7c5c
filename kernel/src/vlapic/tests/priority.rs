//! Priority: TPR and PPR gating, in-service nesting, EOI order and its
//! effects for level-triggered vectors, the IRR/ISR/TMR registers, CR8.

use super::*;

#[test]
fn ppr_follows_tpr_and_the_highest_in_service_class() {
    let mut l = enabled();
    wr(&mut l, APIC_TPR, 0x35);
    assert_eq!(rd(&mut l, APIC_PPR), 0x35);
    raise(&mut l, 0x61);
    assert_eq!(take(&mut l), 0x61);
    assert_eq!(rd(&mut l, APIC_PPR), 0x60, "ISR class 6 above TPR class 3");
    wr(&mut l, APIC_TPR, 0x65);
    assert_eq!(rd(&mut l, APIC_PPR), 0x65, "equal classes: the TPR");
    wr(&mut l, APIC_TPR, 0x5F);
    assert_eq!(rd(&mut l, APIC_PPR), 0x60);
    wr(&mut l, APIC_TPR, 0x70);
    assert_eq!(rd(&mut l, APIC_PPR), 0x70);
}

#[test]
fn tpr_gates_delivery_by_class() {
    let mut l = enabled();
    wr(&mut l, APIC_TPR, 0x50);
    raise(&mut l, 0x5F);
    assert_eq!(l.pending(), None, "class 5 is not above class 5");
    raise(&mut l, 0x60);
    assert_eq!(l.pending(), Some(0x60));
    wr(&mut l, APIC_TPR, 0x60);
    assert_eq!(l.pending(), None);
    assert_eq!(l.acknowledge(), None);
    wr(&mut l, APIC_TPR, 0x4F);
    assert_eq!(take(&mut l), 0x60);
    assert_eq!(l.pending(), None, "0x60 in service");
    l.eoi();
    assert_eq!(take(&mut l), 0x5F);
    assert_eq!(l.acknowledge(), None);
}

#[test]
fn in_service_nesting_and_eoi_order() {
    let mut l = enabled();
    raise(&mut l, 0x40);
    assert_eq!(take(&mut l), 0x40);
    raise(&mut l, 0x45);
    assert_eq!(l.pending(), None, "same class as in service");
    raise(&mut l, 0x80);
    assert_eq!(take(&mut l), 0x80);
    raise(&mut l, 0x90);
    assert_eq!(take(&mut l), 0x90);
    assert_eq!(vectors(l.isr()), [0x40, 0x80, 0x90]);
    assert_eq!(rd(&mut l, APIC_PPR), 0x90);
    let ends: Vec<Effect> = (0..3).map(|_| wr(&mut l, APIC_EOI, 0)).collect();
    let edge = |vector| Effect::Eoi {
        vector,
        level: false,
        broadcast: false,
    };
    assert_eq!(ends, [edge(0x90), edge(0x80), edge(0x40)]);
    assert_eq!(l.pending(), Some(0x45));
    assert_eq!(take(&mut l), 0x45);
    assert_eq!(wr(&mut l, APIC_EOI, 0), edge(0x45));
    assert_eq!(wr(&mut l, APIC_EOI, 0), Effect::None, "nothing in service");
}

#[test]
fn highest_requested_vector_first() {
    let mut l = enabled();
    for v in [0x30, 0xF0, 0x31, 0x10, 0xEF] {
        raise(&mut l, v);
    }
    assert_eq!(take(&mut l), 0xF0);
    assert_eq!(l.pending(), None, "0xEF is the same class");
    l.eoi();
    assert_eq!(take(&mut l), 0xEF);
    l.eoi();
    assert_eq!(take(&mut l), 0x31);
    assert_eq!(l.pending(), None);
    l.eoi();
    assert_eq!(take(&mut l), 0x30);
    l.eoi();
    assert_eq!(take(&mut l), 0x10);
    assert!(l.irr().is_empty());
}

#[test]
fn a_vector_both_requested_and_in_service() {
    let mut l = enabled();
    raise(&mut l, 0x50);
    take(&mut l);
    raise(&mut l, 0x50);
    assert!(l.irr().contains(0x50) && l.isr().contains(0x50));
    assert_eq!(l.pending(), None);
    l.eoi();
    assert_eq!(take(&mut l), 0x50);
    assert!(l.irr().is_empty());
}

#[test]
fn level_triggered_eoi_is_broadcast_unless_suppressed() {
    let mut l = enabled();
    assert!(l.accept(0x70, true));
    assert!(l.tmr().contains(0x70));
    take(&mut l);
    let level = Effect::Eoi {
        vector: 0x70,
        level: true,
        broadcast: true,
    };
    assert_eq!(wr(&mut l, APIC_EOI, 0), level);
    assert!(l.tmr().contains(0x70), "the TMR bit stays until an edge");
    wr(&mut l, APIC_SVR, 0x11FF);
    assert!(l.accept(0x70, true));
    take(&mut l);
    let suppressed = Effect::Eoi {
        vector: 0x70,
        level: true,
        broadcast: false,
    };
    assert_eq!(wr(&mut l, APIC_EOI, 0), suppressed);
    // An edge acceptance clears the TMR bit.
    raise(&mut l, 0x70);
    assert!(!l.tmr().contains(0x70));
}

#[test]
fn registers_show_the_vector_bits() {
    let mut l = enabled();
    raise(&mut l, 0x21);
    raise(&mut l, 0xFF);
    assert!(l.accept(0x7F, true));
    assert_eq!(rd(&mut l, APIC_IRR + 0x10), 1 << 1);
    assert_eq!(rd(&mut l, APIC_IRR + 0x30), 1 << 31);
    assert_eq!(rd(&mut l, APIC_IRR + 0x70), 1 << 31);
    assert_eq!(rd(&mut l, APIC_TMR + 0x30), 1 << 31);
    assert_eq!(rd(&mut l, APIC_TMR + 0x70), 0);
    take(&mut l);
    assert_eq!(rd(&mut l, APIC_ISR + 0x70), 1 << 31);
    assert_eq!(rd(&mut l, APIC_IRR + 0x70), 0);
    for n in [0, 2, 4, 5, 6] {
        assert_eq!(rd(&mut l, APIC_IRR + 16 * n), 0, "IRR word {n}");
    }
}

#[test]
fn software_disable_holds_requests() {
    let mut l = enabled();
    raise(&mut l, 0x40);
    wr(&mut l, APIC_SVR, 0xFF);
    assert_eq!(l.pending(), None);
    assert!(!l.accept(0x41, false), "nothing accepted");
    assert_eq!(vectors(l.irr()), [0x40], "held");
    wr(&mut l, APIC_SVR, 0x1FF);
    assert_eq!(l.pending(), Some(0x40));
    // Hardware disable resets instead.
    l.write_apic_base(APIC_BASE_DEFAULT).unwrap();
    assert!(l.irr().is_empty());
    assert!(!l.accept(0x40, false));
    assert_eq!(l.pending(), None);
}

#[test]
fn cr8_is_the_tpr_class() {
    let mut l = enabled();
    l.set_cr8(5);
    assert_eq!(rd(&mut l, APIC_TPR), 0x50);
    wr(&mut l, APIC_TPR, 0x7F);
    assert_eq!(l.cr8(), 7);
    l.set_cr8(0x1F);
    assert_eq!(l.tpr(), 0xF0, "bits 63:4 are the caller's");
}

#[test]
fn arbitration_priority() {
    let mut l = enabled();
    wr(&mut l, APIC_TPR, 0x35);
    assert_eq!(rd(&mut l, APIC_APR), 0x35);
    raise(&mut l, 0x62);
    assert_eq!(rd(&mut l, APIC_APR), 0x60, "a higher request");
    take(&mut l);
    assert_eq!(rd(&mut l, APIC_APR), 0x60, "a higher service");
    wr(&mut l, APIC_TPR, 0x6A);
    assert_eq!(rd(&mut l, APIC_APR), 0x60, "TPR class not above service");
    wr(&mut l, APIC_TPR, 0x7A);
    assert_eq!(rd(&mut l, APIC_APR), 0x7A);
}
