//! Delivery through list registers (GICv3 encoding).

use super::*;

#[test]
fn irouter_routes_an_spi_to_vcpu_2_only() {
    let mut g = ready(4, 32);
    enable_spi(&mut g, 40);
    g.gicd_write(0, GICD_IPRIORITYR + 40, 1, 0xA0).unwrap();
    g.gicd_write(0, GICD_IROUTER + 8 * 40, 8, 2).unwrap();
    assert_eq!(g.set_line(40, true), Some(2));
    assert_eq!(g.set_line(40, true), None, "already pending");
    for v in [0, 1, 3] {
        assert!(!g.has_pending(v));
        assert_eq!(fill(&mut g, v, 4), (vec![0; 4], false));
    }
    assert!(g.has_pending(2));
    let (lrs, more) = fill(&mut g, 2, 4);
    assert!(!more);
    let lr = ICH_LR_EOI | ICH_LR_GROUP | 0xA0 << ICH_LR_PRIORITY_SHIFT | 40;
    assert_eq!(lrs, [LR_STATE_PENDING << ICH_LR_STATE_SHIFT | lr, 0, 0, 0]);
    assert!(g.has_pending(2), "listed counts");
    // IRM: any vCPU, the model picks vCPU 0.
    g.set_line(41, true);
    enable_spi(&mut g, 41);
    g.gicd_write(0, GICD_IROUTER + 8 * 41, 8, GICD_IROUTER_IRM)
        .unwrap();
    assert_eq!(fill_ids(&mut g, 0, 4), [41]);
    // Affinity of no vCPU: not delivered.
    g.gicd_write(0, GICD_IROUTER + 8 * 42, 8, 1 << 8).unwrap();
    enable_spi(&mut g, 42);
    assert_eq!(g.set_line(42, true), None);
}

#[test]
fn level_spi_stays_pending_while_line_high() {
    let mut g = ready(1, 32);
    enable_spi(&mut g, 33);
    assert_eq!(g.set_line(33, true), Some(0));
    let (mut lrs, _) = fill(&mut g, 0, 4);
    let lr = g.decode_lr(lrs[0]);
    assert_eq!(
        (lr.intid, lr.pending, lr.active, lr.eoi),
        (33, true, false, true)
    );
    // The guest handles it but the device keeps the line high.
    handle(&g, &mut lrs, 0);
    g.sync_lrs(0, &mut lrs);
    assert_eq!(lrs, [0; 4]);
    assert!(g.has_pending(0));
    assert_eq!(rd(&mut g, GICD_ISPENDR + 4), 1 << 1);
    assert_eq!(rd(&mut g, GICD_ISACTIVER + 4), 0);
    let (mut lrs, _) = fill(&mut g, 0, 4);
    assert!(g.decode_lr(lrs[0]).pending, "pending again");
    // Acknowledged, then an exit: listed active only, although the line
    // is high (a list register cannot follow it), with the EOI bit.
    ack(&g, &mut lrs, 0);
    g.fill_lrs(0, &mut lrs);
    let lr = g.decode_lr(lrs[0]);
    assert_eq!(
        (lr.intid, lr.pending, lr.active, lr.eoi),
        (33, false, true, true)
    );
    // The device drops the line; the guest deactivates: nothing is left
    // in the LR for the guest to take again.
    g.set_line(33, false);
    eoi(&g, &mut lrs, 0);
    assert!(g.decode_lr(lrs[0]).is_invalid());
    g.sync_lrs(0, &mut lrs);
    assert!(!g.has_pending(0));
    assert_eq!(fill(&mut g, 0, 4), (vec![0; 4], false));
    // Again, but the line stays high through the deactivation: pending
    // again at the next fill.
    g.set_line(33, true);
    let (mut lrs, _) = fill(&mut g, 0, 4);
    ack(&g, &mut lrs, 0);
    g.fill_lrs(0, &mut lrs);
    eoi(&g, &mut lrs, 0);
    g.sync_lrs(0, &mut lrs);
    assert!(g.has_pending(0));
    let (lrs, _) = fill(&mut g, 0, 4);
    let lr = g.decode_lr(lrs[0]);
    assert_eq!((lr.intid, lr.pending, lr.active), (33, true, false));
}

