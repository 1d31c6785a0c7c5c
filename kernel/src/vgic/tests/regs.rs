//! Register semantics: set/clear pairs, byte access, configuration,
//! routing, access sizes.

use super::*;

#[test]
fn spi_set_clear_pairs() {
    let mut g = v3(2, 64);
    // SPI 33 and 70: bit 1 of register 1, bit 6 of register 2.
    for (set, clear) in [
        (GICD_ISENABLER, GICD_ICENABLER),
        (GICD_ISPENDR, GICD_ICPENDR),
        (GICD_ISACTIVER, GICD_ICACTIVER),
    ] {
        wd(&mut g, set + 4, 1 << 1);
        wd(&mut g, set + 8, 1 << 6);
        assert_eq!(rd(&mut g, set + 4), 1 << 1, "{set:#x}");
        assert_eq!(rd(&mut g, clear + 4), 1 << 1, "both read the state");
        assert_eq!(rd(&mut g, set + 8), 1 << 6);
        // Writing zeros changes nothing; writing ones to set again neither.
        wd(&mut g, set + 4, 0);
        wd(&mut g, clear + 4, 0);
        wd(&mut g, set + 4, 1 << 1);
        assert_eq!(rd(&mut g, set + 4), 1 << 1);
        wd(&mut g, clear + 4, 1 << 1 | 1 << 5);
        assert_eq!(rd(&mut g, set + 4), 0);
        assert_eq!(rd(&mut g, set + 8), 1 << 6, "other register untouched");
        wd(&mut g, clear + 8, !0);
        assert_eq!(rd(&mut g, set + 8), 0);
        // Bits past the last SPI stay zero.
        wd(&mut g, set + 12, !0);
        assert_eq!(rd(&mut g, set + 12), 0);
    }
}

#[test]
fn private_set_clear_pairs_are_per_redistributor() {
    let mut g = v3(2, 32);
    for (set, clear) in [
        (GICR_ISENABLER0, GICR_ICENABLER0),
        (GICR_ISPENDR0, GICR_ICPENDR0),
        (GICR_ISACTIVER0, GICR_ICACTIVER0),
    ] {
        // vCPU 0 writes vCPU 1's redistributor.
        wr(&mut g, 0, sgi_frame(1) + set, 0x0800_0002);
        assert_eq!(rr(&mut g, 0, sgi_frame(1) + set), 0x0800_0002);
        assert_eq!(rr(&mut g, 1, sgi_frame(1) + clear), 0x0800_0002);
        assert_eq!(rr(&mut g, 1, sgi_frame(0) + set), 0, "vCPU 0 untouched");
        wr(&mut g, 1, sgi_frame(1) + clear, 0x0000_0002);
        assert_eq!(rr(&mut g, 0, sgi_frame(1) + set), 0x0800_0000);
        wr(&mut g, 1, sgi_frame(1) + clear, !0);
        assert_eq!(rr(&mut g, 0, sgi_frame(1) + set), 0);
    }
}

#[test]
fn gicd_private_registers_are_raz_wi_with_are() {
    let mut g = v3(1, 32);
    for off in [
        GICD_ISENABLER,
        GICD_ISPENDR,
        GICD_ISACTIVER,
        GICD_IGROUPR,
        GICD_IPRIORITYR,
        GICD_ICFGR + 4,
        GICD_ITARGETSR,
    ] {
        wd(&mut g, off, !0);
        assert_eq!(rd(&mut g, off), 0, "{off:#x}");
    }
    assert_eq!(rr(&mut g, 0, sgi_frame(0) + GICR_ISENABLER0), 0);
    assert_eq!(rr(&mut g, 0, sgi_frame(0) + GICR_ISPENDR0), 0);
    assert_eq!(rr(&mut g, 0, sgi_frame(0) + GICR_IPRIORITYR), 0);
    g.gicd_write(0, GICD_IROUTER + 8 * 5, 8, 1).unwrap();
    assert_eq!(g.gicd_read(0, GICD_IROUTER + 8 * 5, 8), Some(0));
}

