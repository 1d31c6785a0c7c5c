//! Reset values of every emulated register, and the configurations the
//! constructor accepts.

use super::*;

#[test]
fn constructor_checks_configuration() {
    assert!(VGic::try_new(3, 1, 0).is_some());
    assert!(VGic::try_new(3, 64, 960).is_some());
    assert!(VGic::try_new(2, 8, 32).is_some());
    assert!(VGic::try_new(1, 1, 32).is_none());
    assert!(VGic::try_new(3, 0, 32).is_none());
    assert!(VGic::try_new(3, 65, 32).is_none());
    assert!(VGic::try_new(2, 9, 32).is_none());
    assert!(VGic::try_new(3, 1, 33).is_none());
    assert!(VGic::try_new(3, 1, 992).is_none());
    let g = VGic::new(3, 4, 64);
    assert_eq!((g.version(), g.vcpus(), g.spis()), (3, 4, 64));
}

#[test]
fn gicd_v3_reset_values() {
    let mut g = v3(4, 64);
    assert_eq!(rd(&mut g, GICD_CTLR), GICD_CTLR_ARE | GICD_CTLR_DS);
    // ITLinesNumber 2 (96 INTIDs), CPUNumber 3, IDbits 9, nothing else.
    assert_eq!(rd(&mut g, GICD_TYPER), 2 | 3 << 5 | 9 << 19);
    assert_eq!(rd(&mut g, GICD_IIDR), 0x5100_043B);
    assert_eq!(rd(&mut g, GICD_TYPER2), 0);
    assert_eq!(rd(&mut g, GICD_STATUSR), 0);
    // INTIDs 0-31 belong to the redistributors; SPIs are Group 1; no
    // INTIDs past 95.
    assert_eq!(rd(&mut g, GICD_IGROUPR), 0);
    assert_eq!(rd(&mut g, GICD_IGROUPR + 4), !0);
    assert_eq!(rd(&mut g, GICD_IGROUPR + 8), !0);
    assert_eq!(rd(&mut g, GICD_IGROUPR + 12), 0);
    for base in [
        GICD_ISENABLER,
        GICD_ICENABLER,
        GICD_ISPENDR,
        GICD_ICPENDR,
        GICD_ISACTIVER,
        GICD_ICACTIVER,
        GICD_IGRPMODR,
        GICD_NSACR,
    ] {
        for n in 0..4 {
            assert_eq!(rd(&mut g, base + 4 * n), 0, "{base:#x} + {n}");
        }
    }
    for n in 0..24 {
        assert_eq!(rd(&mut g, GICD_IPRIORITYR + 4 * n), 0);
        assert_eq!(rd(&mut g, GICD_ITARGETSR + 4 * n), 0, "RAZ with ARE");
    }
    for n in 0..6 {
        assert_eq!(rd(&mut g, GICD_ICFGR + 4 * n), 0, "SPIs level");
    }
    for off in [GICD_SGIR, GICD_CPENDSGIR, GICD_SPENDSGIR] {
        assert_eq!(rd(&mut g, off), 0);
    }
    for intid in [0u64, 31, 32, 95, 96] {
        assert_eq!(g.gicd_read(0, GICD_IROUTER + 8 * intid, 8), Some(0));
    }
    assert_eq!(rd(&mut g, GICD_PIDR2), 0x3B);
    assert_eq!(rd(&mut g, GICD_PIDR2) >> 4 & 0xF, 3, "ArchRev");
    assert_eq!(rd(&mut g, GICD_PIDR0), 0x51);
    assert_eq!(rd(&mut g, GICD_PIDR1), 0xB0);
    assert_eq!(rd(&mut g, GICD_PIDR3), 0);
    assert_eq!(rd(&mut g, GICD_PIDR4), 0x04);
    let cidr = [GICD_CIDR0, GICD_CIDR1, GICD_CIDR2, GICD_CIDR3].map(|o| rd(&mut g, o));
    assert_eq!(cidr, [0x0D, 0xF0, 0x05, 0xB1]);
    // Unknown offsets read as zero.
    assert_eq!(rd(&mut g, 0x5000), 0);
    assert_eq!(rd(&mut g, 0x0020), 0);
}

