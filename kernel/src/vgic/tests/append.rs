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
    // A GICv2 SGI: one register per source, always by a refill.
    let mut v2 = VGic::new(2, 2, 32);
    wd(&mut v2, GICD_CTLR, GICD_CTLR_ENABLE_GRP0);
    v2.gicd_write(1, GICD_SGIR, 4, (1 << 16) | 3).unwrap();
    assert_eq!(v2.append_lr(0, 3, 4), None);
}
