//! One Intel 8259A programmable interrupt controller, as in its datasheet
//! (Intel 231468, "8259A Programmable Interrupt Controller"): `qvm`'s vdev
//! `8259`. A PC has two, the master at ports 0x20-0x21 and the slave at
//! 0xA0-0xA1; offset 0 is A0 = 0, offset 1 is A0 = 1.
//!
//! Guests program the pair and then mask it: interrupts on this platform go
//! through the I/O APIC, and `qvm` connects the INT output to no vCPU, so
//! its line is never driven. The programming interface is modelled as the
//! datasheet gives it, so that probes and initialization read back what a
//! real chip would:
//! - ICW1 (offset 0 with D4 = 1) starts initialization: IRR, ISR and IMR
//!   are cleared (the datasheet names the IMR and the edge sense; clearing
//!   IRR and ISR too is what PC emulators do), IR7 gets the lowest
//!   priority, special mask mode is cleared and the status read is set to
//!   IRR; without IC4 the ICW4 functions are zeroed. ICW2, ICW3 (unless
//!   SNGL) and ICW4 (if IC4) follow at offset 1. ICW3 and ICW4's µPM, BUF,
//!   M/S and SFNM are stored only (cascading is not modelled).
//! - OCW1 (offset 1 after initialization) is the IMR; offset 1 reads it.
//! - OCW2: non-specific, specific and rotating EOIs clear ISR bits, set
//!   priority and rotate-in-automatic-EOI set the lowest priority level.
//! - OCW3: RR/RIS select IRR or ISR for reads of offset 0; P makes the
//!   next read of offset 0 the poll word (acknowledging the interrupt:
//!   ISR set, IRR cleared); ESMM/SMM set special mask mode, under which
//!   masked levels in service do not hold off lower ones.
//! - Inputs: [`Pic8259::set_irq`] drives IR0-IR7. Requests are
//!   edge-triggered: a rising edge sets the IRR bit, which stays until
//!   acknowledged (ICW1's LTIM is stored only: level mode is not modelled).
//! - INT ([`Vdev::irq_level`]) is reported honestly: an unmasked request
//!   of higher priority than any level in service (fully nested mode).
//!   [`Pic8259::acknowledge`] is the INTA sequence in 8086 mode, with
//!   automatic EOI if ICW4 asks for it.

pub mod regs;
#[cfg(test)]
mod tests;

use crate::{Fault, Vdev};
use regs::*;

/// Where initialization is: which ICW offset 1 takes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Ready,
    Icw2,
    Icw3,
    Icw4,
}

/// One 8259A.
#[derive(Clone, Debug)]
pub struct Pic8259 {
    step: Step,
    icw1: u8,
    icw2: u8,
    icw3: u8,
    icw4: u8,
    irr: u8,
    isr: u8,
    imr: u8,
    /// The IR inputs' levels now.
    lines: u8,
    /// The level with the lowest priority (7 unless rotated).
    lowest: u8,
    read_isr: bool,
    poll: bool,
    special_mask: bool,
    rotate_aeoi: bool,
}

impl Pic8259 {
    /// Number of I/O ports to map.
    pub const SIZE: u64 = 2;

    /// The chip as firmware leaves it: every level masked (IMR 0xFF),
    /// nothing requested or in service, fixed priority, IRR selected.
    pub fn new() -> Self {
        Pic8259 {
            step: Step::Ready,
            icw1: 0,
            icw2: 0,
            icw3: 0,
            icw4: 0,
            irr: 0,
            isr: 0,
            imr: 0xFF,
            lines: 0,
            lowest: 7,
            read_isr: false,
            poll: false,
            special_mask: false,
            rotate_aeoi: false,
        }
    }

    /// Drives input IR`line` (0-7; others are ignored) to `level`; a rising
    /// edge requests an interrupt. Poll [`Vdev::irq_level`] afterwards.
    pub fn set_irq(&mut self, line: u8, level: bool) {
        let Some(bit) = 1u8.checked_shl(u32::from(line)) else {
            return;
        };
        if level && self.lines & bit == 0 {
            self.irr |= bit;
        }
        self.lines = if level {
            self.lines | bit
        } else {
            self.lines & !bit
        };
    }

    /// The interrupt acknowledge sequence of a CPU taking INT in 8086 mode:
    /// the vector, ICW2's T7-T3 with the level; IR7's (a spurious
    /// interrupt, nothing set in service) if no request is pending.
    pub fn acknowledge(&mut self) -> u8 {
        self.icw2 & 0xF8 | self.ack().unwrap_or(7)
    }

    /// The interrupt mask register (OCW1).
    pub fn imr(&self) -> u8 {
        self.imr
    }

    /// The interrupt request register.
    pub fn irr(&self) -> u8 {
        self.irr
    }

    /// The in-service register.
    pub fn isr(&self) -> u8 {
        self.isr
    }

