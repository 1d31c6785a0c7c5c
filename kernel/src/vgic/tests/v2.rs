//! GICv2: banked distributor registers, SGIR, SGI sources, ITARGETSR
//! routing, GICH_LR encoding.

use super::*;

/// A GICv2 VM with the distributor enabled (Group 0, as Linux does).
fn v2(vcpus: usize) -> VGic {
    let mut g = VGic::new(2, vcpus, 32);
    wd(&mut g, GICD_CTLR, GICD_CTLR_ENABLE_GRP0);
    g
}

/// SPENDSGIR byte of `sgi` as `vcpu` reads it: one bit per source.
fn sgi_sources(g: &mut VGic, vcpu: usize, sgi: u64) -> u64 {
    g.gicd_read(vcpu, GICD_SPENDSGIR + sgi, 1).unwrap()
}

#[test]
fn banked_private_registers() {
    let mut g = v2(2);
    wd_by(&mut g, 1, GICD_ISENABLER, 1 << 27 | 1 << 3);
    assert_eq!(rd_by(&mut g, 1, GICD_ISENABLER), 1 << 27 | 1 << 3);
    assert_eq!(rd_by(&mut g, 0, GICD_ISENABLER), 0);
    g.gicd_write(1, GICD_IPRIORITYR + 27, 1, 0x90).unwrap();
    assert_eq!(g.gicd_read(1, GICD_IPRIORITYR + 27, 1), Some(0x90));
    assert_eq!(g.gicd_read(0, GICD_IPRIORITYR + 27, 1), Some(0));
    // ITARGETSR 0-31 read-only, the reader's own bit.
    g.gicd_write(1, GICD_ITARGETSR + 27, 1, 0x3).unwrap();
    assert_eq!(g.gicd_read(1, GICD_ITARGETSR + 27, 1), Some(0x2));
    // ICFGR0/1 read-only, ICFGR2 writable.
    wd(&mut g, GICD_ICFGR, 0);
    wd(&mut g, GICD_ICFGR + 4, !0);
    wd(&mut g, GICD_ICFGR + 8, 2);
    assert_eq!(rd(&mut g, GICD_ICFGR), 0xAAAA_AAAA);
    assert_eq!(rd(&mut g, GICD_ICFGR + 4), 0);
    assert_eq!(rd(&mut g, GICD_ICFGR + 8), 2);
    // IGROUPR is writable on GICv2.
    wd(&mut g, GICD_IGROUPR + 4, 0xF0);
    assert_eq!(rd(&mut g, GICD_IGROUPR + 4), 0xF0);
}

