//! Passed-through interrupts: the HW bit, and the physical interrupts the
//! kernel must deactivate when the guest drops the virtual one.

use super::*;

#[test]
fn bound_spi_is_listed_with_the_physical_intid_and_no_eoi_bit() {
    for version in [2, 3] {
        let mut g = VGic::new(version, 1, 32);
        assert_eq!(g.bind_hw(40, 34), Ok(()));
        assert_eq!(g.bind_hw(40, 35), Err(abi::Error::Busy));
        assert_eq!(g.bind_hw(20, 34), Err(abi::Error::InvalidArgument));
        assert_eq!(g.bind_hw(64, 34), Err(abi::Error::InvalidArgument));
        assert_eq!(g.bind_hw(41, 27), Err(abi::Error::InvalidArgument));
        if version == 3 {
            wd(&mut g, GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
            wr(&mut g, 0, rd_frame(0) + GICR_WAKER, 0);
        } else {
            wd(&mut g, GICD_CTLR, GICD_CTLR_ENABLE_GRP0);
        }
        enable_spi(&mut g, 40);
        // Level-sensitive as the guest configured it: without HW it would
        // get the EOI bit.
        assert_eq!(g.hw_fired(40), Some(0));
        assert!(g.hw_active(40));
        let (mut lrs, _) = fill(&mut g, 0, 4);
        let lr = g.decode_lr(lrs[0]);
        assert_eq!(
            (lr.intid, lr.hw, lr.pending, lr.active, lr.eoi),
            (40, 34, true, false, false)
        );
        // Acknowledged, an exit in between: listed active only.
        ack(&g, &mut lrs, 0);
        g.fill_lrs(0, &mut lrs);
        let lr = g.decode_lr(lrs[0]);
        assert_eq!((lr.hw, lr.pending, lr.active), (34, false, true));
        assert!(g.hw_active(40));
        // The guest's EOI deactivated the physical interrupt (hardware).
        eoi(&g, &mut lrs, 0);
        g.sync_lrs(0, &mut lrs);
        assert!(!g.hw_active(40));
        assert!(!g.has_hw_done(), "the hardware did it");
        assert!(!g.has_pending(0));
        // An unbound SPI is not a passed-through one.
        assert_eq!(g.hw_fired(41), None);
    }
}

#[test]
fn never_pending_and_active_with_hw() {
    let mut g = ready(1, 32);
    g.bind_hw(40, 50).unwrap();
    enable_spi(&mut g, 40);
    g.hw_fired(40);
    let (mut lrs, _) = fill(&mut g, 0, 4);
    ack(&g, &mut lrs, 0);
    // The guest sets it pending itself while it is active.
    wd(&mut g, GICD_ISPENDR + 4, 1 << 8);
    g.fill_lrs(0, &mut lrs);
    let lr = g.decode_lr(lrs[0]);
    assert_eq!((lr.pending, lr.active), (false, true));
    eoi(&g, &mut lrs, 0);
    g.fill_lrs(0, &mut lrs);
    let lr = g.decode_lr(lrs[0]);
    assert_eq!((lr.intid, lr.pending, lr.active), (40, true, false));
}

#[test]
fn clearing_pending_or_active_hands_the_physical_one_back() {
    let mut g = ready(2, 32);
    g.bind_hw(40, 50).unwrap();
    g.bind_hw(41, 51).unwrap();
    enable_spi(&mut g, 40);
    // Pending, never listed: the guest clears it.
    g.hw_fired(40);
    wd(&mut g, GICD_ICPENDR + 4, 1 << 8);
    assert!(g.has_hw_done());
    assert_eq!(g.take_hw_done().collect::<Vec<_>>(), [50]);
    assert!(!g.hw_active(40));
    // Listed, then cleared while listed: handed back once the list
    // register comes back.
    g.hw_fired(40);
    let (mut lrs, _) = fill(&mut g, 0, 4);
    wd(&mut g, GICD_ICPENDR + 4, 1 << 8);
    assert!(!g.has_hw_done(), "still listed");
    g.sync_lrs(0, &mut lrs);
    assert_eq!(g.take_hw_done().collect::<Vec<_>>(), [50]);
    // Acknowledged, then the guest clears the active state (its LR comes
    // back active no more).
    g.hw_fired(40);
    let (mut lrs, _) = fill(&mut g, 0, 4);
    ack(&g, &mut lrs, 0);
    g.sync_lrs(0, &mut lrs);
    assert!(g.hw_active(40));
    wd(&mut g, GICD_ICACTIVER + 4, 1 << 8);
    assert_eq!(g.take_hw_done().collect::<Vec<_>>(), [50]);
    assert!(!g.has_hw_done());
    // Disabled while pending: it stays pending, physically active.
    g.hw_fired(41);
    assert!(g.hw_active(41));
    assert!(!g.has_hw_done());
}

#[test]
fn unbinding_frees_the_spi() {
    let mut g = ready(1, 32);
    g.bind_hw(40, 50).unwrap();
    g.unbind_hw(40);
    assert_eq!(g.hw_fired(40), None);
    assert_eq!(g.bind_hw(40, 51), Ok(()));
}
