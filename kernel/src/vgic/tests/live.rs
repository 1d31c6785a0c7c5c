//! The live set (only pending or active interrupts are looked at) and
//! which register accesses need the list registers synced first.

use super::*;

#[test]
fn idle_interrupts_leave_the_live_set_and_pending_ones_come_back() {
    let mut g = ready(2, 64);
    // Configuration writes touch many interrupts: all idle.
    for intid in (32u32..96).step_by(32) {
        wd(&mut g, GICD_ISENABLER + u64::from(intid / 32) * 4, u32::MAX);
    }
    assert_eq!(fill_ids(&mut g, 0, 4), Vec::<u32>::new());
    assert!(g.live_spis.iter().all(|&w| w == 0), "idle SPIs dropped");
    // The highest SPI, raised after the set emptied, is still found.
    assert_eq!(g.set_line(95, true), Some(0));
    assert!(g.has_pending(0));
    let (mut lrs, _) = fill(&mut g, 0, 4);
    assert_eq!(intids(&g, &lrs), [95]);
    // Acknowledged and ended with the line low: idle again, gone.
    g.set_line(95, false);
    let i = slot(&g, &lrs, 95);
    ack(&g, &mut lrs, i);
    eoi(&g, &mut lrs, i);
    g.sync_lrs(0, &mut lrs);
    assert_eq!(fill_ids(&mut g, 0, 4), Vec::<u32>::new());
    assert!(g.live_spis.iter().all(|&w| w == 0));
    assert!(!g.has_pending(0));
}

#[test]
fn active_interrupts_stay_live_until_deactivated() {
    let mut g = ready(1, 32);
    enable_private(&mut g, 0, 5);
    g.write_sgi1r(0, 1 << 0 | 5 << 24);
    let (mut lrs, _) = fill(&mut g, 0, 4);
    let i = slot(&g, &lrs, 5);
    ack(&g, &mut lrs, i);
    // Synced and refilled while active: listed again as active.
    let more = g.fill_lrs(0, &mut lrs);
    assert!(!more);
    assert_eq!(valid(&g, &lrs)[0].intid, 5);
    assert!(valid(&g, &lrs)[0].active);
    assert_ne!(g.cpus[0].live & 1 << 5, 0);
}

#[test]
fn only_state_reads_and_writes_need_a_sync() {
    let g = ready(2, 32);
    // Identification and configuration reads: no.
    for off in [
        GICD_CTLR,
        GICD_TYPER,
        GICD_IIDR,
        GICD_ISENABLER + 4,
        GICD_IPRIORITYR + 32,
    ] {
        assert!(!g.gicd_needs_sync(off, false), "read of {off:#x}");
    }
    // Pending and active state: yes; any write: yes.
    for off in [
        GICD_ISPENDR + 4,
        GICD_ICPENDR + 4,
        GICD_ISACTIVER + 4,
        GICD_ICACTIVER + 4,
    ] {
        assert!(g.gicd_needs_sync(off, false), "read of {off:#x}");
    }
    assert!(g.gicd_needs_sync(GICD_IPRIORITYR + 32, true));
    // Redistributors: the SGI_base frame's pending and active arrays.
    let frame = sgi_frame(1);
    assert!(!g.gicr_needs_sync(rd_frame(1) + GICR_TYPER, false));
    assert!(!g.gicr_needs_sync(frame + GICR_ISENABLER0, false));
    assert!(g.gicr_needs_sync(frame + GICR_ISPENDR0, false));
    assert!(g.gicr_needs_sync(frame + GICR_ISACTIVER0, false));
    assert!(g.gicr_needs_sync(rd_frame(1) + GICR_WAKER, true));
    // GICv2: SGIR writes only add pending SGIs; SPENDSGIR reads are state.
    let g2 = VGic::new(2, 2, 32);
    assert!(!g2.gicd_needs_sync(GICD_SGIR, true));
    assert!(g2.gicd_needs_sync(GICD_SPENDSGIR, false));
    assert!(g2.gicd_needs_sync(GICD_CPENDSGIR + 4, false));
    assert!(!g2.gicd_needs_sync(GICD_ITARGETSR + 32, false));
}

#[test]
fn writes_past_the_last_spi_leave_nothing_live() {
    // 32 SPIs (INTIDs 32-63): a guest that configures whole register
    // ranges writes the bits of INTIDs 64-95 too (GICv2 and GICv3).
    for version in [2, 3] {
        let mut g = VGic::new(version, 2, 32);
        for word in 1..4u64 {
            wd(&mut g, GICD_ICENABLER + 4 * word, u32::MAX);
            wd(&mut g, GICD_ICPENDR + 4 * word, u32::MAX);
            wd(&mut g, GICD_ICACTIVER + 4 * word, u32::MAX);
        }
        // A fill drops the idle ones; none past the last SPI was added.
        assert_eq!(fill_ids(&mut g, 0, 4), Vec::<u32>::new());
        assert!(
            g.live_spis.iter().all(|&w| w == 0),
            "GICv{version}: only SPIs 32-63 exist, and they are idle: {:x?}",
            g.live_spis
        );
    }
}