#[test]
fn sgir_target_list_and_filters() {
    let mut g = v2(4);
    // CPU 0 sends SGI 7 to CPUs 1 and 2.
    wd_by(
        &mut g,
        0,
        GICD_SGIR,
        0b0110 << GICD_SGIR_CPUTARGETLIST_SHIFT | 7,
    );
    assert_eq!(sgi_sources(&mut g, 1, 7), 0b0001);
    assert_eq!(sgi_sources(&mut g, 2, 7), 0b0001);
    assert_eq!(sgi_sources(&mut g, 0, 7), 0);
    assert_eq!(sgi_sources(&mut g, 3, 7), 0);
    assert_eq!(rd_by(&mut g, 1, GICD_SPENDSGIR + 4), 0x0100_0000);
    assert_eq!(rd_by(&mut g, 1, GICD_ISPENDR), 1 << 7);
    // CPU 2: all but self (filter 1), SGI 1.
    wd_by(&mut g, 2, GICD_SGIR, SGIR_FILTER_OTHERS << 24 | 1);
    let got: Vec<u64> = (0..4).map(|v| sgi_sources(&mut g, v, 1)).collect();
    assert_eq!(got, [0b100, 0b100, 0, 0b100]);
    // CPU 3: only self (filter 2), SGI 2; the target list is ignored.
    wd_by(
        &mut g,
        3,
        GICD_SGIR,
        SGIR_FILTER_SELF << 24 | 0xFF << 16 | 2,
    );
    let got: Vec<u64> = (0..4).map(|v| sgi_sources(&mut g, v, 2)).collect();
    assert_eq!(got, [0, 0, 0, 0b1000]);
    // Filter 3 is reserved; targets past the last CPU are dropped.
    wd_by(&mut g, 0, GICD_SGIR, 3 << 24 | 0xFF << 16 | 4);
    wd_by(&mut g, 0, GICD_SGIR, 0xF0 << 16 | 5);
    assert!((0..4).all(|v| sgi_sources(&mut g, v, 4) == 0 && sgi_sources(&mut g, v, 5) == 0));
    // ISPENDR0/ICPENDR0 ignore SGI bits; CPENDSGIR clears by source.
    wd_by(&mut g, 1, GICD_ICPENDR, !0);
    assert_eq!(sgi_sources(&mut g, 1, 1), 0b100);
    wd_by(&mut g, 1, GICD_ISPENDR, 1 << 9);
    assert_eq!(sgi_sources(&mut g, 1, 9), 0);
    g.gicd_write(1, GICD_CPENDSGIR + 1, 1, 0b100).unwrap();
    assert_eq!(sgi_sources(&mut g, 1, 1), 0);
    g.gicd_write(1, GICD_SPENDSGIR + 9, 1, 0b1010).unwrap();
    assert_eq!(sgi_sources(&mut g, 1, 9), 0b1010);
    assert_ne!(rd_by(&mut g, 1, GICD_ISPENDR) & 1 << 9, 0);
}

#[test]
fn gich_lr_carries_the_sgi_source() {
    let mut g = v2(4);
    wd_by(&mut g, 1, GICD_ISENABLER, 1 << 7);
    g.gicd_write(1, GICD_IPRIORITYR + 7, 1, 0xA8).unwrap();
    wd_by(&mut g, 0, GICD_SGIR, 0b0010 << 16 | 7);
    wd_by(&mut g, 3, GICD_SGIR, 0b0010 << 16 | 7);
    assert!(g.take_kicks().contains(1));
    let (mut lrs, more) = fill(&mut g, 1, 4);
    assert!(!more);
    // One instance at a time: source 0 first, EOI maintenance to refill.
    let want = (LR_STATE_PENDING as u32) << GICH_LR_STATE_SHIFT
        | (0xA8 >> 3) << GICH_LR_PRIORITY_SHIFT
        | GICH_LR_EOI
        | 7;
    assert_eq!(lrs, [u64::from(want), 0, 0, 0]);
    assert_eq!(
        sgi_sources(&mut g, 1, 7),
        0b1001,
        "listed counts as pending"
    );
    handle(&g, &mut lrs, 0);
    g.fill_lrs(1, &mut lrs);
    let want = (LR_STATE_PENDING as u32) << GICH_LR_STATE_SHIFT
        | (0xA8 >> 3) << GICH_LR_PRIORITY_SHIFT
        | 3 << GICH_LR_CPUID_SHIFT
        | 7;
    assert_eq!(lrs, [u64::from(want), 0, 0, 0]);
    // Acknowledged from source 3 while source 0 sends again: the active
    // instance keeps its LR and source.
    ack(&g, &mut lrs, 0);
    wd_by(&mut g, 0, GICD_SGIR, 0b0010 << 16 | 7);
    g.fill_lrs(1, &mut lrs);
    let lr = g.decode_lr(lrs[0]);
    assert_eq!(
        (lr.source, lr.active, lr.pending, lr.eoi),
        (3, true, false, true)
    );
    eoi(&g, &mut lrs, 0);
    g.fill_lrs(1, &mut lrs);
    let lr = g.decode_lr(lrs[0]);
    assert_eq!((lr.intid, lr.source, lr.pending), (7, 0, true));
    handle(&g, &mut lrs, 0);
    g.sync_lrs(1, &mut lrs);
    assert!(!g.has_pending(1));
}

