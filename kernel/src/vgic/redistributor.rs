//! Redistributor (GICR) emulation for GICv3: one RD_base and one SGI_base
//! 64 KiB frame per vCPU, laid out contiguously (128 KiB stride); no LPIs.

use super::bank::{BitReg, aligned, read_bytes, write_bytes};
use super::regs::*;
use super::{PPI_BASE, VGic};

/// Size of the IPRIORITYR0-7 block in the SGI_base frame.
const GICR_IPRIORITYR_SIZE: u64 = 0x20;

impl VGic {
    /// Splits a redistributor region offset into (target vCPU, frame
    /// offset), `None` past the last redistributor or for GICv2.
    fn gicr_target(&self, offset: u64) -> Option<(usize, u64)> {
        let target = (offset / GICR_STRIDE) as usize;
        (self.version == 3 && target < self.cpus.len()).then_some((target, offset % GICR_STRIDE))
    }

    /// Whether `off` (in a redistributor) is a 64-bit register.
    fn gicr_is_64(off: u64) -> bool {
        [GICR_TYPER, GICR_PROPBASER, GICR_PENDBASER].contains(&(off & !7))
    }

    /// Whether `off` (in a redistributor) is byte-accessible.
    fn gicr_is_bytes(off: u64) -> bool {
        let prio = GICR_SGI_BASE + GICR_IPRIORITYR;
        (prio..prio + GICR_IPRIORITYR_SIZE).contains(&off)
    }

    fn gicr_size_ok(off: u64, size: usize) -> bool {
        size == 4 || (size == 8 && Self::gicr_is_64(off)) || (size == 1 && Self::gicr_is_bytes(off))
    }

    /// GICR_TYPER of `target`: Affinity_Value with Aff0 = index,
    /// Processor_Number = index, Last on the last one; no LPIs.
    fn gicr_typer(&self, target: usize) -> u64 {
        let t = target as u64;
        let mut typer = (t << GICR_TYPER_AFFINITY_SHIFT) | (t << GICR_TYPER_PROCESSOR_NUMBER_SHIFT);
        if target + 1 == self.cpus.len() {
            typer |= GICR_TYPER_LAST;
        }
        typer
    }

    /// Reads the redistributor region at `offset` (from the first
    /// redistributor) on behalf of `vcpu`. `None`: unsupported size or
    /// alignment.
    pub fn gicr_read(&mut self, vcpu: usize, offset: u64, size: usize) -> Option<u64> {
        let off = offset % GICR_STRIDE;
        if vcpu >= self.cpus.len() || !aligned(offset, size) || !Self::gicr_size_ok(off, size) {
            return None;
        }
        let Some((target, off)) = self.gicr_target(offset) else {
            return Some(0);
        };
        if Self::gicr_is_bytes(off) {
            let first = off - GICR_SGI_BASE - GICR_IPRIORITYR;
            return Some(read_bytes(first, size, |n| self.priority(target, n as u32)));
        }
        if Self::gicr_is_64(off) {
            let reg = match off & !7 {
                GICR_TYPER => self.gicr_typer(target),
                _ => 0, // PROPBASER, PENDBASER: RAZ/WI without LPIs.
            };
            return Some(if size == 8 {
                reg
            } else {
                (reg >> (8 * (off & 4))) & 0xFFFF_FFFF
            });
        }
        let value = if off >= GICR_SGI_BASE {
            self.gicr_sgi_read(target, off - GICR_SGI_BASE)
        } else if off >= ID_BLOCK_V3 {
            self.id_reg(off)
        } else {
            match off {
                GICR_IIDR => GIC_IIDR,
                GICR_WAKER if self.cpus[target].sleep => {
                    GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP
                }
                // CTLR (EnableLPIs, RWP), STATUSR, WAKER awake, reserved.
                _ => 0,
            }
        };
        Some(value.into())
    }

    /// Reads a 32-bit register of `target`'s SGI_base frame.
    fn gicr_sgi_read(&self, target: usize, off: u64) -> u32 {
        match off {
            GICR_ICFGR0 => self.read_cfg(target, 0),
            GICR_ICFGR1 => self.read_cfg(target, PPI_BASE),
            _ => match BitReg::at(off) {
                Some((reg, 0)) => self.read_bits(target, 0, reg),
                // IGRPMODR0, NSACR, E-PPI registers, reserved.
                _ => 0,
            },
        }
    }

    /// Writes the redistributor region at `offset` on behalf of `vcpu`.
    /// `None`: unsupported size or alignment.
    pub fn gicr_write(&mut self, vcpu: usize, offset: u64, size: usize, value: u64) -> Option<()> {
        let off = offset % GICR_STRIDE;
        if vcpu >= self.cpus.len() || !aligned(offset, size) || !Self::gicr_size_ok(off, size) {
            return None;
        }
        let Some((target, off)) = self.gicr_target(offset) else {
            return Some(());
        };
        if Self::gicr_is_bytes(off) {
            let first = off - GICR_SGI_BASE - GICR_IPRIORITYR;
            write_bytes(first, size, value, |n, b| {
                self.set_priority(target, n as u32, b)
            });
            return Some(());
        }
        if off >= GICR_SGI_BASE {
            // ICFGR0 (SGIs) and ICFGR1 (PPIs) are read-only; IGROUPR0 is
            // RAO/WI; IGRPMODR0 and NSACR are RAZ/WI.
            if let Some((reg, 0)) = BitReg::at(off - GICR_SGI_BASE) {
                self.write_bits(target, 0, reg, value as u32);
            }
        } else if off == GICR_WAKER {
            let sleep = value as u32 & GICR_WAKER_PROCESSOR_SLEEP != 0;
            self.cpus[target].sleep = sleep;
            if !sleep && self.has_pending(target) {
                self.kicks.insert(target);
            }
        }
        // CTLR (EnableLPIs RAZ/WI), TYPER, PROPBASER, PENDBASER, STATUSR,
        // IIDR and the ID registers ignore writes.
        Some(())
    }
}
