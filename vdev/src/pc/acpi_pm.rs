//! The ACPI fixed-hardware PM1 registers and PM timer (ACPI 6.4 §4.8.4),
//! for a guest that powers off through ACPI: `qvm`'s vdev `acpipm`, 12
//! I/O ports from the base the FADT gives (`qvm`'s default 0x600), and
//! with it [`ResetControl`], the PC's reset register at port 0xCF9
//! (vdev `cf9reset`), which the FADT's RESET_REG names.
//!
//! Layout ([`regs`]): PM1a_EVT_BLK at offset 0 (PM1_STS at 0, PM1_EN at
//! 2), PM1a_CNT_BLK at 4 (PM1_CNT), PM_TMR_BLK at 8 (the 32-bit timer).
//! An access is taken if it is 1, 2 or 4 bytes, naturally aligned, and
//! inside one register (a byte or half of PM_TMR too); any other, and
//! offsets 6 and 7, are [`Fault::Unsupported`].
//!
//! What the model does:
//! - PM1_STS: write 1 to clear. TMR_STS is set each time bit 31 of the
//!   timer toggles (every 2^31 counts, about 10 minutes); PWRBTN_STS by
//!   [`AcpiPm::press_power_button`] (the FADT's fixed power button). The
//!   other status bits (bus master, global lock, sleep button, RTC, PCIe
//!   wake, WAK_STS) are never set: nothing here raises them.
//! - PM1_EN: read/write, reserved bits read 0.
//! - The SCI ([`Vdev::irq_level`]): some status bit with its enable set.
//!   The SCI is level-triggered; `qvm`'s MADT override says so.
//! - PM1_CNT: SCI_EN always reads 1 (the FADT has no SMI_CMD: ACPI is on
//!   from the start, there is no legacy mode to leave), BM_RLD and
//!   SLP_TYP are stored, GBL_RLS and SLP_EN are write-only (read 0). A
//!   write with SLP_EN set enters the state SLP_TYP names: the soft-off
//!   value the model was made with (the DSDT's `\_S5_`) asks for a power
//!   off ([`AcpiPm::take_power_off_request`]); any other value is a
//!   sleeping state the VM does not have, counted and remembered for the
//!   owner to report ([`AcpiPm::unsupported_sleeps`]) and otherwise
//!   ignored: the guest goes on running, as after a wake.
//! - PM_TMR: 3.579545 MHz, 32 bits (the FADT's TMR_VAL_EXT), counted
//!   from 0 at creation on the [`Clock`] the model was made with (or from
//!   another time, [`AcpiPm::with_epoch`]); writes are ignored (the
//!   register is read-only).

pub mod regs;
pub mod reset;
#[cfg(test)]
mod tests;

use crate::{Clock, Fault, Vdev};
use alloc::boxed::Box;
use regs::*;
pub use reset::ResetControl;

const NS_PER_S: u128 = 1_000_000_000;

/// The PM1a event and control registers and the PM timer.
pub struct AcpiPm {
    clock: Box<dyn Clock>,
    /// Clock time of timer count 0.
    t0: u64,
    /// SLP_TYP of S5, soft-off.
    s5_slp_typ: u8,
    /// PM1_STS without TMR_STS (which comes from the time).
    sts: u16,
    en: u16,
    /// PM1_CNT's [`CNT_STORED`] bits.
    cnt: u16,
    /// Toggles of the timer's MSB already cleared from TMR_STS.
    msb_toggles_seen: u64,
    power_off: bool,
    unsupported_sleeps: u32,
    last_unsupported: Option<u8>,
}

impl AcpiPm {
    /// I/O ports to map from the PM1a_EVT_BLK base.
    pub const SIZE: u64 = WINDOW;

    /// The registers after power-on, the timer counting `clock` from 0,
    /// powering off when a guest writes SLP_TYP `s5_slp_typ` (3 bits:
    /// the value of the DSDT's `\_S5_`) with SLP_EN.
    pub fn new(clock: Box<dyn Clock>, s5_slp_typ: u8) -> Self {
        let t0 = clock.now_ns();
        AcpiPm {
            clock,
            t0,
            s5_slp_typ: s5_slp_typ & 0b111,
            sts: 0,
            en: 0,
            cnt: 0,
            msb_toggles_seen: 0,
            power_off: false,
            unsupported_sleeps: 0,
            last_unsupported: None,
        }
    }

    /// The same with the timer counting from 0 at clock time `t0` instead
    /// of at creation (0: from the clock's origin, as a host kernel that
    /// answers PM_TMR reads itself counts), TMR_STS clear until bit 31
    /// next toggles.
    pub fn with_epoch(mut self, t0: u64) -> Self {
        self.t0 = t0;
        self.msb_toggles_seen = self.msb_toggles(self.clock.now_ns());
        self
    }

    /// Back to the power-on state, except that the timer keeps counting
    /// (its value after a reset is undefined) and the counts of
    /// unsupported sleeps stay for the owner.
    pub fn reset(&mut self) {
        self.sts = 0;
        self.en = 0;
        self.cnt = 0;
        self.msb_toggles_seen = self.msb_toggles(self.clock.now_ns());
        self.power_off = false;
    }

