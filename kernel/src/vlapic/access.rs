//! The xAPIC register page (SDM Vol. 3A 10.4.1, Table 10-1): 32-bit
//! registers at 16-byte boundaries of the 4 KiB page at the APIC base.
//!
//! Offsets, as the VM layer passes them (the fault address minus the
//! base):
//! - A register's offset reads and writes it. Sub-32-bit and wider
//!   accesses are the VM layer's to split or refuse: the SDM makes them
//!   model-specific.
//! - Any other offset inside a register's 16 bytes (bytes 4-15, or 1-3
//!   misaligned) is undefined behaviour in the SDM; here it reads 0 and
//!   ignores writes, and logs nothing.
//! - A 16-byte slot the table leaves reserved (0x000, 0x010, 0x040-0x070,
//!   0x290-0x2E0, 0x3A0-0x3D0, 0x3F0, 0x400-0xFF0) reads 0, ignores
//!   writes and logs an Illegal Register Address in the ESR (10.5.3).
//! - Read-only registers ignore writes; EOI reads 0.
//! - Outside xAPIC mode the page is not the APIC (10.12.2: in x2APIC mode
//!   accesses behave as with the APIC globally disabled): reads 0, writes
//!   are ignored.
//!
//! The registers both modes share are read here for the MSR path too.

use super::ipi::Ipi;
use super::lvt::Lvt;
use super::regs::*;
use super::{ApicMode, Effect, VLapic, VectorSet};

/// Offset of 256-bit register word `n` from `base`, if `off` is one.
fn word_of(off: u64, base: u64) -> Option<usize> {
    let n = off.checked_sub(base)? >> 4;
    (n < 8).then_some(n as usize)
}

impl VLapic {
    /// The version register: version, Max LVT Entry (6), EOI-broadcast
    /// suppression support.
    pub fn version(&self) -> u32 {
        let suppress = if self.config.eoi_suppression {
            VERSION_EOI_SUPPRESSION
        } else {
            0
        };
        VERSION_XAPIC | (Lvt::ALL.len() as u32 - 1) << VERSION_MAX_LVT_SHIFT | suppress
    }

    /// The IRR.
    pub fn irr(&self) -> &VectorSet {
        &self.irr
    }

    /// The ISR.
    pub fn isr(&self) -> &VectorSet {
        &self.isr
    }

    /// The TMR.
    pub fn tmr(&self) -> &VectorSet {
        &self.tmr
    }

    /// The ESR as the guest reads it.
    pub fn esr(&self) -> u32 {
        self.esr
    }

    /// The ICR: low half in 31:0, the destination as the mode holds it.
    pub fn icr(&self) -> u64 {
        self.icr
    }

    /// A 32-bit read at page offset `offset` at TSC `now`.
    pub fn read(&mut self, offset: u64, now: u64) -> u32 {
        if self.mode() != ApicMode::XApic || offset & 0xF != 0 || offset >= APIC_PAGE_SIZE {
            return 0;
        }
        if let Some(v) = self.read_shared(offset, now) {
            return v;
        }
        match offset {
            APIC_ID => u32::from(self.xapic_id) << 24,
            APIC_APR => self.apr().into(),
            APIC_EOI | APIC_RRD => 0,
            APIC_LDR => self.ldr,
            APIC_DFR => self.dfr,
            APIC_ICR_LOW => self.icr as u32,
            APIC_ICR_HIGH => (self.icr >> 32) as u32 & ICR_HIGH_XAPIC_DEST,
            _ => {
                self.error(ESR_ILLEGAL_REGISTER);
                0
            }
        }
    }