#[test]
fn a_set_pending_level_interrupt_is_active_and_pending() {
    // ISPENDR latches a level-sensitive interrupt: that pending state is
    // not the line's and is listed beside the active one.
    let mut g = ready(1, 32);
    enable_spi(&mut g, 33);
    g.set_line(33, true);
    let (mut lrs, _) = fill(&mut g, 0, 4);
    ack(&g, &mut lrs, 0);
    g.sync_lrs(0, &mut lrs);
    wd(&mut g, GICD_ISPENDR + 4, 1 << 1);
    let (lrs, _) = fill(&mut g, 0, 4);
    let lr = g.decode_lr(lrs[0]);
    assert_eq!((lr.intid, lr.pending, lr.active), (33, true, true));
}

#[test]
fn the_timer_line_is_a_level() {
    let mut g = ready(2, 32);
    enable_private(&mut g, 1, VTIMER_PPI);
    assert!(!g.private_line(1, VTIMER_PPI));
    assert!(g.set_private_line(1, VTIMER_PPI, true));
    assert!(g.private_line(1, VTIMER_PPI));
    assert!(!g.private_line(0, VTIMER_PPI), "vCPU 1's only");
    assert!(
        !g.set_private_line(1, VTIMER_PPI, true),
        "a high line set high again: nothing new"
    );
    assert!(!g.set_private_line(1, 12, true), "not a PPI");
    assert!(!g.private_line(1, 12));
    assert!(g.has_pending(1) && !g.has_pending(0));
    let (lrs, _) = fill(&mut g, 1, 4);
    assert_eq!(fill(&mut g, 1, 4).0, lrs, "one instance, listed once");
    let lr = g.decode_lr(lrs[0]);
    assert_eq!(
        (lr.intid, lr.pending, lr.active, lr.eoi),
        (VTIMER_PPI, true, false, true)
    );
}

#[test]
fn resampling_asks_only_while_the_line_is_high() {
    let mut g = ready(1, 32);
    enable_private(&mut g, 0, VTIMER_PPI);
    let never = || -> bool { panic!("sampled a low line") };
    assert!(!g.resample_private_line(0, VTIMER_PPI, never));
    g.set_private_line(0, VTIMER_PPI, true);
    assert!(g.resample_private_line(0, VTIMER_PPI, || true));
    assert!(g.has_pending(0));
    assert!(!g.resample_private_line(0, VTIMER_PPI, || false));
    assert!(!g.private_line(0, VTIMER_PPI));
    assert!(!g.has_pending(0));
    assert!(!g.resample_private_line(0, 12, never), "not a PPI");
}

/// The duplicate the stress guest found: the kernel raised the timer
/// (a WFI past its deadline), the guest took it, and the timer's
/// physical interrupt raised it again while the guest's handler had it;
/// the handler stopped the timer before deactivating it. A level line
/// gives one interrupt.
#[test]
fn a_timer_raised_twice_while_handled_is_taken_once() {
    let mut g = ready(1, 32);
    enable_private(&mut g, 0, VTIMER_PPI);
    assert!(g.set_private_line(0, VTIMER_PPI, true));
    let (mut lrs, _) = fill(&mut g, 0, 4);
    ack(&g, &mut lrs, 0);
    // The late physical interrupt: an exit, the line driven high again.
    g.sync_lrs(0, &mut lrs);
    assert!(!g.set_private_line(0, VTIMER_PPI, true));
    g.fill_lrs(0, &mut lrs);
    let lr = g.decode_lr(lrs[0]);
    assert_eq!((lr.pending, lr.active), (false, true), "active only");
    // The handler stops the timer and deactivates it; the EOI
    // maintenance exit samples the timer again: low.
    eoi(&g, &mut lrs, 0);
    g.sync_lrs(0, &mut lrs);
    assert!(!g.resample_private_line(0, VTIMER_PPI, || false));
    assert!(!g.has_pending(0));
    assert_eq!(fill(&mut g, 0, 4), (vec![0; 4], false));
    assert_eq!(rr(&mut g, 0, sgi_frame(0) + GICR_ISPENDR0), 0);
    assert_eq!(rr(&mut g, 0, sgi_frame(0) + GICR_ISACTIVER0), 0);
}

