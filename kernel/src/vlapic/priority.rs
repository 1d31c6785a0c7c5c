//! Interrupt acceptance, priority and completion (SDM Vol. 3A 10.8,
//! "Handling Interrupts": 10.8.3.1 TPR and PPR, 10.8.4 IRR, ISR and TMR,
//! 10.8.5 EOI, 10.8.6 task priority in IA-32e mode (CR8); 10.6.2.4 for
//! the APR).
//!
//! A vector's priority class is its bits 7:4. The processor priority is
//! the TPR, or the class of the highest in-service vector when that is
//! above the TPR's; an IRR vector is delivered only when its class is
//! above the processor priority's class.

use super::regs::*;
use super::{Effect, VLapic};

/// The priority class of `v`.
fn class(v: u8) -> u8 {
    v >> 4
}

impl VLapic {
    /// The TPR.
    pub fn tpr(&self) -> u8 {
        self.tpr
    }

    /// Writes the TPR (a guest write, or a TPR shadow the exit handler
    /// read back).
    pub fn set_tpr(&mut self, tpr: u8) {
        self.tpr = tpr;
    }

    /// CR8 as the guest reads it: TPR bits 7:4 (10.8.6.1).
    pub fn cr8(&self) -> u64 {
        u64::from(class(self.tpr))
    }

    /// A guest write of CR8: TPR bits 7:4 from CR8 bits 3:0, TPR bits 3:0
    /// cleared. Bits 63:4 are the caller's to check (#GP).
    pub fn set_cr8(&mut self, cr8: u64) {
        self.tpr = ((cr8 & 0xF) as u8) << 4;
    }

    /// The PPR (10.8.3.1): the TPR if its class is at least the highest
    /// in-service class, else that class (with bits 3:0 clear).
    pub fn ppr(&self) -> u8 {
        let isrv = self.isr.highest().unwrap_or(0);
        if class(self.tpr) >= class(isrv) {
            self.tpr
        } else {
            isrv & 0xF0
        }
    }

    /// The APR (10.6.2.4, Figure 10-15): the TPR if its class is at least
    /// the highest requested one and above the highest in-service one,
    /// else the highest class of the three.
    pub fn apr(&self) -> u8 {
        let isrv = self.isr.highest().unwrap_or(0);
        let irrv = self.irr.highest().unwrap_or(0);
        let tpr = self.tpr;
        if class(tpr) >= class(irrv) && class(tpr) > class(isrv) {
            tpr
        } else {
            class(tpr).max(class(isrv)).max(class(irrv)) << 4
        }
    }

    /// Accepts a fixed (or lowest-priority) interrupt: sets its IRR bit,
    /// and its TMR bit for a level-triggered one (cleared for an edge,
    /// 10.8.4). Vectors 0-15 are illegal: logged as a receive illegal
    /// vector (10.5.2) and not accepted. Nothing is accepted while the
    /// APIC is hardware- or software-disabled (10.4.7.2). Whether the
    /// interrupt was accepted; an IRR bit already set absorbs the new one.
    pub fn accept(&mut self, vector: u8, level_triggered: bool) -> bool {
        if !self.is_enabled() {
            return false;
        }
        if vector < 16 {
            self.error(ESR_RECEIVE_ILLEGAL_VECTOR);
            return false;
        }
        self.irr.insert(vector);
        self.tmr.assign(vector, level_triggered);
        true
    }

    /// The interrupt to inject: the highest IRR vector whose class is
    /// above the PPR's, if the APIC is enabled.
    pub fn pending(&self) -> Option<u8> {
        if !self.is_enabled() {
            return None;
        }
        let v = self.irr.highest()?;
        (class(v) > class(self.ppr())).then_some(v)
    }

    /// The processor takes [`VLapic::pending`]: its IRR bit moves to the
    /// ISR (raising the PPR). The vector injected, or `None` if nothing
    /// was pending.
    pub fn acknowledge(&mut self) -> Option<u8> {
        let v = self.pending()?;
        self.irr.remove(v);
        self.isr.insert(v);
        Some(v)
    }

    /// A write of the EOI register: clears the highest ISR bit (10.8.5).
    /// [`Effect::Eoi`] names it and says whether it goes on to the I/O
    /// APICs: a level-triggered one (TMR) does unless SVR bit 12 suppresses
    /// EOI broadcasts. [`Effect::None`] if nothing was in service.
    pub fn eoi(&mut self) -> Effect {
        let Some(vector) = self.isr.highest() else {
            return Effect::None;
        };
        self.isr.remove(vector);
        let level = self.tmr.contains(vector);
        Effect::Eoi {
            vector,
            level,
            broadcast: level && self.svr & SVR_EOI_SUPPRESSION == 0,
        }
    }
}
