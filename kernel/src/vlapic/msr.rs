//! The APIC's MSRs: IA32_APIC_BASE (SDM Vol. 3A 10.4.4, Figure 10-5;
//! 10.12.5, "x2APIC State Transitions", Figure 10-27), IA32_TSC_DEADLINE
//! (10.5.4.1) and the x2APIC registers 0x800-0x8FF (10.12.1.2, Table
//! 10-6; 10.12.1.3 "Reserved Bit Checking"; 10.12.9 ICR; 10.12.11 SELF
//! IPI).
//!
//! x2APIC rules: every access faults unless the APIC is in x2APIC mode
//! (10.12.2); an MSR of no register (0x800, 0x801, 0x804-0x807, APR 0x809,
//! RRD 0x80C, DFR 0x80E, ICR high 0x831, ...) faults; reading a
//! write-only register (EOI, SELF IPI) or writing a read-only one (ID,
//! version, PPR, LDR, ISR, TMR, IRR, Current Count) faults; a write with a
//! reserved bit set faults (bits 63:32 of every register but the ICR),
//! and a non-zero write of EOI or ESR faults.

use super::ipi::Ipi;
use super::lvt::Lvt;
use super::regs::*;
use super::{ApicMode, Effect, Gp, VLapic};

fn check(ok: bool) -> Result<(), Gp> {
    if ok { Ok(()) } else { Err(Gp) }
}

impl VLapic {
    /// RDMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE or an x2APIC register at
    /// TSC `now`; any other MSR faults.
    pub fn read_msr(&self, msr: u32, now: u64) -> Result<u64, Gp> {
        match msr {
            IA32_APIC_BASE => Ok(self.base),
            IA32_TSC_DEADLINE if self.config.tsc_deadline => Ok(self.tsc_deadline(now)),
            X2APIC_MSR_BASE..=X2APIC_MSR_LAST => self.read_x2apic(msr, now),
            _ => Err(Gp),
        }
    }

    /// WRMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE or an x2APIC register
    /// at TSC `now`; any other MSR faults. A fault changes nothing.
    pub fn write_msr(&mut self, msr: u32, value: u64, now: u64) -> Result<Effect, Gp> {
        match msr {
            IA32_APIC_BASE => {
                let before = self.timer_deadline();
                self.write_apic_base(value)?;
                let changed = self.timer_deadline() != before;
                Ok(if changed { Effect::Timer } else { Effect::None })
            }
            IA32_TSC_DEADLINE if self.config.tsc_deadline => Ok(self.set_tsc_deadline(value, now)),
            X2APIC_MSR_BASE..=X2APIC_MSR_LAST => self.write_x2apic(msr, value, now),
            _ => Err(Gp),
        }
    }

    /// A write of IA32_APIC_BASE. Faults: a reserved bit (7:0, 9, and
    /// from the physical-address width up), EXTD without EN, EXTD when
    /// x2APIC mode is not offered, x2APIC to xAPIC mode, disabled to
    /// x2APIC mode. BSP is read-only. Disabling resets the registers.
    pub fn write_apic_base(&mut self, value: u64) -> Result<(), Gp> {
        let above_phys = u64::MAX
            .checked_shl(u32::from(self.config.phys_bits))
            .unwrap_or(0);
        check(value & (0xFF | 1 << 9 | above_phys) == 0)?;
        let new = match (value & APIC_BASE_EN != 0, value & APIC_BASE_EXTD != 0) {
            (false, false) => ApicMode::Disabled,
            (false, true) => return Err(Gp),
            (true, false) => ApicMode::XApic,
            (true, true) if self.config.x2apic => ApicMode::X2Apic,
            (true, true) => return Err(Gp),
        };
        let old = self.mode();
        check(!matches!(
            (old, new),
            (ApicMode::X2Apic, ApicMode::XApic) | (ApicMode::Disabled, ApicMode::X2Apic)
        ))?;
        self.base = value & !APIC_BASE_BSP | self.base & APIC_BASE_BSP;
        if new == ApicMode::Disabled && old != ApicMode::Disabled {
            self.reset();
        }
        Ok(())
    }

    /// The xAPIC offset of x2APIC MSR `msr` in x2APIC mode.
    fn x2apic_offset(&self, msr: u32) -> Result<u64, Gp> {
        check(self.mode() == ApicMode::X2Apic)?;
        Ok(u64::from(msr - X2APIC_MSR_BASE) << 4)
    }

    fn read_x2apic(&self, msr: u32, now: u64) -> Result<u64, Gp> {
        let offset = self.x2apic_offset(msr)?;
        if let Some(v) = self.read_shared(offset, now) {
            return Ok(v.into());
        }
        match offset {
            APIC_ID => Ok(self.x2apic_id().into()),
            APIC_LDR => Ok(self.x2apic_ldr().into()),
            APIC_ICR_LOW => Ok(self.icr),
            _ => Err(Gp),
        }
    }

    fn write_x2apic(&mut self, msr: u32, value: u64, now: u64) -> Result<Effect, Gp> {
        let offset = self.x2apic_offset(msr)?;
        if offset == APIC_ICR_LOW {
            check(value & X2APIC_ICR_RESERVED == 0)?;
            let low = value as u32 & ICR_LOW_WRITABLE;
            self.icr = value & !0xFFFF_FFFF | u64::from(low);
            return Ok(self.send(low, (value >> 32) as u32));
        }
        check(value >> 32 == 0)?;
        let v = value as u32;
        let tsc_deadline = self.config.tsc_deadline;
        Ok(match offset {
            APIC_TPR => {
                check(v >> 8 == 0)?;
                self.set_tpr(v as u8);
                Effect::None
            }
            APIC_EOI => {
                check(v == 0)?;
                self.eoi()
            }
            APIC_SVR => {
                check(v & !self.svr_writable() == 0)?;
                self.write_svr(v);
                Effect::None
            }
            APIC_ESR => {
                check(v == 0)?;
                self.write_esr();
                Effect::None
            }
            APIC_TIMER_INITIAL => self.write_timer_initial(v, now),
            APIC_TIMER_DIVIDE => {
                check(v & !DCR_DIVIDE == 0)?;
                self.write_timer_divide(v, now)
            }
            0x3F0 => {
                // SELF IPI (MSR 0x83F).
                check(v >> 8 == 0)?;
                self.send_ipi(Ipi::self_ipi(v as u8))
            }
            _ => {
                let lvt = Lvt::at(offset).ok_or(Gp)?;
                check(v & !lvt.defined(tsc_deadline) == 0)?;
                self.write_lvt(lvt, v, now)
            }
        })
    }
}