#[test]
fn a_timer_still_due_at_deactivation_is_pending_again() {
    let mut g = ready(1, 32);
    enable_private(&mut g, 0, VTIMER_PPI);
    g.set_private_line(0, VTIMER_PPI, true);
    let (mut lrs, _) = fill(&mut g, 0, 4);
    handle(&g, &mut lrs, 0);
    g.sync_lrs(0, &mut lrs);
    // The guest rearmed it in the past (or never stopped it).
    assert!(g.resample_private_line(0, VTIMER_PPI, || true));
    assert!(g.has_pending(0));
    assert_eq!(fill_ids(&mut g, 0, 4), [VTIMER_PPI]);
}

#[test]
fn edge_ppi_raise_list_eoi_gone() {
    let mut g = ready(2, 32);
    enable_private(&mut g, 1, 27);
    assert!(g.raise_private(1, 27));
    assert!(!g.raise_private(1, 27), "already pending");
    assert!(!g.raise_private(1, 12), "not a PPI");
    assert!(!g.has_pending(0));
    assert!(g.has_pending(1));
    assert_eq!(fill(&mut g, 0, 4).0, [0; 4]);
    let (mut lrs, _) = fill(&mut g, 1, 4);
    assert_eq!(intids(&g, &lrs), [27]);
    handle(&g, &mut lrs, 0);
    g.sync_lrs(1, &mut lrs);
    assert!(!g.has_pending(1));
    assert_eq!(rr(&mut g, 0, sgi_frame(1) + GICR_ISPENDR0), 0);
    assert_eq!(fill(&mut g, 1, 4), (vec![0; 4], false));
}

#[test]
fn new_edge_while_active_becomes_active_and_pending() {
    let mut g = ready(1, 32);
    enable_private(&mut g, 0, VTIMER_PPI);
    g.raise_private(0, VTIMER_PPI);
    let (mut lrs, _) = fill(&mut g, 0, 2);
    ack(&g, &mut lrs, 0);
    // The pending state sits in the LR: a new event must kick.
    assert!(g.raise_private(0, VTIMER_PPI));
    g.fill_lrs(0, &mut lrs);
    let lr = g.decode_lr(lrs[0]);
    assert!(lr.pending && lr.active);
    eoi(&g, &mut lrs, 0);
    g.fill_lrs(0, &mut lrs);
    handle(&g, &mut lrs, 0);
    g.sync_lrs(0, &mut lrs);
    assert!(!g.has_pending(0));
    assert_eq!(rr(&mut g, 0, sgi_frame(0) + GICR_ISACTIVER0), 0);
}

#[test]
fn edge_spi_latches_on_rising_edge() {
    let mut g = ready(1, 32);
    enable_spi(&mut g, 50);
    wd(&mut g, GICD_ICFGR + 12, 2 << 4); // INTID 50 edge
    assert_eq!(g.set_line(50, true), Some(0));
    let (mut lrs, _) = fill(&mut g, 0, 4);
    assert!(!g.decode_lr(lrs[0]).eoi, "no EOI maintenance for edge");
    handle(&g, &mut lrs, 0);
    g.sync_lrs(0, &mut lrs);
    assert!(!g.has_pending(0), "a high line does not re-trigger");
    g.set_line(50, false);
    assert_eq!(g.set_line(50, true), Some(0));
    assert!(g.has_pending(0));
}