#[test]
fn priority_byte_and_word_access() {
    let mut g = v3(2, 32);
    let base = GICD_IPRIORITYR + 32;
    g.gicd_write(0, base + 1, 1, 0xA0).unwrap();
    g.gicd_write(0, base + 3, 1, 0x1234).unwrap(); // only the byte
    assert_eq!(rd(&mut g, base), 0x3400_A000);
    assert_eq!(g.gicd_read(0, base + 1, 1), Some(0xA0));
    wd(&mut g, base + 4, 0x8070_6050);
    assert_eq!(g.gicd_read(0, base + 6, 1), Some(0x70));
    assert_eq!(g.gicd_read(0, base + 7, 1), Some(0x80));
    // Redistributor: per vCPU, byte-accessible too.
    let prio = sgi_frame(1) + GICR_IPRIORITYR;
    g.gicr_write(1, prio + 27, 1, 0xC8).unwrap();
    assert_eq!(rr(&mut g, 1, prio + 24), 0xC800_0000);
    wr(&mut g, 1, prio, 0x0403_0201);
    assert_eq!(g.gicr_read(1, prio + 2, 1), Some(0x03));
    assert_eq!(rr(&mut g, 0, sgi_frame(0) + GICR_IPRIORITYR), 0);
    // Priorities past the last SPI: RAZ/WI.
    g.gicd_write(0, GICD_IPRIORITYR + 64, 1, 0xFF).unwrap();
    assert_eq!(g.gicd_read(0, GICD_IPRIORITYR + 64, 1), Some(0));
}

#[test]
fn icfgr_spis_writable_private_read_only() {
    let mut g = v3(1, 32);
    // Edge for SPIs 33 and 47; the odd "reserved" bits are ignored.
    wd(&mut g, GICD_ICFGR + 8, 2 << 2 | 2 << 30 | 1);
    assert_eq!(rd(&mut g, GICD_ICFGR + 8), 2 << 2 | 2 << 30);
    wd(&mut g, GICD_ICFGR + 8, 0);
    assert_eq!(rd(&mut g, GICD_ICFGR + 8), 0);
    wr(&mut g, 0, sgi_frame(0) + GICR_ICFGR0, 0);
    wr(&mut g, 0, sgi_frame(0) + GICR_ICFGR1, !0);
    assert_eq!(rr(&mut g, 0, sgi_frame(0) + GICR_ICFGR0), 0xAAAA_AAAA);
    assert_eq!(rr(&mut g, 0, sgi_frame(0) + GICR_ICFGR1), 0);
}

#[test]
fn irouter_64_and_32_bit() {
    let mut g = v3(4, 32);
    let r = GICD_IROUTER + 8 * 40;
    g.gicd_write(0, r, 8, 0xFFFF_FFFF_FFFF_FFFF).unwrap();
    assert_eq!(g.gicd_read(0, r, 8), Some(GICD_IROUTER_MASK));
    g.gicd_write(0, r, 4, 2).unwrap();
    assert_eq!(g.gicd_read(0, r, 8), Some(0xFF_0000_0002));
    g.gicd_write(0, r + 4, 4, 0).unwrap();
    assert_eq!(g.gicd_read(0, r, 8), Some(2));
    assert_eq!(g.gicd_read(0, r + 4, 4), Some(0));
    assert_eq!(g.gicd_read(0, r, 4), Some(2));
}

#[test]
fn bad_sizes_and_alignment_are_refused() {
    let mut g = v3(2, 32);
    assert_eq!(g.gicd_read(0, GICD_CTLR, 2), None);
    assert_eq!(g.gicd_read(0, GICD_CTLR, 1), None);
    assert_eq!(g.gicd_read(0, GICD_CTLR, 8), None);
    assert_eq!(g.gicd_read(0, GICD_CTLR, 3), None);
    assert_eq!(g.gicd_read(0, GICD_ISENABLER + 2, 4), None);
    assert_eq!(g.gicd_read(0, GICD_IPRIORITYR + 2, 4), None);
    assert_eq!(g.gicd_read(0, GICD_IPRIORITYR, 2), None);
    assert_eq!(g.gicd_read(0, GICD_IROUTER + 8 * 32 + 4, 8), None);
    assert_eq!(g.gicd_write(0, GICD_CTLR, 8, 0), None);
    assert_eq!(g.gicd_write(0, 0x5000, 1, 0), None);
    assert_eq!(g.gicr_read(0, GICR_CTLR, 8), None);
    assert_eq!(g.gicr_read(0, GICR_TYPER + 4, 8), None);
    assert_eq!(g.gicr_read(0, GICR_SGI_BASE + GICR_ISENABLER0, 1), None);
    assert_eq!(g.gicr_write(0, GICR_WAKER, 2, 0), None);
    assert_eq!(g.gicd_read(2, GICD_CTLR, 4), None, "no such vCPU");
    // Unknown offsets: RAZ/WI.
    assert_eq!(g.gicd_write(0, 0x5000, 4, 7), Some(()));
    assert_eq!(g.gicd_read(0, 0x5000, 4), Some(0));
    assert_eq!(g.gicr_write(0, 0x1234 * 4, 4, 7), Some(()));
    assert_eq!(g.gicr_read(0, 0x1234 * 4, 4), Some(0));
}