    /// Whether the guest asked for a power off (S5) since the last call
    /// (and forgets it): `qvm` then ends the VM.
    pub fn take_power_off_request(&mut self) -> bool {
        core::mem::take(&mut self.power_off)
    }

    /// How many times the guest asked for a sleeping state other than S5
    /// (ignored).
    pub fn unsupported_sleeps(&self) -> u32 {
        self.unsupported_sleeps
    }

    /// The SLP_TYP of the last of those, if any.
    pub fn last_unsupported_sleep(&self) -> Option<u8> {
        self.last_unsupported
    }

    /// The power button is pressed: PWRBTN_STS, and the SCI if PWRBTN_EN
    /// is set (a guest's OSPM then shuts down in order). Poll
    /// [`Vdev::irq_level`] afterwards.
    pub fn press_power_button(&mut self) {
        self.sts |= PWRBTN_STS;
    }

    /// Timer counts at clock time `now` since `t0`.
    fn ticks(&self, now: u64) -> u64 {
        let ns = u128::from(now.saturating_sub(self.t0));
        (ns * u128::from(PM_TIMER_HZ) / NS_PER_S) as u64
    }

    /// How many times the timer's bit 31 toggled by clock time `now`.
    fn msb_toggles(&self, now: u64) -> u64 {
        self.ticks(now) >> PM_TIMER_MSB
    }

    /// PM_TMR now.
    pub fn timer(&self) -> u32 {
        self.ticks(self.clock.now_ns()) as u32
    }

    fn status(&self, now: u64) -> u16 {
        let tmr = self.msb_toggles(now) != self.msb_toggles_seen;
        self.sts | if tmr { TMR_STS } else { 0 }
    }

    fn control(&self) -> u16 {
        self.cnt | SCI_EN
    }

    /// The clock time at which the SCI will next rise by itself (TMR_STS
    /// with TMR_EN), for `qvm`'s timer; `None` if it is up already or
    /// nothing enabled can raise it.
    pub fn next_irq_ns(&self) -> Option<u64> {
        let now = self.clock.now_ns();
        if self.en & TMR_EN == 0 || self.irq_level() {
            return None;
        }
        let tick = u128::from(self.msb_toggles(now) + 1) << PM_TIMER_MSB;
        let ns = (tick * NS_PER_S).div_ceil(u128::from(PM_TIMER_HZ));
        u64::try_from(ns).ok()?.checked_add(self.t0)
    }

    /// A write to PM1_CNT of the register bits `bits`, `value` holding
    /// them in their place (and no others).
    fn write_control(&mut self, value: u16, bits: u16) {
        self.cnt = (self.cnt & !bits) | (value & CNT_STORED);
        if value & SLP_EN == 0 {
            return;
        }
        let typ = ((self.cnt & SLP_TYP_MASK) >> SLP_TYP_SHIFT) as u8;
        if typ == self.s5_slp_typ {
            self.power_off = true;
        } else {
            self.unsupported_sleeps = self.unsupported_sleeps.saturating_add(1);
            self.last_unsupported = Some(typ);
        }
    }
}

/// The register holding `offset` and its width, if the access of `size`
/// bytes there is one the block takes: (register offset, register bytes).
fn register(offset: u64, size: usize) -> Option<(u64, u64)> {
    let size = size as u64;
    if !matches!(size, 1 | 2 | 4) || !offset.is_multiple_of(size) {
        return None;
    }
    let (reg, width) = match offset {
        PM1_STS..PM1_EN => (PM1_STS, 2),
        PM1_EN..PM1_CNT => (PM1_EN, 2),
        PM1_CNT..6 => (PM1_CNT, 2),
        PM_TMR..WINDOW => (PM_TMR, 4),
        _ => return None,
    };
    (offset + size <= reg + width).then_some((reg, width))
}

impl Vdev for AcpiPm {
    fn kind(&self) -> &'static str {
        "acpipm"
    }

    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault> {
        let (reg, _) = register(offset, size).ok_or(Fault::Unsupported)?;
        let value = match reg {
            PM1_STS => u32::from(self.status(self.clock.now_ns())),
            PM1_EN => u32::from(self.en),
            PM1_CNT => u32::from(self.control()),
            _ => self.timer(),
        };
        let shift = 8 * (offset - reg);
        let mask = u64::MAX >> (64 - 8 * size as u64);
        Ok(u64::from(value) >> shift & mask)
    }

    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault> {
        let (reg, _) = register(offset, size).ok_or(Fault::Unsupported)?;
        let shift = 8 * (offset - reg);
        let mask = u64::MAX >> (64 - 8 * size as u64);
        // Only the 16-bit registers are written: the bits this access
        // covers, and the value in their place (no bits outside them).
        let bits = (mask << shift) as u16;
        let value = ((value & mask) << shift) as u16;
        match reg {
            PM1_STS => {
                let now = self.clock.now_ns();
                if value & TMR_STS != 0 {
                    self.msb_toggles_seen = self.msb_toggles(now);
                }
                self.sts &= !value;
            }
            PM1_EN => self.en = (self.en & !bits) | (value & EN_WRITABLE),
            PM1_CNT => self.write_control(value, bits),
            _ => {} // PM_TMR is read-only
        }
        Ok(())
    }

    fn irq_level(&self) -> bool {
        self.status(self.clock.now_ns()) & self.en & SCI_EVENTS != 0
    }
}
