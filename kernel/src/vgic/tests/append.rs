//! `append_lr`: an interrupt made pending while its vCPU is loaded goes
//! into the next free list register with no sync and refill, and the model
//! then behaves as if a refill had listed it.

use super::*;

/// A vCPU with SPI 40 (level, line high) listed by a fill of `n` registers,
/// and the timer PPI enabled.
fn one_listed(n: usize) -> (VGic, Vec<u64>) {
    let mut g = ready(1, 32);
    enable_spi(&mut g, 40);
    enable_private(&mut g, 0, VTIMER_PPI);
    assert_eq!(g.set_line(40, true), Some(0));
    let (lrs, more) = fill(&mut g, 0, n);
    assert!(!more);
    assert_eq!(intids(&g, &lrs), [40]);
    (g, lrs)
}

#[test]
fn the_timer_goes_into_the_next_free_register() {
    let (mut g, mut lrs) = one_listed(4);
    assert!(g.set_private_line(0, VTIMER_PPI, true));
    let (slot, value) = g.append_lr(0, VTIMER_PPI, 4).expect("room");
    assert_eq!(slot, 1);
    lrs[slot] = value;
    let lr = g.decode_lr(value);
    assert_eq!((lr.intid, lr.pending, lr.active), (VTIMER_PPI, true, false));
    assert!(
        lr.eoi,
        "a level interrupt asks for the EOI maintenance interrupt"
    );
    // Listed now: not again, and a refill keeps both.
    assert_eq!(g.append_lr(0, VTIMER_PPI, 4), None);
    // The guest takes the timer, quietens it and deactivates it; the sync
    // folds that back as it would for a filled register.
    handle(&g, &mut lrs, slot);
    assert!(!g.set_private_line(0, VTIMER_PPI, false));
    let mut after = lrs.clone();
    g.sync_lrs(0, &mut after);
    assert_eq!(rr(&mut g, 0, sgi_frame(0) + GICR_ISACTIVER0), 0);
    assert_eq!(rr(&mut g, 0, sgi_frame(0) + GICR_ISPENDR0), 0);
    assert_eq!(fill_ids(&mut g, 0, 4), [40], "SPI 40 is still pending");
}

#[test]
fn a_pending_acknowledged_before_the_sync_stays_active() {
    let (mut g, mut lrs) = one_listed(4);
    assert!(g.set_private_line(0, VTIMER_PPI, true));
    let (slot, value) = g.append_lr(0, VTIMER_PPI, 4).unwrap();
    lrs[slot] = value;
    ack(&g, &mut lrs, slot);
    g.sync_lrs(0, &mut lrs);
    assert_eq!(
        rr(&mut g, 0, sgi_frame(0) + GICR_ISACTIVER0),
        1 << VTIMER_PPI
    );
    let (lrs, _) = fill(&mut g, 0, 4);
    let timer = valid(&g, &lrs)
        .into_iter()
        .find(|lr| lr.intid == VTIMER_PPI)
        .expect("listed again, active");
    assert!(timer.active);
}

#[test]
fn no_append_when_full_or_not_deliverable() {
    // Every register used: the full refill decides by priority.
    let (mut g, _) = one_listed(1);
    assert!(g.set_private_line(0, VTIMER_PPI, true));
    assert_eq!(g.append_lr(0, VTIMER_PPI, 1), None);
    // Not enabled: not listed.
    let (mut g, _) = one_listed(4);
    wr(&mut g, 0, sgi_frame(0) + GICR_ICENABLER0, 1 << VTIMER_PPI);
    g.set_private_line(0, VTIMER_PPI, true);
    assert_eq!(g.append_lr(0, VTIMER_PPI, 4), None);
    // Not pending.
    let (mut g, _) = one_listed(4);
    assert_eq!(g.append_lr(0, 27, 4), None);
    // No such vCPU.
    assert_eq!(g.append_lr(3, 27, 4), None);
}

