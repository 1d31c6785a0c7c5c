//! The `vgic` target: a VM's virtual GIC (v2 or v3, 1 to 8 vCPUs, any
//! number of SPIs) driven by guest register accesses of every width at any
//! distributor and redistributor offset, device lines, SGIs, and the
//! kernel's list-register fill and sync with list registers the guest
//! changed; SPIs bound to physical interrupts (pass-through), their
//! arrivals, and the physical interrupts handed back for deactivation.
//!
//! Checked: reads fit their width, list registers name only interrupts the
//! GIC has and each at most once per vCPU, kicks name only existing vCPUs,
//! a list register's physical INTID is the one bound to its interrupt, and
//! a physical interrupt comes back for deactivation only if bound, at most
//! once per arrival.

use std::vec::Vec;

use kernel::vgic::regs::{GICR_SGI_BASE, GICR_STRIDE};
use kernel::vgic::{MAX_SPIS, SPI_BASE, VGic};

use crate::input::Input;

/// Bytes of the distributor frame.
const GICD_SIZE: u64 = 0x1_0000;
/// The access widths a data abort can report.
const WIDTHS: [usize; 4] = [1, 2, 4, 8];

/// An offset in a frame of `size` bytes, often aligned, sometimes past it.
fn offset(inp: &mut Input, size: u64) -> u64 {
    let off = inp.below(size + 0x100);
    match inp.u8() % 4 {
        0 => off,
        1 => off & !3,
        _ => off & !7,
    }
}