#[test]
fn sgi1r_target_list_and_all_but_self() {
    let mut g = ready(4, 32);
    for v in 0..4 {
        wr(&mut g, v, sgi_frame(v) + GICR_ISENABLER0, 0xFFFF);
    }
    let kicked = g.write_sgi1r(0, 3 << ICC_SGI1R_INTID_SHIFT | 0b0110);
    assert_eq!(kicked.iter().collect::<Vec<_>>(), [1, 2]);
    let pend: Vec<u32> = (0..4)
        .map(|v| rr(&mut g, 0, sgi_frame(v) + GICR_ISPENDR0))
        .collect();
    assert_eq!(pend, [0, 1 << 3, 1 << 3, 0]);
    let kicked = g.write_sgi1r(2, ICC_SGI1R_IRM | 5 << ICC_SGI1R_INTID_SHIFT | 0xFFFF);
    assert_eq!(kicked, VcpuSet(0b1011));
    assert_eq!(kicked.len(), 3);
    let pend: Vec<u32> = (0..4)
        .map(|v| rr(&mut g, 0, sgi_frame(v) + GICR_ISPENDR0))
        .collect();
    assert_eq!(pend, [1 << 5, 1 << 3 | 1 << 5, 1 << 3, 1 << 5]);
    assert_eq!(fill_ids(&mut g, 1, 4), [3, 5]);
    // Aff1 != 0 names no vCPU of this VM; targets past the last are dropped.
    assert!(g.write_sgi1r(0, 1 << ICC_SGI1R_AFF1_SHIFT | 1).is_empty());
    assert_eq!(g.write_sgi1r(0, 0x30).0, 0);
}

#[test]
fn sgi1r_range_selector() {
    let mut g = ready(20, 32);
    wr(&mut g, 18, sgi_frame(18) + GICR_ISENABLER0, 1 << 1);
    let kicked = g.write_sgi1r(
        0,
        1 << ICC_SGI1R_RS_SHIFT | 1 << ICC_SGI1R_INTID_SHIFT | 1 << 2,
    );
    assert_eq!(kicked, VcpuSet(1 << 18));
    assert!(g.has_pending(18));
}

#[test]
fn overflow_lists_highest_priorities_first() {
    let mut g = ready(1, 32);
    let prios = [
        (34, 0x80),
        (35, 0x10),
        (36, 0x40),
        (37, 0x10),
        (38, 0xF0),
        (39, 0x20),
    ];
    for (intid, prio) in prios {
        g.gicd_write(0, GICD_IPRIORITYR + intid, 1, prio).unwrap();
    }
    wd(&mut g, GICD_ISENABLER + 4, 0xFC);
    wd(&mut g, GICD_ISPENDR + 4, 0xFC);
    let (mut lrs, more) = fill(&mut g, 0, 4);
    assert!(more, "two did not fit");
    assert_eq!(intids(&g, &lrs), [35, 37, 39, 36]);
    // The guest takes two; the rest moves up.
    handle(&g, &mut lrs, 0);
    handle(&g, &mut lrs, 1);
    assert!(!g.fill_lrs(0, &mut lrs));
    assert_eq!(intids(&g, &lrs), [39, 36, 34, 38]);
    // An active interrupt keeps its LR even against better pending ones.
    ack(&g, &mut lrs, 3);
    wd(&mut g, GICD_ISPENDR + 4, 1 << 3 | 1 << 5);
    assert!(g.fill_lrs(0, &mut lrs));
    assert_eq!(intids(&g, &lrs), [38, 35, 37, 39]);
    // Zero list registers: everything is left over.
    assert!(fill(&mut g, 0, 0).1);
}

