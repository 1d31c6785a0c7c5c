//! The Linux GICv3 driver's probe and per-CPU bring-up
//! (drivers/irqchip/irq-gic-v3.c), replayed against the model.

use super::*;

const GICD_INT_DEF_PRI_X4: u32 = 0xA0A0_A0A0;

/// gic_dist_wait_for_rwp / gic_redist_wait_for_rwp.
fn wait_rwp(g: &mut VGic, gicd: bool, vcpu: usize, rd_base: u64) {
    let busy = if gicd {
        rd(g, GICD_CTLR) & GICD_CTLR_RWP
    } else {
        rr(g, vcpu, rd_base + GICR_CTLR) & GICR_CTLR_RWP
    };
    assert_eq!(busy, 0);
}

/// gic_dist_init on the boot CPU.
fn dist_init(g: &mut VGic) {
    assert_eq!(rd(g, GICD_PIDR2) >> PIDR2_ARCHREV_SHIFT & 0xF, 3);
    let typer = rd(g, GICD_TYPER);
    let lines = 32 * ((typer & GICD_TYPER_ITLINESNUMBER_MASK) + 1);
    assert_eq!(lines, 96);
    assert_eq!((typer >> GICD_TYPER_IDBITS_SHIFT & 0x1F) + 1, 10);
    assert_eq!(typer & GICD_TYPER_LPIS, 0);
    assert_ne!(rd(g, GICD_CTLR) & GICD_CTLR_DS, 0, "security disabled");
    wd(g, GICD_CTLR, 0);
    wait_rwp(g, true, 0, 0);
    for i in (32..lines).step_by(32) {
        wd(g, GICD_IGROUPR + u64::from(i / 8), !0);
    }
    // gic_dist_config.
    for i in (32..lines).step_by(16) {
        wd(g, GICD_ICFGR + u64::from(i / 4), 0);
    }
    for i in (32..lines).step_by(4) {
        wd(g, GICD_IPRIORITYR + u64::from(i), GICD_INT_DEF_PRI_X4);
    }
    for i in (32..lines).step_by(32) {
        wd(g, GICD_ICACTIVER + u64::from(i / 8), !0);
        wd(g, GICD_ICENABLER + u64::from(i / 8), !0);
    }
    wait_rwp(g, true, 0, 0);
    wd(
        g,
        GICD_CTLR,
        GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1 | GICD_CTLR_ENABLE_GRP0,
    );
    wait_rwp(g, true, 0, 0);
    for i in 32..u64::from(lines) {
        g.gicd_write(0, GICD_IROUTER + 8 * i, 8, 0).unwrap();
    }
}

/// gic_populate_rdist + gic_enable_redist + gic_cpu_init on `cpu`, whose
/// MPIDR affinity is its index. Returns its RD_base.
fn cpu_init(g: &mut VGic, cpu: usize) -> u64 {
    let mut ptr = 0;
    let rd_base = loop {
        let pidr2 = rr(g, cpu, ptr + GICR_PIDR2);
        assert_eq!(
            pidr2 >> PIDR2_ARCHREV_SHIFT & 0xF,
            3,
            "redistributor present"
        );
        let typer = g.gicr_read(cpu, ptr + GICR_TYPER, 8).unwrap();
        if typer >> GICR_TYPER_AFFINITY_SHIFT == cpu as u64 {
            assert_eq!(typer >> 8 & 0xFFFF, cpu as u64, "Processor_Number");
            assert_eq!(typer & (GICR_TYPER_PLPIS | GICR_TYPER_VLPIS), 0);
            break ptr;
        }
        assert_eq!(typer & GICR_TYPER_LAST, 0, "ran past the last frame");
        ptr += 2 * 0x1_0000;
    };
    // Wake the redistributor.
    let waker = rr(g, cpu, rd_base + GICR_WAKER);
    wr(
        g,
        cpu,
        rd_base + GICR_WAKER,
        waker & !GICR_WAKER_PROCESSOR_SLEEP,
    );
    let mut polls = 0;
    while rr(g, cpu, rd_base + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP != 0 {
        polls += 1;
        assert!(polls < 10, "ChildrenAsleep stuck");
    }
    // gic_cpu_init: SGIs and PPIs Group 1, then gic_cpu_config.
    let sgi = rd_base + GICR_SGI_BASE;
    wr(g, cpu, sgi + GICR_IGROUPR0, !0);
    wr(g, cpu, sgi + GICR_ICACTIVER0, !0);
    wr(g, cpu, sgi + GICR_ICENABLER0, 0xFFFF_0000);
    wr(g, cpu, sgi + GICR_ISENABLER0, 0x0000_FFFF);
    for i in (0..32).step_by(4) {
        wr(g, cpu, sgi + GICR_IPRIORITYR + i, GICD_INT_DEF_PRI_X4);
    }
    wait_rwp(g, false, cpu, rd_base);
    rd_base
}

#[test]
fn linux_probe_and_cpu_bring_up() {
    let mut g = v3(4, 64);
    dist_init(&mut g);
    for cpu in 0..4 {
        let rd_base = cpu_init(&mut g, cpu);
        assert_eq!(rd_base, cpu as u64 * GICR_STRIDE);
        let waker = rr(&mut g, cpu, rd_base + GICR_WAKER);
        assert_eq!(
            waker & (GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP),
            0
        );
        let sgi = rd_base + GICR_SGI_BASE;
        assert_eq!(rr(&mut g, cpu, sgi + GICR_ISENABLER0), 0xFFFF);
        assert_eq!(g.gicr_read(cpu, sgi + GICR_IPRIORITYR + 27, 1), Some(0xA0));
    }
    assert_eq!(rd(&mut g, GICD_CTLR) & GICD_CTLR_ARE, GICD_CTLR_ARE);

    // The arch timer driver enables the virtual timer PPI on each CPU.
    for cpu in 0..4 {
        enable_private(&mut g, cpu, VTIMER_PPI);
    }
    assert!(g.raise_private(3, VTIMER_PPI));
    let (lrs, _) = fill(&mut g, 3, 4);
    let lr = valid(&g, &lrs)[0];
    assert_eq!((lr.intid, lr.priority, lr.group1), (VTIMER_PPI, 0xA0, true));
    // An IPI (SGI 1) from CPU 0 to CPUs 1 and 2.
    let kicked = g.write_sgi1r(0, 1 << ICC_SGI1R_INTID_SHIFT | 0b110);
    assert_eq!(kicked, VcpuSet(0b110));
    assert_eq!(fill_ids(&mut g, 2, 4), [1]);
    // A device SPI, routed to the boot CPU by dist_init.
    enable_spi(&mut g, 79);
    assert_eq!(g.set_line(79, true), Some(0));
    let (mut lrs, _) = fill(&mut g, 0, 4);
    assert_eq!(intids(&g, &lrs), [79]);
    // CPU 0 exits (before acknowledging it) and irq_set_affinity moves it
    // to CPU 1.
    g.sync_lrs(0, &mut lrs);
    wd(&mut g, GICD_ICENABLER + 8, 1 << 15);
    g.gicd_write(0, GICD_IROUTER + 8 * 79, 8, 1).unwrap();
    enable_spi(&mut g, 79);
    assert!(g.take_kicks().contains(1));
    assert_eq!(fill(&mut g, 0, 4).0, [0; 4]);
    assert_eq!(fill_ids(&mut g, 1, 4), [1, 79], "with the earlier IPI");
}
