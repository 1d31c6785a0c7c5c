//! Errors: illegal vectors received and sent, the ESR's write-then-read
//! latch, the LVT error interrupt.

use super::*;

const ERROR_VEC: u8 = 0xFE;

/// An enabled APIC whose LVT error entry raises 0xFE.
fn with_error_lvt() -> VLapic {
    let mut l = enabled();
    wr(&mut l, APIC_LVT_ERROR, ERROR_VEC.into());
    l
}

/// The ESR after a latching write.
fn esr(l: &mut VLapic) -> u32 {
    wr(l, APIC_ESR, 0);
    rd(l, APIC_ESR)
}

#[test]
fn received_illegal_vectors_are_refused_and_logged() {
    for v in 0..16 {
        let mut l = enabled();
        assert!(!l.accept(v, false), "vector {v}");
        assert!(l.irr().is_empty());
        assert_eq!(esr(&mut l), ESR_RECEIVE_ILLEGAL_VECTOR, "vector {v}");
    }
    let mut l = enabled();
    assert!(l.accept(16, false), "16 is the first legal vector");
    assert_eq!(esr(&mut l), 0);
}

#[test]
fn esr_latches_on_write() {
    let mut l = enabled();
    l.accept(1, false);
    assert_eq!(rd(&mut l, APIC_ESR), 0, "not latched before a write");
    wr(&mut l, APIC_ESR, 0xFFFF_FFFF);
    assert_eq!(rd(&mut l, APIC_ESR), ESR_RECEIVE_ILLEGAL_VECTOR);
    assert_eq!(
        rd(&mut l, APIC_ESR),
        ESR_RECEIVE_ILLEGAL_VECTOR,
        "reads keep it"
    );
    // Errors accumulate between writes.
    wr(&mut l, APIC_ICR_LOW, 0x0004_0005);
    rd(&mut l, 0x3F0);
    assert_eq!(
        esr(&mut l),
        ESR_SEND_ILLEGAL_VECTOR | ESR_ILLEGAL_REGISTER,
        "the receive error went with the previous write"
    );
    assert_eq!(esr(&mut l), 0);
}

#[test]
fn sending_an_illegal_vector_sends_nothing() {
    let mut l = enabled();
    // Fixed, self, vector 15.
    assert_eq!(wr(&mut l, APIC_ICR_LOW, 0x0004_000F), Effect::None);
    assert_eq!(esr(&mut l), ESR_SEND_ILLEGAL_VECTOR);
    // Lowest priority to ID 1, vector 0.
    wr(&mut l, APIC_ICR_HIGH, 1 << 24);
    assert_eq!(wr(&mut l, APIC_ICR_LOW, 0x100), Effect::None);
    assert_eq!(esr(&mut l), ESR_SEND_ILLEGAL_VECTOR);
    // NMI, INIT and SIPI carry no interrupt vector: no error.
    for low in [0x400, 0x500, 0x600] {
        assert!(matches!(wr(&mut l, APIC_ICR_LOW, low), Effect::Ipi(_)));
    }
    assert_eq!(esr(&mut l), 0);
}

#[test]
fn error_lvt_raises_its_vector() {
    let mut l = with_error_lvt();
    l.accept(3, false);
    assert_eq!(vectors(l.irr()), [ERROR_VEC]);
    assert_eq!(take(&mut l), ERROR_VEC);
    wr(&mut l, APIC_ICR_LOW, 0x0004_0002);
    assert_eq!(l.pending(), None, "in service already");
    assert!(l.irr().contains(ERROR_VEC));
    l.eoi();
    assert_eq!(take(&mut l), ERROR_VEC);
    assert_eq!(
        esr(&mut l),
        ESR_RECEIVE_ILLEGAL_VECTOR | ESR_SEND_ILLEGAL_VECTOR
    );
}

#[test]
fn masked_error_lvt_only_logs() {
    let mut l = with_error_lvt();
    wr(&mut l, APIC_LVT_ERROR, u32::from(ERROR_VEC) | LVT_MASKED);
    l.accept(3, false);
    assert!(l.irr().is_empty());
    assert_eq!(esr(&mut l), ESR_RECEIVE_ILLEGAL_VECTOR);
}

#[test]
fn an_illegal_error_vector_logs_once() {
    let mut l = enabled();
    wr(&mut l, APIC_LVT_ERROR, 0x05);
    rd(&mut l, 0x000);
    assert!(l.irr().is_empty());
    assert_eq!(
        esr(&mut l),
        ESR_ILLEGAL_REGISTER | ESR_RECEIVE_ILLEGAL_VECTOR
    );
}

#[test]
fn illegal_lvt_vectors_are_received_illegal() {
    // The timer.
    let mut l = enabled();
    wr(&mut l, APIC_LVT_TIMER, 0x0F);
    wr(&mut l, APIC_TIMER_DIVIDE, 0xB);
    l.write(APIC_TIMER_INITIAL, 1, 0);
    assert!(!l.timer_fire(3));
    assert!(l.irr().is_empty());
    assert_eq!(esr(&mut l), ESR_RECEIVE_ILLEGAL_VECTOR);
    // A fixed LINT0.
    wr(&mut l, APIC_LVT_LINT0, 0x08);
    assert_eq!(l.local_interrupt(Lvt::Lint0), LocalDelivery::None);
    assert_eq!(esr(&mut l), ESR_RECEIVE_ILLEGAL_VECTOR);
}

#[test]
fn software_disabled_apic_masks_every_lvt_entry() {
    let mut l = enabled();
    for lvt in Lvt::ALL {
        wr(&mut l, lvt.offset(), 0x31);
        assert_eq!(l.lvt(lvt), 0x31, "{lvt:?} unmasked");
    }
    wr(&mut l, APIC_SVR, 0x0FF);
    for lvt in Lvt::ALL {
        assert_eq!(l.lvt(lvt), 0x31 | LVT_MASKED, "{lvt:?} masked");
        wr(&mut l, lvt.offset(), 0x32);
        assert_eq!(rd(&mut l, lvt.offset()), 0x32 | LVT_MASKED, "{lvt:?} stays");
    }
    // Re-enabling unmasks nothing; software does.
    wr(&mut l, APIC_SVR, 0x1FF);
    assert_eq!(l.lvt(Lvt::Lint0), 0x32 | LVT_MASKED);
    wr(&mut l, APIC_LVT_LINT0, 0x32);
    assert_eq!(l.lvt(Lvt::Lint0), 0x32);
    // It still sends IPIs.
    wr(&mut l, APIC_SVR, 0x0FF);
    assert!(matches!(
        wr(&mut l, APIC_ICR_LOW, 0x0008_0040),
        Effect::Ipi(_)
    ));
}
