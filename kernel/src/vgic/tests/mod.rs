//! Host tests of the virtual GIC model, with helpers that play the guest
//! and the kernel's list-register code.

mod append;
mod append_random;
mod delivery;
mod hw;
mod kicks;
mod linux;
mod live;
mod regs;
mod reset;
mod v2;

use alloc::vec;
use alloc::vec::Vec;

use super::regs::*;
use super::{Lr, VGic, VTIMER_PPI, VcpuSet};

/// A GICv3 VM at reset.
fn v3(vcpus: usize, spis: usize) -> VGic {
    VGic::new(3, vcpus, spis)
}

/// A GICv3 VM with the distributor enabled and every redistributor awake.
fn ready(vcpus: usize, spis: usize) -> VGic {
    let mut g = v3(vcpus, spis);
    wd(&mut g, GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
    for v in 0..vcpus {
        wr(&mut g, v, rd_frame(v) + GICR_WAKER, 0);
    }
    g
}

/// 32-bit GICD read by vCPU 0.
fn rd(g: &mut VGic, off: u64) -> u32 {
    rd_by(g, 0, off)
}

/// 32-bit GICD read by `vcpu`.
fn rd_by(g: &mut VGic, vcpu: usize, off: u64) -> u32 {
    g.gicd_read(vcpu, off, 4).expect("32-bit GICD read") as u32
}

/// 32-bit GICD write by vCPU 0.
fn wd(g: &mut VGic, off: u64, value: u32) {
    wd_by(g, 0, off, value);
}

/// 32-bit GICD write by `vcpu`.
fn wd_by(g: &mut VGic, vcpu: usize, off: u64, value: u32) {
    g.gicd_write(vcpu, off, 4, value.into())
        .expect("32-bit GICD write");
}

/// 32-bit GICR read by `vcpu` at region offset `off`.
fn rr(g: &mut VGic, vcpu: usize, off: u64) -> u32 {
    g.gicr_read(vcpu, off, 4).expect("32-bit GICR read") as u32
}

/// 32-bit GICR write by `vcpu` at region offset `off`.
fn wr(g: &mut VGic, vcpu: usize, off: u64, value: u32) {
    g.gicr_write(vcpu, off, 4, value.into())
        .expect("32-bit GICR write");
}

/// Region offset of `target`'s RD_base frame.
fn rd_frame(target: usize) -> u64 {
    target as u64 * GICR_STRIDE
}

/// Region offset of `target`'s SGI_base frame.
fn sgi_frame(target: usize) -> u64 {
    rd_frame(target) + GICR_SGI_BASE
}

/// Enables private interrupt `intid` on `vcpu` (through its GICR).
fn enable_private(g: &mut VGic, vcpu: usize, intid: u32) {
    wr(g, vcpu, sgi_frame(vcpu) + GICR_ISENABLER0, 1 << intid);
}

/// Enables SPI `intid` (GICD_ISENABLER).
fn enable_spi(g: &mut VGic, intid: u32) {
    wd(
        g,
        GICD_ISENABLER + u64::from(intid / 32) * 4,
        1 << (intid % 32),
    );
}

/// Runs `fill_lrs` with `n` list registers (starting empty) and returns
/// the raw values and whether something did not fit.
fn fill(g: &mut VGic, vcpu: usize, n: usize) -> (Vec<u64>, bool) {
    let mut lrs = vec![0; n];
    let more = g.fill_lrs(vcpu, &mut lrs);
    (lrs, more)
}

/// The valid list registers among `lrs`, decoded.
fn valid(g: &VGic, lrs: &[u64]) -> Vec<Lr> {
    lrs.iter()
        .map(|&x| g.decode_lr(x))
        .filter(|lr| !lr.is_invalid())
        .collect()
}

/// The INTIDs of the valid list registers.
fn intids(g: &VGic, lrs: &[u64]) -> Vec<u32> {
    valid(g, lrs).iter().map(|lr| lr.intid).collect()
}

/// Fills `n` list registers of `vcpu` and returns the listed INTIDs.
fn fill_ids(g: &mut VGic, vcpu: usize, n: usize) -> Vec<u32> {
    let (lrs, _) = fill(g, vcpu, n);
    intids(g, &lrs)
}

/// Index of the LR holding `intid`.
fn slot(g: &VGic, lrs: &[u64], intid: u32) -> usize {
    lrs.iter()
        .position(|&x| !g.decode_lr(x).is_invalid() && g.decode_lr(x).intid == intid)
        .expect("interrupt listed")
}

/// The guest acknowledges the interrupt in `lrs[i]`: pending → active.
fn ack(g: &VGic, lrs: &mut [u64], i: usize) {
    let mut lr = g.decode_lr(lrs[i]);
    assert!(lr.pending, "acknowledging a pending interrupt");
    lr.pending = false;
    lr.active = true;
    lrs[i] = g.encode_lr(&lr);
}

/// The guest EOIs (drops priority and deactivates) the interrupt in
/// `lrs[i]`: active → invalid (active+pending → pending).
fn eoi(g: &VGic, lrs: &mut [u64], i: usize) {
    let mut lr = g.decode_lr(lrs[i]);
    assert!(lr.active, "deactivating an active interrupt");
    lr.active = false;
    lrs[i] = g.encode_lr(&lr);
}

/// Acknowledges and EOIs the interrupt in `lrs[i]`.
fn handle(g: &VGic, lrs: &mut [u64], i: usize) {
    ack(g, lrs, i);
    eoi(g, lrs, i);
}