#[test]
fn a_gicv2_sgi_is_listed_one_source_at_a_time() {
    // SGI 3 to vCPU 0 from vCPUs 1 and 2: listed from the lowest source,
    // with the EOI bit while the other waits; once that one is ended and
    // folded back the other comes, as a refill would list them.
    let mut v2 = VGic::new(2, 3, 32);
    wd(&mut v2, GICD_CTLR, GICD_CTLR_ENABLE_GRP0);
    wd(&mut v2, GICD_ISENABLER, 1 << 3);
    v2.gicd_write(1, GICD_SGIR, 4, (1 << 16) | 3).unwrap();
    v2.gicd_write(2, GICD_SGIR, 4, (1 << 16) | 3).unwrap();
    let (slot, value) = v2.append_lr(0, 3, 4).expect("a free register");
    let lr = v2.decode_lr(value);
    assert_eq!(
        (slot, lr.intid, lr.source, lr.pending, lr.eoi),
        (0, 3, 1, true, true)
    );
    assert_eq!(v2.append_lr(0, 3, 4), None, "listed already");
    let mut lrs = vec![0; 4];
    lrs[slot] = value;
    handle(&v2, &mut lrs, slot);
    v2.sync_lrs(0, &mut lrs);
    let (lrs, _) = fill(&mut v2, 0, 4);
    let next = valid(&v2, &lrs);
    assert_eq!(next.len(), 1);
    assert_eq!((next[0].intid, next[0].source, next[0].eoi), (3, 2, false));
}

/// SGI `intid` from vCPU 0 to vCPU 1.
fn sgi_to_1(g: &mut VGic, intid: u32) {
    let kicked = g.write_sgi1r(0, u64::from(intid) << ICC_SGI1R_INTID_SHIFT | 0b10);
    assert_eq!(kicked.iter().collect::<Vec<_>>(), [1]);
}

/// Bit `i` of an empty-register mask for `lrs` (as ICH_ELRSR_EL2 reads).
fn empty_mask(g: &VGic, lrs: &[u64]) -> u64 {
    lrs.iter()
        .enumerate()
        .filter(|(_, x)| {
            let lr = g.decode_lr(**x);
            lr.is_invalid() && (!lr.eoi || lr.hw != 0)
        })
        .fold(0, |m, (i, _)| m | 1 << i)
}

#[test]
fn an_sgi_takes_a_register_the_guest_emptied() {
    // vCPU 1 has one list register, holding SGI 1.
    let mut g = ready(2, 32);
    wr(&mut g, 1, sgi_frame(1) + GICR_ISENABLER0, 0b110);
    sgi_to_1(&mut g, 1);
    let (mut lrs, more) = fill(&mut g, 1, 1);
    assert!(!more);
    assert_eq!(intids(&g, &lrs), [1]);
    // Still pending there: no room for SGI 2.
    sgi_to_1(&mut g, 2);
    assert_eq!(
        g.append_lr_reusing(1, 2, 1, empty_mask(&g, &lrs)),
        None,
        "the register is not empty"
    );
    // Once the guest has ended SGI 1 there, SGI 2 takes its place.
    handle(&g, &mut lrs, 0);
    assert!(g.append_lr_reusing(1, 2, 1, empty_mask(&g, &lrs)).is_some());
    // Step by step: the guest takes SGI 1 and ends it, the register is
    // empty, SGI 2 goes there and SGI 1 is done in the model.
    let mut g = ready(2, 32);
    wr(&mut g, 1, sgi_frame(1) + GICR_ISENABLER0, 0b110);
    sgi_to_1(&mut g, 1);
    let (mut lrs2, _) = fill(&mut g, 1, 1);
    handle(&g, &mut lrs2, 0);
    sgi_to_1(&mut g, 2);
    let (slot, value) = g
        .append_lr_reusing(1, 2, 1, empty_mask(&g, &lrs2))
        .expect("the emptied register");
    assert_eq!(slot, 0);
    lrs2[0] = value;
    let lr = g.decode_lr(value);
    assert_eq!((lr.intid, lr.pending, lr.active), (2, true, false));
    assert_eq!(rr(&mut g, 1, sgi_frame(1) + GICR_ISACTIVER0), 0);
    assert_eq!(
        rr(&mut g, 1, sgi_frame(1) + GICR_ISPENDR0),
        0b100,
        "SGI 2 pending (listed), SGI 1 done"
    );
    // A sync then takes SGI 2 back like any listed interrupt.
    g.sync_lrs(1, &mut lrs2);
    assert_eq!(rr(&mut g, 1, sgi_frame(1) + GICR_ISPENDR0), 0b100);
    assert_eq!(fill_ids(&mut g, 1, 1), [2]);
}

