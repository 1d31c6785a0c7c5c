//! Distributor (GICD) emulation: the GICv3 64 KiB frame with affinity
//! routing always on, or the GICv2 4 KiB distributor.

use super::bank::{BitReg, aligned, read_bytes, write_bytes};
use super::regs::*;
use super::{SPI_BASE, VGic};

/// What lives at a distributor offset, with the access sizes it takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gicd {
    /// IPRIORITYR byte index (= INTID).
    Priority(u64),
    /// ITARGETSR byte index (= INTID), GICv2.
    Targets(u64),
    /// CPENDSGIR (false) / SPENDSGIR (true) byte index (= SGI), GICv2.
    SgiPending(bool, u64),
    /// IROUTER of an INTID, 32-bit half `u64` (0 or 4), GICv3.
    Router(u32, u64),
    /// Any 32-bit register (or a reserved word).
    Word,
}

impl VGic {
    fn gicd_decode(&self, offset: u64) -> Gicd {
        let v2 = self.version == 2;
        let within = |base: u64, len: u64| (base..base + len).contains(&offset);
        if within(GICD_IPRIORITYR, BYTES_ARRAY_SIZE) {
            Gicd::Priority(offset - GICD_IPRIORITYR)
        } else if v2 && within(GICD_ITARGETSR, BYTES_ARRAY_SIZE) {
            Gicd::Targets(offset - GICD_ITARGETSR)
        } else if v2 && within(GICD_CPENDSGIR, SGIR_ARRAY_SIZE) {
            Gicd::SgiPending(false, offset - GICD_CPENDSGIR)
        } else if v2 && within(GICD_SPENDSGIR, SGIR_ARRAY_SIZE) {
            Gicd::SgiPending(true, offset - GICD_SPENDSGIR)
        } else if !v2 && (GICD_IROUTER..GICD_IROUTER_END).contains(&offset) {
            let rel = offset - GICD_IROUTER;
            Gicd::Router((rel / 8) as u32, rel % 8)
        } else {
            Gicd::Word
        }
    }

    /// Whether `size` suits the register `reg`.
    fn gicd_size_ok(reg: Gicd, size: usize) -> bool {
        match reg {
            Gicd::Priority(_) | Gicd::Targets(_) | Gicd::SgiPending(..) => size == 1 || size == 4,
            Gicd::Router(..) => size == 4 || size == 8,
            Gicd::Word => size == 4,
        }
    }

    /// The first INTID of a bit-per-interrupt register, or `None` when the
    /// register is RAZ/WI (GICv3: INTIDs 0-31 belong to the
    /// redistributors).
    fn gicd_first(&self, index: u32) -> Option<u32> {
        (self.version == 2 || index > 0).then_some(index * 32)
    }

    /// Whether `intid` is handled in the distributor: GICv3 leaves SGIs
    /// and PPIs to the redistributors.
    fn gicd_owns(&self, intid: u64) -> bool {
        self.version == 2 || intid >= u64::from(SPI_BASE)
    }

    /// Reads the GICD frame at `offset` on behalf of `vcpu`. `None`: the
    /// access size or alignment is not supported (inject an abort).
    pub fn gicd_read(&mut self, vcpu: usize, offset: u64, size: usize) -> Option<u64> {
        if vcpu >= self.cpus.len() || !aligned(offset, size) {
            return None;
        }
        let reg = self.gicd_decode(offset);
        if !Self::gicd_size_ok(reg, size) {
            return None;
        }
        Some(match reg {
            Gicd::Priority(i) => read_bytes(i, size, |n| {
                if self.gicd_owns(n) {
                    self.priority(vcpu, n as u32)
                } else {
                    0
                }
            }),
            Gicd::Targets(i) => read_bytes(i, size, |n| self.targets(vcpu, n as u32)),
            Gicd::SgiPending(_, i) => read_bytes(i, size, |n| {
                let irq = &self.cpus[vcpu].private[n as usize];
                let listed = if irq.listed.is_some() && irq.lr_pending {
                    1 << irq.src
                } else {
                    0
                };
                irq.sources | listed
            }),
            Gicd::Router(intid, half) => {
                let r = self.router(intid);
                if size == 8 {
                    r
                } else {
                    (r >> (8 * half)) & 0xFFFF_FFFF
                }
            }
            Gicd::Word => u64::from(self.gicd_read32(vcpu, offset)),
        })
    }