#[test]
fn itargetsr_routes_spis() {
    let mut g = v2(4);
    wd(&mut g, GICD_ISENABLER + 4, 1 << 8);
    g.gicd_write(0, GICD_ITARGETSR + 40, 1, 0b0100).unwrap();
    assert_eq!(g.set_line(40, true), Some(2));
    assert_eq!(fill(&mut g, 0, 4).0, [0; 4]);
    let (mut lrs, _) = fill(&mut g, 2, 4);
    let lr = g.decode_lr(lrs[0]);
    assert_eq!(
        (lr.intid, lr.source, lr.eoi, lr.group1),
        (40, 0, true, false)
    );
    handle(&g, &mut lrs, 0);
    g.sync_lrs(2, &mut lrs);
    g.set_line(40, false);
    // Several targets: the lowest; absent CPUs are dropped.
    g.gicd_write(0, GICD_ITARGETSR + 40, 1, 0xF8).unwrap();
    assert_eq!(g.gicd_read(0, GICD_ITARGETSR + 40, 1), Some(0x08));
    wd(&mut g, GICD_ITARGETSR + 40, 0x0000_0006);
    assert_eq!(g.set_line(40, true), Some(1));
    wd(&mut g, GICD_ITARGETSR + 40, 0);
    assert!(!g.has_pending(1), "no target");
}

#[test]
fn groups_follow_gicd_ctlr() {
    let mut g = v2(1);
    wd(&mut g, GICD_ISENABLER + 4, 0b11);
    wd(&mut g, GICD_IGROUPR + 4, 0b10); // SPI 33 in Group 1
    g.set_line(32, true);
    g.set_line(33, true);
    assert_eq!(fill_ids(&mut g, 0, 4), [32]);
    wd(
        &mut g,
        GICD_CTLR,
        GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1,
    );
    let (lrs, _) = fill(&mut g, 0, 4);
    let lrs = valid(&g, &lrs);
    assert_eq!(
        lrs.iter().map(|l| (l.intid, l.group1)).collect::<Vec<_>>(),
        [(32, false), (33, true)]
    );
    assert_eq!(lrs[1].encode_v2() & GICH_LR_GRP1, GICH_LR_GRP1);
    wd(&mut g, GICD_CTLR, 0);
    assert!(!g.has_pending(0));
}

#[test]
fn lr_encodings_round_trip() {
    let lr = Lr {
        intid: 5,
        priority: 0xF8,
        group1: true,
        pending: true,
        active: true,
        eoi: true,
        source: 6,
        hw: 0,
    };
    assert_eq!(
        lr.encode_v2(),
        0xF000_0000 & !GICH_LR_HW | 0x1F << 23 | 1 << 19 | 6 << 10 | 5
    );
    assert_eq!(Lr::decode_v2(lr.encode_v2()), lr);
    assert_eq!(Lr::decode_v3(lr.encode_v3()), Lr { source: 0, ..lr });
    assert_eq!(
        lr.encode_v3(),
        0xF << 60 & !ICH_LR_HW | 0xF8 << 48 | 1 << 41 | 5
    );
    // SPIs carry no source; HW = 1 means no EOI bit and no CPUID.
    let spi = Lr {
        intid: 40,
        source: 3,
        ..lr
    };
    assert_eq!(spi.encode_v2() >> 10 & 7, 0);
    // With HW = 1, bits 19:10 (GICv2) and 44:32 (GICv3) are the physical
    // INTID.
    let hw = Lr::decode_v2(GICH_LR_HW | GICH_LR_EOI | 2 << 10 | 9);
    assert_eq!((hw.intid, hw.eoi, hw.source, hw.hw), (9, false, 0, 0x202));
    let hw = Lr::decode_v3(ICH_LR_HW | ICH_LR_EOI | 9);
    assert!(!hw.eoi && hw.is_invalid() && hw.hw == 0x200);
}