/// Runs the program in `data`.
pub fn vgic(data: &[u8]) {
    let mut inp = Input::new(data);
    let version = if inp.bool() { 3 } else { 2 };
    let vcpus = 1 + usize::from(inp.u8() % 8);
    let spis = match inp.u8() % 4 {
        0 => usize::from(inp.u16()) % (MAX_SPIS + 40),
        _ => 32 * usize::from(inp.u8() % 8),
    };
    let Some(mut g) = VGic::try_new(version, vcpus, spis) else {
        return;
    };
    let top = SPI_BASE + g.spis() as u32;
    assert!(top <= 1020, "{} SPIs", g.spis());
    let gicr_size = vcpus as u64 * GICR_STRIDE;
    let mut lrs: Vec<Vec<u64>> = std::vec![Vec::new(); vcpus];
    let mut ops = 0;
    // (virtual, physical) pairs bound, and arrivals not yet handed back.
    let mut bound: Vec<(u32, u32)> = Vec::new();
    let mut arrived: Vec<u32> = Vec::new();
    while !inp.is_empty() && ops < 1000 {
        ops += 1;
        let vcpu = inp.below(vcpus as u64) as usize;
        let width = WIDTHS[usize::from(inp.u8() % 4)];
        match inp.u8() % 14 {
            12 => {
                let intid = u32::from(inp.u16() % 1100);
                let pintid = u32::from(inp.u16() % 1100);
                if g.bind_hw(intid, pintid).is_ok() {
                    assert!(intid >= SPI_BASE && intid < top && pintid >= SPI_BASE);
                    assert!(!bound.iter().any(|&(v, _)| v == intid), "bound twice");
                    bound.push((intid, pintid));
                }
            }
            13 => {
                let intid = match bound.get(usize::from(inp.u8())) {
                    Some(&(v, _)) if inp.bool() => v,
                    _ => u32::from(inp.u16() % 1100),
                };
                let was_active = g.hw_active(intid);
                if let Some(k) = g.hw_fired(intid) {
                    assert!(k < vcpus, "hw_fired kicks vCPU {k}");
                }
                if let Some(&(_, p)) = bound.iter().find(|&&(v, _)| v == intid) {
                    assert!(g.hw_active(intid));
                    if !was_active {
                        arrived.push(p);
                    }
                } else {
                    assert!(!g.hw_active(intid), "unbound {intid} active");
                }
                let done: Vec<u32> = g.take_hw_done().collect();
                for p in done {
                    let at = arrived.iter().position(|&a| a == p);
                    assert!(at.is_some(), "physical {p} handed back without an arrival");
                    arrived.swap_remove(at.unwrap_or(0));
                }
            }
            0 | 1 => {
                let off = offset(&mut inp, GICD_SIZE);
                if let Some(v) = g.gicd_read(vcpu, off, width) {
                    assert!(
                        width == 8 || v >> (8 * width) == 0,
                        "GICD {off:#x}/{width}: {v:#x}"
                    );
                }
            }
            2 | 3 => {
                let off = offset(&mut inp, GICD_SIZE);
                let _ = g.gicd_write(vcpu, off, width, inp.u64());
            }
            4 => {
                let off = if inp.bool() {
                    offset(&mut inp, gicr_size)
                } else {
                    inp.below(vcpus as u64) * GICR_STRIDE + GICR_SGI_BASE + offset(&mut inp, 0x1000)
                };
                if let Some(v) = g.gicr_read(vcpu, off, width) {
                    assert!(
                        width == 8 || v >> (8 * width) == 0,
                        "GICR {off:#x}/{width}: {v:#x}"
                    );
                }
            }
            5 => {
                let off = if inp.bool() {
                    offset(&mut inp, gicr_size)
                } else {
                    inp.below(vcpus as u64) * GICR_STRIDE
                        + GICR_SGI_BASE * u64::from(inp.u8() & 1)
                        + offset(&mut inp, 0x1000)
                };
                let _ = g.gicr_write(vcpu, off, width, inp.u64());
            }
            6 => {
                let intid = u32::from(inp.u16() % 1100);
                if let Some(k) = g.set_line(intid, inp.bool()) {
                    assert!(k < vcpus, "set_line kicks vCPU {k}");
                }
            }
            7 => {
                let intid = u32::from(inp.u8() % 40);
                if inp.bool() {
                    g.raise_private(vcpu, intid);
                } else {
                    g.set_private_line(vcpu, intid, inp.bool());
                }
            }
            8 => {
                let set = g.write_sgi1r(vcpu, inp.u64());
                assert!(set.iter().all(|v| v < vcpus), "SGI targets {:#x}", set.0);
            }
            9 => {
                // Enter: fill the list registers.
                let n = 1 + usize::from(inp.u8() % 16);
                let mut regs = std::vec![0u64; n];
                g.fill_lrs(vcpu, &mut regs);
                let mut seen = Vec::new();
                for &r in &regs {
                    let lr = g.decode_lr(r);
                    if lr.is_invalid() {
                        continue;
                    }
                    assert!(
                        lr.intid < top,
                        "LR names INTID {} (GIC has {top})",
                        lr.intid
                    );
                    if lr.hw != 0 {
                        assert!(
                            bound.contains(&(lr.intid, u32::from(lr.hw))),
                            "LR binds {} to physical {}",
                            lr.intid,
                            lr.hw
                        );
                    }
                    let key = (lr.intid, lr.source);
                    assert!(!seen.contains(&key), "INTID {} listed twice", lr.intid);
                    seen.push(key);
                }
                lrs[vcpu] = regs;
            }
            10 => {
                // Exit: the guest acknowledged, completed, or scribbled.
                let mut regs = lrs[vcpu].clone();
                for r in regs.iter_mut() {
                    match inp.u8() % 4 {
                        0 => *r &= !(3u64 << 62) & !(3u64 << 28),
                        1 => *r ^= 1 << (if version == 3 { 63 } else { 29 }),
                        2 => *r = inp.u64(),
                        _ => {}
                    }
                }
                g.sync_lrs(vcpu, &mut regs);
                assert!(regs.iter().all(|&r| r == 0), "sync_lrs left values");
                lrs[vcpu].clear();
            }
            _ => {
                let kicks = g.take_kicks();
                assert!(kicks.iter().all(|v| v < vcpus), "kicks {:#x}", kicks.0);
                let _ = g.has_pending(vcpu);
            }
        }
    }
}