    /// The vector base from ICW2 (T7-T3 in 8086 mode).
    pub fn vector_base(&self) -> u8 {
        self.icw2 & 0xF8
    }

    /// The set level in `bits` of highest priority, given the rotation.
    fn highest(&self, bits: u8) -> Option<u8> {
        (1..=8)
            .map(|i| (self.lowest + i) % 8)
            .find(|&ir| bits & (1 << ir) != 0)
    }

    /// Priority rank of level `ir`: 0 is the highest.
    fn rank(&self, ir: u8) -> u8 {
        (ir + 7 - self.lowest) % 8
    }

    /// The level INT is up for, if any.
    fn pending(&self) -> Option<u8> {
        let ir = self.highest(self.irr & !self.imr)?;
        let in_service = if self.special_mask {
            self.isr & !self.imr
        } else {
            self.isr
        };
        match self.highest(in_service) {
            Some(s) if self.rank(s) <= self.rank(ir) => None,
            _ => Some(ir),
        }
    }

    /// INTA (or a poll): the pending level goes in service.
    fn ack(&mut self) -> Option<u8> {
        let ir = self.pending()?;
        self.irr &= !(1 << ir);
        if self.icw4 & ICW4_AEOI == 0 {
            self.isr |= 1 << ir;
        } else if self.rotate_aeoi {
            self.lowest = ir;
        }
        Some(ir)
    }

    fn icw1(&mut self, value: u8) {
        let lines = self.lines;
        *self = Pic8259 {
            step: Step::Icw2,
            icw1: value,
            imr: 0,
            icw4: if value & ICW1_IC4 != 0 { self.icw4 } else { 0 },
            lines,
            ..Pic8259::new()
        };
    }

    fn ocw2(&mut self, value: u8) {
        let level = value & OCW2_LEVEL;
        match value & OCW2_CMD {
            OCW2_EOI | OCW2_ROTATE_EOI => {
                if let Some(ir) = self.highest(self.isr) {
                    self.isr &= !(1 << ir);
                    if value & OCW2_CMD == OCW2_ROTATE_EOI {
                        self.lowest = ir;
                    }
                }
            }
            OCW2_SPECIFIC_EOI => self.isr &= !(1 << level),
            OCW2_ROTATE_SPECIFIC_EOI => {
                self.isr &= !(1 << level);
                self.lowest = level;
            }
            OCW2_SET_PRIORITY => self.lowest = level,
            OCW2_ROTATE_AEOI_SET => self.rotate_aeoi = true,
            OCW2_ROTATE_AEOI_CLEAR => self.rotate_aeoi = false,
            _ => {} // 010: no operation
        }
    }

    fn ocw3(&mut self, value: u8) {
        if value & OCW3_ESMM != 0 {
            self.special_mask = value & OCW3_SMM != 0;
        }
        if value & OCW3_RR != 0 {
            self.read_isr = value & OCW3_RIS != 0;
        }
        self.poll = value & OCW3_P != 0;
    }

    fn write_a1(&mut self, value: u8) {
        let icw1 = self.icw1;
        self.step = match self.step {
            Step::Ready => {
                self.imr = value;
                Step::Ready
            }
            Step::Icw2 => {
                self.icw2 = value;
                if icw1 & ICW1_SNGL == 0 {
                    Step::Icw3
                } else if icw1 & ICW1_IC4 != 0 {
                    Step::Icw4
                } else {
                    Step::Ready
                }
            }
            Step::Icw3 => {
                self.icw3 = value;
                if icw1 & ICW1_IC4 != 0 {
                    Step::Icw4
                } else {
                    Step::Ready
                }
            }
            Step::Icw4 => {
                self.icw4 = value;
                Step::Ready
            }
        };
    }

    fn read_a0(&mut self) -> u8 {
        if core::mem::take(&mut self.poll) {
            return self.ack().map_or(0, |ir| 0x80 | ir);
        }
        if self.read_isr { self.isr } else { self.irr }
    }
}

impl Default for Pic8259 {
    fn default() -> Self {
        Self::new()
    }
}

impl Vdev for Pic8259 {
    fn kind(&self) -> &'static str {
        "8259"
    }

    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault> {
        match (offset, size) {
            (0, 1) => Ok(u64::from(self.read_a0())),
            (1, 1) => Ok(u64::from(self.imr)),
            _ => Err(Fault::Unsupported),
        }
    }

    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault> {
        let value = value as u8;
        match (offset, size) {
            (0, 1) if value & ICW1_INIT != 0 => self.icw1(value),
            (0, 1) if value & OCW3_SEL != 0 => self.ocw3(value),
            (0, 1) => self.ocw2(value),
            (1, 1) => self.write_a1(value),
            _ => return Err(Fault::Unsupported),
        }
        Ok(())
    }

    fn irq_level(&self) -> bool {
        self.pending().is_some()
    }
}