#[test]
fn gicr_reset_values() {
    let mut g = v3(3, 32);
    for t in 0..3 {
        let rd_base = rd_frame(t);
        assert_eq!(rr(&mut g, 0, rd_base + GICR_CTLR), 0);
        assert_eq!(rr(&mut g, 0, rd_base + GICR_IIDR), GIC_IIDR);
        assert_eq!(rr(&mut g, 0, rd_base + GICR_STATUSR), 0);
        assert_eq!(
            rr(&mut g, 0, rd_base + GICR_WAKER),
            GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP
        );
        let last = if t == 2 { GICR_TYPER_LAST } else { 0 };
        let typer = (t as u64) << 32 | (t as u64) << 8 | last;
        assert_eq!(g.gicr_read(0, rd_base + GICR_TYPER, 8), Some(typer));
        assert_eq!(rr(&mut g, 0, rd_base + GICR_TYPER), typer as u32);
        assert_eq!(rr(&mut g, 0, rd_base + GICR_TYPER + 4), t as u32);
        assert_eq!(g.gicr_read(0, rd_base + GICR_PROPBASER, 8), Some(0));
        assert_eq!(g.gicr_read(0, rd_base + GICR_PENDBASER, 8), Some(0));
        assert_eq!(rr(&mut g, 0, rd_base + GICR_PIDR2), 0x3B);
        assert_eq!(rr(&mut g, 0, rd_base + GICD_CIDR1), 0xF0);

        let sgi = sgi_frame(t);
        assert_eq!(rr(&mut g, 0, sgi + GICR_IGROUPR0), !0);
        for off in [
            GICR_ISENABLER0,
            GICR_ICENABLER0,
            GICR_ISPENDR0,
            GICR_ICPENDR0,
            GICR_ISACTIVER0,
            GICR_ICACTIVER0,
            GICR_IGRPMODR0,
            GICR_NSACR,
        ] {
            assert_eq!(rr(&mut g, 0, sgi + off), 0, "{off:#x}");
        }
        for n in 0..8 {
            assert_eq!(rr(&mut g, 0, sgi + GICR_IPRIORITYR + 4 * n), 0);
        }
        assert_eq!(rr(&mut g, 0, sgi + GICR_ICFGR0), 0xAAAA_AAAA, "SGIs edge");
        assert_eq!(rr(&mut g, 0, sgi + GICR_ICFGR1), 0, "PPIs level");
    }
    // Past the last redistributor: RAZ/WI.
    assert_eq!(rr(&mut g, 0, rd_frame(3) + GICR_PIDR2), 0);
    wr(&mut g, 0, rd_frame(3) + GICR_WAKER, 0);
}

#[test]
fn gicd_v2_reset_values() {
    let mut g = VGic::new(2, 2, 32);
    assert_eq!(rd(&mut g, GICD_CTLR), 0);
    assert_eq!(rd(&mut g, GICD_TYPER), 1 | 1 << 5);
    assert_eq!(rd(&mut g, GICD_IIDR), GIC_IIDR);
    // Group 0 at reset.
    for n in 0..3 {
        assert_eq!(rd(&mut g, GICD_IGROUPR + 4 * n), 0);
        assert_eq!(rd(&mut g, GICD_ISENABLER + 4 * n), 0);
        assert_eq!(rd(&mut g, GICD_ISPENDR + 4 * n), 0);
        assert_eq!(rd(&mut g, GICD_ISACTIVER + 4 * n), 0);
    }
    // Private targets: the reader; SPIs: CPU 0.
    assert_eq!(rd_by(&mut g, 0, GICD_ITARGETSR), 0x0101_0101);
    assert_eq!(rd_by(&mut g, 1, GICD_ITARGETSR + 28), 0x0202_0202);
    assert_eq!(rd(&mut g, GICD_ITARGETSR + 32), 0x0101_0101);
    assert_eq!(rd(&mut g, GICD_ITARGETSR + 64), 0, "no INTID 64");
    assert_eq!(rd(&mut g, GICD_ICFGR), 0xAAAA_AAAA);
    assert_eq!(rd(&mut g, GICD_ICFGR + 4), 0);
    assert_eq!(rd(&mut g, GICD_ICFGR + 8), 0);
    for n in 0..4 {
        assert_eq!(rd(&mut g, GICD_SPENDSGIR + 4 * n), 0);
        assert_eq!(rd(&mut g, GICD_CPENDSGIR + 4 * n), 0);
    }
    assert_eq!(rd(&mut g, GICD_PIDR2 - ID_V2_DELTA), 0x2B);
    assert_eq!(
        rd(&mut g, GICD_PIDR2 - ID_V2_DELTA) >> 4 & 0xF,
        2,
        "ArchRev"
    );
    assert_eq!(rd(&mut g, GICD_CIDR3 - ID_V2_DELTA), 0xB1);
    // GICv2 has no IROUTER or redistributors.
    assert_eq!(rd(&mut g, GICD_IROUTER + 8 * 32), 0);
    assert_eq!(g.gicr_read(0, GICR_PIDR2, 4), Some(0));
}
