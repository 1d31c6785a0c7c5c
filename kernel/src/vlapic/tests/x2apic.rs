//! The x2APIC MSRs: which fault (#GP) and which do not, reserved bits,
//! the 64-bit ICR, SELF IPI, EOI and ESR write rules.

use super::*;

/// MSRs with no register behind them.
const NO_REGISTER: [u32; 17] = [
    0x800, 0x801, 0x804, 0x805, 0x806, 0x807, 0x809, 0x80C, 0x80E, 0x829, 0x82E, 0x831, 0x83A,
    0x83D, 0x840, 0x8A0, 0x8FF,
];

/// Read-only registers.
const READ_ONLY: [u32; 6] = [0x802, 0x803, 0x80A, 0x80D, 0x839, 0x810];

#[test]
fn no_access_outside_x2apic_mode() {
    let mut l = enabled();
    for msr in [0x802, 0x808, 0x80B, 0x830, 0x83F, 0x8FF] {
        assert_eq!(l.read_msr(msr, 0), Err(Gp), "RDMSR {msr:#x}");
        assert_eq!(l.write_msr(msr, 0, 0), Err(Gp), "WRMSR {msr:#x}");
    }
    assert_eq!(l.tpr(), 0);
    assert_eq!(l.read_msr(0x10, 0), Err(Gp), "not an APIC MSR");
    assert_eq!(l.write_msr(0x7FF, 0, 0), Err(Gp));
    assert_eq!(l.write_msr(0x900, 0, 0), Err(Gp));
}

#[test]
fn msrs_without_a_register_fault() {
    let mut l = x2(3);
    for msr in NO_REGISTER {
        assert_eq!(l.read_msr(msr, 0), Err(Gp), "RDMSR {msr:#x}");
        assert_eq!(l.write_msr(msr, 0, 0), Err(Gp), "WRMSR {msr:#x}");
    }
}

#[test]
fn read_only_and_write_only_registers() {
    let mut l = x2(3);
    for msr in READ_ONLY.into_iter().chain(0x810..=0x827) {
        assert!(l.read_msr(msr, 0).is_ok(), "RDMSR {msr:#x}");
        assert_eq!(l.write_msr(msr, 0, 0), Err(Gp), "WRMSR {msr:#x}");
    }
    for msr in [0x80B, 0x83F] {
        assert_eq!(l.read_msr(msr, 0), Err(Gp), "RDMSR {msr:#x}");
    }
}

#[test]
fn reserved_bits_fault_and_change_nothing() {
    let mut l = x2(3);
    let before = l.clone();
    let cases: [(u32, u64); 14] = [
        (0x808, 0x100),
        (0x808, 1 << 32),
        (0x80B, 1),
        (0x80B, 1 << 40),
        (0x80F, 1 << 10),
        (0x80F, 1 << 13),
        (0x828, 1),
        (0x832, 1 << 19),
        (0x832, 1 << 8),
        (0x835, 1 << 17),
        (0x837, 0x700),
        (0x838, 1 << 32),
        (0x83E, 1 << 2),
        (0x83F, 0x100),
    ];
    for (msr, value) in cases {
        assert_eq!(l.write_msr(msr, value, 0), Err(Gp), "{msr:#x} = {value:#x}");
        assert_eq!(l, before, "{msr:#x} = {value:#x} changed state");
    }
    for bit in [13, 16, 17, 20, 31] {
        let v = 0x40 | 1u64 << bit;
        assert_eq!(l.write_msr(X2APIC_ICR, v, 0), Err(Gp), "ICR bit {bit}");
    }
}

#[test]
fn read_only_status_bits_are_not_reserved() {
    let mut l = x2(3);
    // Delivery status (all entries) and remote IRR (LINT) are dropped.
    wrmsr(&mut l, msr_of(APIC_LVT_LINT0), 0x5041);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_LVT_LINT0)), 0x41);
    wrmsr(&mut l, msr_of(APIC_LVT_ERROR), 0x1042);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_LVT_ERROR)), 0x42);
    // The ICR's old delivery status bit is ignored, as on Intel parts.
    let e = wrmsr(&mut l, X2APIC_ICR, 0x0000_0007_0000_1040);
    assert!(matches!(e, Effect::Ipi(_)));
    assert_eq!(rdmsr(&mut l, X2APIC_ICR), 0x0000_0007_0000_0040);
}