    /// The registers xAPIC and x2APIC modes read alike (Table 10-6).
    pub(super) fn read_shared(&self, offset: u64, now: u64) -> Option<u32> {
        Some(match offset {
            APIC_VERSION => self.version(),
            APIC_TPR => self.tpr.into(),
            APIC_PPR => self.ppr().into(),
            APIC_SVR => self.svr,
            APIC_ESR => self.esr,
            APIC_TIMER_INITIAL => self.timer.initial,
            APIC_TIMER_CURRENT => self.timer_current(now),
            APIC_TIMER_DIVIDE => self.timer.dcr,
            _ => {
                if let Some(lvt) = Lvt::at(offset) {
                    self.lvt(lvt)
                } else if let Some(n) = word_of(offset, APIC_ISR) {
                    self.isr.word(n)
                } else if let Some(n) = word_of(offset, APIC_TMR) {
                    self.tmr.word(n)
                } else if let Some(n) = word_of(offset, APIC_IRR) {
                    self.irr.word(n)
                } else {
                    return None;
                }
            }
        })
    }

    /// Whether `offset` is a register of the page (Table 10-1).
    fn is_xapic_register(offset: u64) -> bool {
        matches!(
            offset,
            APIC_ID
                | APIC_VERSION
                | APIC_TPR
                | APIC_APR
                | APIC_PPR
                | APIC_EOI
                | APIC_RRD
                | APIC_LDR
                | APIC_DFR
                | APIC_SVR
                | APIC_ESR
                | APIC_ICR_LOW
                | APIC_ICR_HIGH
                | APIC_TIMER_INITIAL
                | APIC_TIMER_CURRENT
                | APIC_TIMER_DIVIDE
        ) || Lvt::at(offset).is_some()
            || (APIC_ISR..APIC_ESR).contains(&offset)
    }

    /// A 32-bit write of `value` at page offset `offset` at TSC `now`.
    pub fn write(&mut self, offset: u64, value: u32, now: u64) -> Effect {
        if self.mode() != ApicMode::XApic || offset & 0xF != 0 || offset >= APIC_PAGE_SIZE {
            return Effect::None;
        }
        if !Self::is_xapic_register(offset) {
            self.error(ESR_ILLEGAL_REGISTER);
            return Effect::None;
        }
        match offset {
            APIC_ID => self.xapic_id = (value >> 24) as u8,
            APIC_TPR => self.set_tpr(value as u8),
            APIC_EOI => return self.eoi(),
            APIC_LDR => self.ldr = value & LDR_XAPIC_MASK,
            APIC_DFR => self.dfr = value | DFR_RESERVED_ONES,
            APIC_SVR => self.write_svr(value),
            APIC_ESR => self.write_esr(),
            APIC_ICR_LOW => {
                let low = value & ICR_LOW_WRITABLE;
                self.icr = self.icr & !0xFFFF_FFFF | u64::from(low);
                return self.send(low, (self.icr >> 56) as u32);
            }
            APIC_ICR_HIGH => {
                let high = u64::from(value & ICR_HIGH_XAPIC_DEST);
                self.icr = self.icr & 0xFFFF_FFFF | high << 32;
            }
            APIC_TIMER_INITIAL => return self.write_timer_initial(value, now),
            APIC_TIMER_DIVIDE => return self.write_timer_divide(value, now),
            _ => {
                if let Some(lvt) = Lvt::at(offset) {
                    return self.write_lvt(lvt, value, now);
                }
                // Version, APR, PPR, RRD, ISR, TMR, IRR, Current Count:
                // read-only.
            }
        }
        Effect::None
    }

    /// Sends the IPI of ICR low `low` to `dest`: nothing for an invalid
    /// combination; a fixed or lowest-priority one with a vector below 16
    /// logs a send illegal vector (10.5.2) and is not sent. The delivery
    /// status reads idle at once: delivery is the VM layer's.
    pub(super) fn send(&mut self, low: u32, dest: u32) -> Effect {
        let Some(ipi) = Ipi::decode(low, dest) else {
            return Effect::None;
        };
        self.send_ipi(ipi)
    }

    /// Sends `ipi` after the illegal-vector check.
    pub(super) fn send_ipi(&mut self, ipi: Ipi) -> Effect {
        if ipi.delivery.has_vector() && ipi.vector < 16 {
            self.error(ESR_SEND_ILLEGAL_VECTOR);
            return Effect::None;
        }
        Effect::Ipi(ipi)
    }
}
