//! ICR encodings to IPIs, the combinations Table 10-3 rejects, and
//! destination matching in every addressing model.

use super::*;

/// The IPI an xAPIC ICR write (`high` first, then `low`) sends.
fn send(l: &mut VLapic, high: u32, low: u32) -> Option<Ipi> {
    wr(l, APIC_ICR_HIGH, high);
    match wr(l, APIC_ICR_LOW, low) {
        Effect::Ipi(ipi) => Some(ipi),
        Effect::None => None,
        e => panic!("{e:?}"),
    }
}

#[test]
fn icr_encodings() {
    let mut l = enabled();
    let ipi = |vector, delivery, destination, level, trigger| Ipi {
        vector,
        delivery,
        destination,
        level,
        trigger,
    };
    use Delivery::*;
    use Destination::*;
    use Trigger::*;
    let cases = [
        (
            0x0300_0000,
            0x0000_4031,
            ipi(0x31, Fixed, Physical(3), true, Edge),
        ),
        (
            0x0F00_0000,
            0x0000_0932,
            ipi(0x32, LowestPriority, Logical(0x0F), false, Edge),
        ),
        (
            0x0100_0000,
            0x0000_0200,
            ipi(0, Smi, Physical(1), false, Edge),
        ),
        (
            0x0200_0000,
            0x0000_0402,
            ipi(2, Nmi, Physical(2), false, Edge),
        ),
        (
            0x0300_0000,
            0x0000_C500,
            ipi(0, Init, Physical(3), true, Level),
        ),
        (
            0x0300_0000,
            0x0000_8500,
            ipi(0, Init, Physical(3), false, Level),
        ),
        (
            0x0300_0000,
            0x0000_069A,
            ipi(0x9A, StartUp, Physical(3), false, Edge),
        ),
        (
            0xFF00_0000,
            0x0000_0033,
            ipi(0x33, Fixed, Physical(0xFF), false, Edge),
        ),
        (0, 0x0004_0034, ipi(0x34, Fixed, SelfOnly, false, Edge)),
        (
            0,
            0x0008_0035,
            ipi(0x35, Fixed, AllIncludingSelf, false, Edge),
        ),
        (
            0,
            0x000C_0036,
            ipi(0x36, Fixed, AllExcludingSelf, false, Edge),
        ),
        (0, 0x000C_0500, ipi(0, Init, AllExcludingSelf, false, Edge)),
        (
            0,
            0x000C_0600,
            ipi(0, StartUp, AllExcludingSelf, false, Edge),
        ),
        (0, 0x000C_0400, ipi(0, Nmi, AllExcludingSelf, false, Edge)),
        // The shorthand wins over the destination fields.
        (
            0x0700_0000,
            0x0004_0837,
            ipi(0x37, Fixed, SelfOnly, false, Edge),
        ),
    ];
    for (high, low, want) in cases {
        assert_eq!(
            send(&mut l, high, low),
            Some(want),
            "ICR {high:#x}:{low:#x}"
        );
        assert_eq!(rd(&mut l, APIC_ICR_LOW), low, "reads back, idle");
        assert_eq!(rd(&mut l, APIC_ICR_HIGH), high);
    }
    assert!(
        send(&mut l, 0x0300_0000, 0x0000_8500)
            .unwrap()
            .is_init_deassert()
    );
    assert!(
        !send(&mut l, 0x0300_0000, 0x0000_C500)
            .unwrap()
            .is_init_deassert()
    );
}

#[test]
fn invalid_combinations_send_nothing() {
    let mut l = enabled();
    let invalid = [
        0x0000_0340, // reserved mode 011
        0x0000_0740, // ExtINT is for LVT entries only
        0x0004_0140, // self, lowest priority
        0x0004_0400, // self, NMI
        0x0004_0500, // self, INIT
        0x0008_0600, // all including self, SIPI
        0x0008_0200, // all including self, SMI
    ];
    for low in invalid {
        assert_eq!(send(&mut l, 0, low), None, "ICR {low:#x}");
    }
    assert_eq!(l.esr(), 0);
    wr(&mut l, APIC_ESR, 0);
    assert_eq!(rd(&mut l, APIC_ESR), 0, "no error logged");
}