#[test]
fn eoi_and_esr_take_only_zero() {
    let mut l = x2(3);
    raise(&mut l, 0x40);
    take(&mut l);
    assert_eq!(l.write_msr(0x80B, 2, 0), Err(Gp));
    assert!(l.isr().contains(0x40));
    assert!(matches!(
        wrmsr(&mut l, 0x80B, 0),
        Effect::Eoi { vector: 0x40, .. }
    ));
    assert!(l.isr().is_empty());
    l.accept(2, false);
    assert_eq!(rdmsr(&mut l, 0x828), 0);
    wrmsr(&mut l, 0x828, 0);
    assert_eq!(rdmsr(&mut l, 0x828), u64::from(ESR_RECEIVE_ILLEGAL_VECTOR));
}

#[test]
fn the_icr_is_one_64_bit_register() {
    let mut l = x2(3);
    // Fixed, physical, vector 0x31, to x2APIC ID 0x1234_5678.
    let e = wrmsr(&mut l, X2APIC_ICR, 0x1234_5678_0000_0031);
    let want = Ipi {
        vector: 0x31,
        delivery: Delivery::Fixed,
        destination: Destination::Physical(0x1234_5678),
        level: false,
        trigger: Trigger::Edge,
    };
    assert_eq!(e, Effect::Ipi(want));
    assert_eq!(rdmsr(&mut l, X2APIC_ICR), 0x1234_5678_0000_0031);
    // Logical, broadcast.
    let e = wrmsr(&mut l, X2APIC_ICR, 0xFFFF_FFFF_0000_4832);
    let Effect::Ipi(ipi) = e else { panic!("{e:?}") };
    assert_eq!(ipi.destination, Destination::Logical(0xFFFF_FFFF));
    assert!(ipi.level);
}

#[test]
fn self_ipi() {
    let mut l = x2(3);
    let e = wrmsr(&mut l, X2APIC_SELF_IPI, 0x55);
    assert_eq!(e, Effect::Ipi(Ipi::self_ipi(0x55)));
    assert_eq!(
        Ipi::self_ipi(0x55),
        Ipi {
            vector: 0x55,
            delivery: Delivery::Fixed,
            destination: Destination::SelfOnly,
            level: true,
            trigger: Trigger::Edge,
        }
    );
    // An illegal vector is not sent.
    assert_eq!(wrmsr(&mut l, X2APIC_SELF_IPI, 0x05), Effect::None);
    wrmsr(&mut l, 0x828, 0);
    assert_eq!(rdmsr(&mut l, 0x828), u64::from(ESR_SEND_ILLEGAL_VECTOR));
}

#[test]
fn shared_registers_read_and_write_like_xapic() {
    let mut l = x2(3);
    wrmsr(&mut l, msr_of(APIC_TPR), 0x20);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_PPR)), 0x20);
    wrmsr(&mut l, msr_of(APIC_SVR), 0x11FF);
    assert_eq!(rdmsr(&mut l, msr_of(APIC_SVR)), 0x11FF);
    wrmsr(&mut l, msr_of(APIC_LVT_TIMER), 0x2_0040);
    wrmsr(&mut l, msr_of(APIC_TIMER_DIVIDE), 0xB);
    assert_eq!(
        l.write_msr(msr_of(APIC_TIMER_INITIAL), 10, 100),
        Ok(Effect::Timer)
    );
    assert_eq!(l.read_msr(msr_of(APIC_TIMER_CURRENT), 103), Ok(9));
    assert_eq!(l.timer_deadline(), Some(130));
    raise(&mut l, 0x61);
    assert_eq!(rdmsr(&mut l, 0x823), 1 << 1, "IRR word 3");
    assert!(l.accept(0x62, true));
    assert_eq!(rdmsr(&mut l, 0x81B), 1 << 2, "TMR word 3");
    take(&mut l);
    assert_eq!(rdmsr(&mut l, 0x813), 1 << 2, "ISR word 3");
}