    fn gicd_read32(&self, vcpu: usize, offset: u64) -> u32 {
        let v2 = self.version == 2;
        if let Some((reg, index)) = BitReg::at(offset) {
            return match self.gicd_first(index) {
                Some(first) => self.read_bits(vcpu, first, reg),
                None => 0,
            };
        }
        if (GICD_ICFGR..GICD_ICFGR + ICFGR_ARRAY_SIZE).contains(&offset) {
            let first = ((offset - GICD_ICFGR) * 4) as u32;
            return if self.gicd_owns(first.into()) {
                self.read_cfg(vcpu, first)
            } else {
                0
            };
        }
        if v2 && (ID_BLOCK_V2..ID_BLOCK_V2 + 0x30).contains(&offset) {
            return self.id_reg(offset + ID_V2_DELTA);
        }
        if !v2 && offset >= ID_BLOCK_V3 {
            return self.id_reg(offset);
        }
        match offset {
            GICD_CTLR if v2 => self.ctlr,
            GICD_CTLR => self.ctlr | GICD_CTLR_ARE | GICD_CTLR_DS,
            GICD_TYPER => self.gicd_typer(),
            GICD_IIDR => GIC_IIDR,
            // TYPER2, STATUSR, IGRPMODR, NSACR, SGIR (write-only) and the
            // reserved words read as zero.
            _ => 0,
        }
    }

    /// GICD_TYPER: ITLinesNumber, CPUNumber, and for GICv3 IDbits (10
    /// bits) and RSS when there are more than 16 vCPUs; no LPIs, no MBIs,
    /// no Security Extensions.
    fn gicd_typer(&self) -> u32 {
        let lines = (self.spis.len() / 32) as u32 & GICD_TYPER_ITLINESNUMBER_MASK;
        let cpus = (self.cpus.len().min(8) - 1) as u32;
        let mut typer = lines | (cpus << GICD_TYPER_CPUNUMBER_SHIFT);
        if self.version == 3 {
            typer |= GICD_TYPER_IDBITS_10 << GICD_TYPER_IDBITS_SHIFT;
            if self.cpus.len() > 16 {
                typer |= GICD_TYPER_RSS;
            }
        }
        typer
    }

    /// Writes the GICD frame at `offset` on behalf of `vcpu`. `None`: the
    /// access size or alignment is not supported (inject an abort).
    pub fn gicd_write(&mut self, vcpu: usize, offset: u64, size: usize, value: u64) -> Option<()> {
        if vcpu >= self.cpus.len() || !aligned(offset, size) {
            return None;
        }
        let reg = self.gicd_decode(offset);
        if !Self::gicd_size_ok(reg, size) {
            return None;
        }
        match reg {
            Gicd::Priority(i) => write_bytes(i, size, value, |n, b| {
                if self.gicd_owns(n) {
                    self.set_priority(vcpu, n as u32, b);
                }
            }),
            Gicd::Targets(i) => {
                write_bytes(i, size, value, |n, b| self.set_targets(vcpu, n as u32, b));
            }
            Gicd::SgiPending(set, i) => {
                write_bytes(i, size, value, |n, b| {
                    self.write_sgi_pending(vcpu, n, set, b)
                });
            }
            Gicd::Router(intid, half) => {
                let new = if size == 8 {
                    value
                } else {
                    let shift = 8 * half;
                    let old = self.router(intid);
                    (old & !(0xFFFF_FFFF << shift)) | ((value & 0xFFFF_FFFF) << shift)
                };
                self.set_router(vcpu, intid, new);
            }
            Gicd::Word => self.gicd_write32(vcpu, offset, value as u32),
        }
        Some(())
    }

    fn gicd_write32(&mut self, vcpu: usize, offset: u64, value: u32) {
        if let Some((reg, index)) = BitReg::at(offset) {
            if let Some(first) = self.gicd_first(index) {
                self.write_bits(vcpu, first, reg, value);
            }
            return;
        }
        if (GICD_ICFGR..GICD_ICFGR + ICFGR_ARRAY_SIZE).contains(&offset) {
            let first = ((offset - GICD_ICFGR) * 4) as u32;
            self.write_cfg(vcpu, first, value);
            return;
        }
        match offset {
            GICD_CTLR => {
                self.ctlr = value & (GICD_CTLR_ENABLE_GRP0 | GICD_CTLR_ENABLE_GRP1);
                self.note_all();
            }
            GICD_SGIR if self.version == 2 => self.write_sgir(vcpu, value),
            // Read-only, RAZ/WI or reserved.
            _ => {}
        }
    }

    /// GICv2 SPENDSGIR (`set`) / CPENDSGIR byte for SGI `sgi` on `vcpu`:
    /// one bit per source CPU.
    fn write_sgi_pending(&mut self, vcpu: usize, sgi: u64, set: bool, bits: u8) {
        let mask = self.all_vcpus() as u8;
        self.mark_live(vcpu, sgi as u32);
        let irq = &mut self.cpus[vcpu].private[sgi as usize];
        if set {
            irq.sources |= bits & mask;
        } else {
            irq.sources &= !bits;
            if irq.listed.is_some() && bits & (1 << irq.src) != 0 {
                irq.lr_pending = false;
                irq.lr_latch = false;
            }
        }
        self.note(vcpu, sgi as u32);
    }
}
