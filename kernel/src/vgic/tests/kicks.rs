//! Kicks, software pending changes on listed interrupts, and `VcpuSet`.

use super::*;

#[test]
fn register_writes_kick_the_target_vcpu() {
    let mut g = ready(4, 32);
    g.gicd_write(0, GICD_IROUTER + 8 * 36, 8, 2).unwrap();
    enable_spi(&mut g, 36);
    assert!(g.take_kicks().is_empty(), "nothing pending yet");
    // vCPU 0 sets SPI 36 pending: vCPU 2 must look.
    wd(&mut g, GICD_ISPENDR + 4, 1 << 4);
    assert_eq!(g.take_kicks(), VcpuSet(1 << 2));
    assert!(g.take_kicks().is_empty(), "taken");
    // vCPU 1 sets a PPI pending in vCPU 3's redistributor.
    enable_private(&mut g, 3, 20);
    wr(&mut g, 1, sgi_frame(3) + GICR_ISPENDR0, 1 << 20);
    assert_eq!(g.take_kicks(), VcpuSet(1 << 3));
    // A redistributor waking up with something pending kicks itself.
    wr(
        &mut g,
        3,
        rd_frame(3) + GICR_WAKER,
        GICR_WAKER_PROCESSOR_SLEEP,
    );
    g.take_kicks();
    wr(&mut g, 3, rd_frame(3) + GICR_WAKER, 0);
    assert_eq!(g.take_kicks(), VcpuSet(1 << 3));
}

#[test]
fn clear_pending_of_a_listed_interrupt_retracts_it() {
    let mut g = ready(2, 32);
    enable_private(&mut g, 1, 18);
    wr(&mut g, 1, sgi_frame(1) + GICR_ISPENDR0, 1 << 18);
    let (mut lrs, _) = fill(&mut g, 1, 4);
    assert_eq!(intids(&g, &lrs), [18]);
    assert_eq!(rr(&mut g, 0, sgi_frame(1) + GICR_ISPENDR0), 1 << 18);
    // vCPU 0 clears it while vCPU 1 runs: vCPU 1 is kicked, and its next
    // entry no longer lists it.
    wr(&mut g, 0, sgi_frame(1) + GICR_ICPENDR0, 1 << 18);
    assert_eq!(g.take_kicks(), VcpuSet(1 << 1));
    assert_eq!(rr(&mut g, 0, sgi_frame(1) + GICR_ISPENDR0), 0);
    assert!(!g.fill_lrs(1, &mut lrs));
    assert_eq!(lrs, [0; 4]);
    assert!(!g.has_pending(1));
}

#[test]
fn active_set_and_clear_through_registers() {
    let mut g = ready(1, 32);
    enable_spi(&mut g, 44);
    wd(&mut g, GICD_ISACTIVER + 4, 1 << 12);
    let (mut lrs, _) = fill(&mut g, 0, 4);
    let lr = g.decode_lr(lrs[0]);
    assert_eq!((lr.intid, lr.active, lr.pending), (44, true, false));
    g.sync_lrs(0, &mut lrs);
    wd(&mut g, GICD_ICACTIVER + 4, 1 << 12);
    assert_eq!(fill(&mut g, 0, 4).0, [0; 4]);
}

#[test]
fn vcpu_set_basics() {
    let mut s = VcpuSet::EMPTY;
    assert!(s.is_empty());
    s.insert(63);
    s.insert(0);
    s.insert(64); // ignored
    assert_eq!(s.len(), 2);
    assert!(s.contains(63) && s.contains(0) && !s.contains(1) && !s.contains(64));
    assert_eq!(s.iter().collect::<Vec<_>>(), [0, 63]);
}