#[test]
fn ctlr_and_read_only_registers() {
    let mut g = v3(2, 32);
    wd(&mut g, GICD_CTLR, !0);
    let ctlr = GICD_CTLR_ARE | GICD_CTLR_DS | GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1;
    assert_eq!(rd(&mut g, GICD_CTLR), ctlr, "RWP 0, ARE RAO/WI");
    wd(&mut g, GICD_CTLR, 0);
    assert_eq!(rd(&mut g, GICD_CTLR), GICD_CTLR_ARE | GICD_CTLR_DS);
    let typer = rd(&mut g, GICD_TYPER);
    wd(&mut g, GICD_TYPER, 0);
    wd(&mut g, GICD_IGROUPR + 4, 0);
    assert_eq!(rd(&mut g, GICD_TYPER), typer);
    assert_eq!(rd(&mut g, GICD_IGROUPR + 4), !0, "IGROUPR RAO/WI");
    wr(&mut g, 0, sgi_frame(0) + GICR_IGROUPR0, 0);
    assert_eq!(rr(&mut g, 0, sgi_frame(0) + GICR_IGROUPR0), !0);
    g.gicr_write(0, GICR_TYPER, 8, 0).unwrap();
    assert_eq!(g.gicr_read(0, GICR_TYPER, 8), Some(0));
    wr(&mut g, 0, GICR_CTLR, GICR_CTLR_ENABLE_LPIS);
    assert_eq!(rr(&mut g, 0, GICR_CTLR), 0, "no LPIs");
    g.gicr_write(0, GICR_PROPBASER, 8, 0x1234_5000).unwrap();
    assert_eq!(g.gicr_read(0, GICR_PROPBASER, 8), Some(0));
    // WAKER: ChildrenAsleep follows ProcessorSleep.
    wr(&mut g, 1, rd_frame(1) + GICR_WAKER, 0);
    assert_eq!(rr(&mut g, 1, rd_frame(1) + GICR_WAKER), 0);
    wr(
        &mut g,
        1,
        rd_frame(1) + GICR_WAKER,
        GICR_WAKER_PROCESSOR_SLEEP,
    );
    assert_eq!(rr(&mut g, 1, rd_frame(1) + GICR_WAKER), 6);
    assert_eq!(rr(&mut g, 0, rd_frame(0) + GICR_WAKER), 6, "vCPU 0 asleep");
}

#[test]
fn typer_reports_rss_past_16_vcpus() {
    let mut g = v3(17, 960);
    let typer = rd(&mut g, GICD_TYPER);
    assert_eq!(typer & GICD_TYPER_ITLINESNUMBER_MASK, 30);
    assert_ne!(typer & GICD_TYPER_RSS, 0);
    assert_eq!(typer >> 5 & 7, 7);
    assert_eq!(
        typer & (GICD_TYPER_LPIS | GICD_TYPER_MBIS | GICD_TYPER_SECURITYEXTN),
        0
    );
}

#[test]
fn level_spi_software_pending_and_line() {
    let mut g = v3(1, 32);
    g.set_line(40, true);
    assert_eq!(rd(&mut g, GICD_ISPENDR + 4), 1 << 8);
    wd(&mut g, GICD_ICPENDR + 4, 1 << 8);
    assert_eq!(rd(&mut g, GICD_ISPENDR + 4), 1 << 8, "line still high");
    g.set_line(40, false);
    assert_eq!(rd(&mut g, GICD_ISPENDR + 4), 0);
    wd(&mut g, GICD_ISPENDR + 4, 1 << 8);
    assert_eq!(
        rd(&mut g, GICD_ISPENDR + 4),
        1 << 8,
        "software pend latches"
    );
    wd(&mut g, GICD_ICPENDR + 4, 1 << 8);
    assert_eq!(rd(&mut g, GICD_ISPENDR + 4), 0);
}