#[test]
fn disabled_interrupts_are_not_listed() {
    let mut g = ready(1, 32);
    g.set_line(45, true);
    wr(&mut g, 0, sgi_frame(0) + GICR_ISPENDR0, 1 << 20);
    assert!(!g.has_pending(0));
    assert_eq!(fill(&mut g, 0, 4), (vec![0; 4], false));
    enable_spi(&mut g, 45);
    assert_eq!(g.take_kicks(), VcpuSet(1));
    assert_eq!(fill_ids(&mut g, 0, 4), [45]);
    // An active interrupt stays listed (active only) when disabled.
    let (mut lrs, _) = fill(&mut g, 0, 4);
    ack(&g, &mut lrs, 0);
    g.sync_lrs(0, &mut lrs);
    wd(&mut g, GICD_ICENABLER + 4, 1 << 13);
    g.fill_lrs(0, &mut lrs);
    let lr = g.decode_lr(lrs[0]);
    assert_eq!((lr.intid, lr.active, lr.pending), (45, true, false));
    assert!(!g.has_pending(0));
}

#[test]
fn distributor_or_redistributor_disabled_lists_nothing() {
    let mut g = ready(2, 32);
    enable_spi(&mut g, 32);
    enable_private(&mut g, 1, 27);
    g.set_line(32, true);
    g.raise_private(1, 27);
    wd(&mut g, GICD_CTLR, GICD_CTLR_ARE);
    assert!(!g.has_pending(0) && !g.has_pending(1));
    assert_eq!(fill(&mut g, 0, 4).0, [0; 4]);
    assert_eq!(fill(&mut g, 1, 4).0, [0; 4]);
    g.take_kicks();
    wd(&mut g, GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
    assert_eq!(g.take_kicks(), VcpuSet(0b11));
    // vCPU 1's redistributor goes to sleep.
    wr(
        &mut g,
        1,
        rd_frame(1) + GICR_WAKER,
        GICR_WAKER_PROCESSOR_SLEEP,
    );
    assert!(!g.has_pending(1));
    assert_eq!(fill(&mut g, 1, 4).0, [0; 4]);
    assert_eq!(fill_ids(&mut g, 0, 4), [32]);
}

#[test]
fn rerouted_spi_stays_with_the_vcpu_that_holds_it() {
    let mut g = ready(4, 32);
    enable_spi(&mut g, 60);
    g.gicd_write(0, GICD_IROUTER + 8 * 60, 8, 2).unwrap();
    g.set_line(60, true);
    let (mut lrs, _) = fill(&mut g, 2, 4);
    g.gicd_write(0, GICD_IROUTER + 8 * 60, 8, 3).unwrap();
    assert_eq!(fill(&mut g, 3, 4).0, [0; 4], "listed on vCPU 2");
    ack(&g, &mut lrs, 0);
    g.sync_lrs(2, &mut lrs);
    g.set_line(60, false);
    assert_eq!(fill(&mut g, 3, 4).0, [0; 4], "active on vCPU 2");
    let (mut lrs, _) = fill(&mut g, 2, 4);
    assert_eq!(intids(&g, &lrs), [60]);
    eoi(&g, &mut lrs, 0);
    g.sync_lrs(2, &mut lrs);
    assert_eq!(g.set_line(60, true), Some(3));
    assert_eq!(fill_ids(&mut g, 3, 4), [60]);
}

#[test]
fn sync_is_idempotent_and_distrusts_foreign_lrs() {
    let mut g = ready(1, 32);
    enable_spi(&mut g, 33);
    g.set_line(33, true);
    let (lrs, _) = fill(&mut g, 0, 2);
    assert_eq!(slot(&g, &lrs, 33), 0);
    // The caller hands back something else: the LR counts as unchanged.
    let mut other = vec![Lr::default().encode_v3(); 2];
    g.sync_lrs(0, &mut other);
    assert!(g.has_pending(0));
    let mut again = lrs.clone();
    g.sync_lrs(0, &mut again);
    assert_eq!(fill_ids(&mut g, 0, 2), [33]);
}