#[test]
fn the_same_sgi_again_reuses_its_own_register() {
    let mut g = ready(2, 32);
    enable_private(&mut g, 1, 3);
    sgi_to_1(&mut g, 3);
    let (mut lrs, _) = fill(&mut g, 1, 1);
    for _ in 0..10 {
        handle(&g, &mut lrs, 0);
        sgi_to_1(&mut g, 3);
        let (slot, value) = g
            .append_lr_reusing(1, 3, 1, empty_mask(&g, &lrs))
            .expect("its own emptied register");
        assert_eq!(slot, 0);
        lrs[slot] = value;
        assert_eq!(intids(&g, &lrs), [3]);
    }
    // Taken back by a sync: pending once, not lost, not doubled.
    g.sync_lrs(1, &mut lrs);
    assert_eq!(rr(&mut g, 1, sgi_frame(1) + GICR_ISPENDR0), 1 << 3);
    let (mut lrs, _) = fill(&mut g, 1, 1);
    handle(&g, &mut lrs, 0);
    g.sync_lrs(1, &mut lrs);
    assert_eq!(rr(&mut g, 1, sgi_frame(1) + GICR_ISPENDR0), 0);
}

#[test]
fn a_level_or_unlistable_interrupt_leaves_it_to_the_refill() {
    // A level-sensitive SPI in the only register, ended by the guest: its
    // end raises the EOI maintenance interrupt, so it is not reused.
    let (mut g, mut lrs) = one_listed(1);
    wr(&mut g, 0, sgi_frame(0) + GICR_ISENABLER0, 1 << 5);
    handle(&g, &mut lrs, 0);
    g.gicr_write(0, sgi_frame(0) + GICR_ISPENDR0, 4, 1 << 5)
        .unwrap();
    assert_eq!(g.append_lr_reusing(0, 5, 1, 0b1), None);
    // An emptied edge register, but the new interrupt is not enabled: the
    // old one is folded back, the register stays empty for the refill.
    let mut g = ready(2, 32);
    enable_private(&mut g, 1, 1);
    sgi_to_1(&mut g, 1);
    let (mut lrs, _) = fill(&mut g, 1, 1);
    handle(&g, &mut lrs, 0);
    g.gicr_write(1, sgi_frame(1) + GICR_ISPENDR0, 4, 1 << 4)
        .unwrap();
    assert_eq!(g.append_lr_reusing(1, 4, 1, empty_mask(&g, &lrs)), None);
    g.sync_lrs(1, &mut lrs);
    assert_eq!(rr(&mut g, 1, sgi_frame(1) + GICR_ISACTIVER0), 0);
    enable_private(&mut g, 1, 4);
    assert_eq!(fill_ids(&mut g, 1, 1), [4]);
}

#[test]
fn with_free_registers_an_sgi_still_takes_its_own_emptied_one() {
    // Four registers, SGI 3 in the first: the guest ends it and it comes
    // again. It goes back into its own register (the model counts it
    // listed there), not into the next free one.
    let mut g = ready(2, 32);
    enable_private(&mut g, 1, 3);
    sgi_to_1(&mut g, 3);
    let (mut lrs, _) = fill(&mut g, 1, 4);
    assert_eq!(intids(&g, &lrs), [3]);
    handle(&g, &mut lrs, 0);
    sgi_to_1(&mut g, 3);
    let (slot, value) = g
        .append_lr_reusing(1, 3, 4, empty_mask(&g, &lrs))
        .expect("listed again");
    assert_eq!(slot, 0);
    lrs[slot] = value;
    // Without the empty mask it would have to wait for a refill.
    handle(&g, &mut lrs, 0);
    sgi_to_1(&mut g, 3);
    assert_eq!(g.append_lr(1, 3, 4), None);
}