#[test]
fn read_only_icr_bits_are_dropped() {
    let mut l = enabled();
    // Delivery status (12), reserved 13, 16-17, 20-31.
    send(&mut l, 0x00FF_FFFF, 0xFFF3_3040);
    assert_eq!(rd(&mut l, APIC_ICR_LOW), 0x0000_0040);
    assert_eq!(rd(&mut l, APIC_ICR_HIGH), 0);
}

#[test]
fn xapic_physical_destinations() {
    let mut l = enabled();
    assert!(l.matches_destination(DestMode::Physical, 5));
    assert!(!l.matches_destination(DestMode::Physical, 6));
    assert!(!l.matches_destination(DestMode::Physical, 0x105));
    assert!(l.matches_destination(DestMode::Physical, 0xFF), "broadcast");
    wr(&mut l, APIC_ID, 0x2000_0000);
    assert!(l.matches_destination(DestMode::Physical, 0x20));
    assert!(!l.matches_destination(DestMode::Physical, 5));
}

#[test]
fn xapic_flat_logical_destinations() {
    let mut l = enabled();
    assert!(!l.matches_destination(DestMode::Logical, 0x01), "LDR 0");
    wr(&mut l, APIC_LDR, 0x0400_0000);
    for (dest, hit) in [(0x04, true), (0x0C, true), (0x03, false), (0xFB, false)] {
        assert_eq!(
            l.matches_destination(DestMode::Logical, dest),
            hit,
            "{dest:#x}"
        );
    }
    assert!(l.matches_destination(DestMode::Logical, 0xFF), "broadcast");
}

#[test]
fn xapic_cluster_logical_destinations() {
    let mut l = enabled();
    wr(&mut l, APIC_DFR, 0x0FFF_FFFF);
    // Cluster 3, member bit 1.
    wr(&mut l, APIC_LDR, 0x3200_0000);
    for (dest, hit) in [
        (0x32, true),
        (0x3F, true),
        (0x33, true),
        (0x31, false),
        (0x22, false),
        (0x42, false),
        (0xF2, false),
    ] {
        assert_eq!(
            l.matches_destination(DestMode::Logical, dest),
            hit,
            "{dest:#x}"
        );
    }
    assert!(l.matches_destination(DestMode::Logical, 0xFF), "broadcast");
    // A DFR model that is neither flat nor cluster matches nothing.
    wr(&mut l, APIC_DFR, 0x5FFF_FFFF);
    assert!(!l.matches_destination(DestMode::Logical, 0x32));
}

#[test]
fn x2apic_destinations() {
    // ID 0x25: cluster 2, member bit 5 (LDR 0x0002_0020).
    let l = x2(0x25);
    let cases = [
        (DestMode::Physical, 0x25, true),
        (DestMode::Physical, 0x26, false),
        (DestMode::Physical, 0xFF, false),
        (DestMode::Physical, 0xFFFF_FFFF, true),
        (DestMode::Logical, 0x0002_0020, true),
        (DestMode::Logical, 0x0002_FFFF, true),
        (DestMode::Logical, 0x0002_0010, false),
        (DestMode::Logical, 0x0003_0020, false),
        (DestMode::Logical, 0x0000_0020, false),
        (DestMode::Logical, 0xFFFF_FFFF, true),
    ];
    for (mode, dest, hit) in cases {
        assert_eq!(l.matches_destination(mode, dest), hit, "{mode:?} {dest:#x}");
    }
}

#[test]
fn shorthand_targets() {
    let me = enabled();
    let ipi = |destination| Ipi {
        vector: 0x40,
        delivery: Delivery::Fixed,
        destination,
        level: true,
        trigger: Trigger::Edge,
    };
    let cases = [
        (Destination::SelfOnly, true, false),
        (Destination::AllIncludingSelf, true, true),
        (Destination::AllExcludingSelf, false, true),
        (Destination::Physical(5), true, true),
        (Destination::Physical(6), false, false),
        (Destination::Logical(0xFF), true, true),
    ];
    for (dest, as_sender, as_other) in cases {
        assert_eq!(me.is_ipi_target(&ipi(dest), true), as_sender, "{dest:?}");
        assert_eq!(me.is_ipi_target(&ipi(dest), false), as_other, "{dest:?}");
    }
    let mut off = lapic();
    off.write_apic_base(APIC_BASE_DEFAULT).unwrap();
    assert!(!off.is_ipi_target(&ipi(Destination::AllIncludingSelf), false));
}
