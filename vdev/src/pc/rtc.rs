//! The Motorola MC146818A real-time clock plus RAM, as in its datasheet
//! (Motorola MC146818A "Real-Time Clock Plus RAM (RTC)"), at the PC's
//! ports 0x70 (index) and 0x71 (data) on interrupt line 8: `qvm`'s vdev
//! `mc146818`, two ports.
//!
//! What the model does:
//! - Index port (offset 0, write-only on a PC: reads give 0xFF): bits 6:0
//!   select one of 128 bytes, bit 7 is the PC's NMI mask, stored and
//!   reported by [`Mc146818::nmi_masked`].
//! - Time: the clock never reads a clock of its own. It counts the
//!   [`Clock`] it was made with from the wall-clock time given to
//!   [`Mc146818::new`] (Unix seconds, turned into a proleptic Gregorian
//!   date by integer arithmetic), and shows it in the time bytes (0-9 and the
//!   century at 0x32, as PCs keep it) in the format register B selects (DM
//!   binary or BCD, 24- or 12-hour with PM in bit 7): the bytes are always
//!   the current time in the current format (the chip would not recode
//!   bytes already written when the format changes). Updates happen at
//!   once on each second boundary; UIP reads 1 for the 244 µs before one.
//! - Setting: while register B's SET is 1 the time bytes are plain storage
//!   and do not advance; clearing SET starts the clock from them. A write
//!   to a time byte with SET clear sets the clock at once. Either way the
//!   model keeps an offset from the counted time, and the phase of the
//!   second boundaries never changes (the divider chain keeps running).
//!   The day of week always follows the date: what is written there is
//!   seen only until SET is cleared.
//! - Interrupts: PF from the rate register A's RS3-RS0 select (32.768 kHz
//!   time base), AF when an update reaches the seconds/minutes/hours alarm
//!   (codes `11xxxxxx` are "don't care"), UF on each update while SET is
//!   clear. Flags are computed from the elapsed time when read; reading
//!   register C returns and clears them. IRQF, and the line, is
//!   `PF & PIE | AF & AIE | UF & UIE`. Setting SET clears UIE.
//!   [`Mc146818::next_irq_ns`] says when the line will next rise, for
//!   `qvm` to poll then.
//! - Register D reads VRT = 1. Indexes 0x0E-0x7F but the century are CMOS
//!   RAM, storage that `qvm` may fill ([`Mc146818::cmos_mut`],
//!   [`Mc146818::set_cmos`]).
//!
//! Not modelled: the divider bits DV2-DV0 (stored; the time base is
//! always 32.768 kHz and running, so the divider reset codes do not stop
//! it), the square-wave output (SQWE stored), daylight-saving DSE (stored
//! only, no switching), the update cycle's 1984 µs duration (bytes change
//! at the boundary), and date alarms (a PC's day/month alarm bytes are
//! just RAM here).

mod calendar;
mod events;
pub mod regs;
#[cfg(test)]
mod tests;

use crate::{Clock, Fault, Vdev};
use alloc::boxed::Box;
use calendar::{Format, TimeBytes};
use regs::*;

const NS_PER_S: u64 = 1_000_000_000;
/// UIP is 1 for this long before each update.
const UIP_NS: u64 = 244_000;

/// Slot of a time byte's index in [`TimeBytes`].
fn time_slot(index: u8) -> Option<usize> {
    match index {
        SECONDS => Some(0),
        MINUTES => Some(1),
        HOURS => Some(2),
        DAY_OF_WEEK..=YEAR => Some(usize::from(index - DAY_OF_WEEK) + 3),
        CENTURY => Some(7),
        _ => None,
    }
}

/// An MC146818A with its CMOS RAM.
pub struct Mc146818 {
    clock: Box<dyn Clock>,
    /// The clock at creation: updates happen at `t0` + whole seconds.
    t0: u64,
    /// Unix time at `t0`: the starting time plus the guest's settings.
    base: i64,
    /// The time bytes while SET is 1.
    held: Option<TimeBytes>,
    index: u8,
    nmi_masked: bool,
    /// Register A without UIP.
    reg_a: u8,
    reg_b: u8,
    /// PF, AF and UF as of clock time `checked`.
    flags: u8,
    checked: u64,
    ram: [u8; 128],
}

impl Mc146818 {
    /// Number of I/O ports to map: index and data.
    pub const SIZE: u64 = 2;

    /// A clock showing Unix time `unix_secs` now and counting `clock` from
    /// here: register A 0x26 (32.768 kHz, 1024 Hz periodic rate), register
    /// B 0x02 (24-hour BCD, no interrupts), as PC firmware leaves them;
    /// RAM zero, NMI not masked.
    pub fn new(clock: Box<dyn Clock>, unix_secs: u64) -> Self {
        let t0 = clock.now_ns();
        Mc146818 {
            clock,
            t0,
            base: i64::try_from(unix_secs).unwrap_or(i64::MAX),
            held: None,
            index: 0,
            nmi_masked: false,
            reg_a: 0x26,
            reg_b: HOURS_24,
            flags: 0,
            checked: t0,
            ram: [0; 128],
        }
    }

    /// What the RESET pin does: clears PIE, AIE, UIE, SQWE and the flags;
    /// time, format and RAM stay.
    pub fn reset(&mut self) {
        self.reg_b &= !(PIE | AIE | UIE | SQWE);
        self.flags = 0;
        self.checked = self.clock.now_ns();
    }

    /// Whether the guest last wrote the index port with bit 7 (NMI off).
    pub fn nmi_masked(&self) -> bool {
        self.nmi_masked
    }

    /// The 128 bytes of CMOS RAM. The guest sees them at their indexes
    /// except where the clock is (0x00, 0x02, 0x04, 0x06-0x0D and 0x32);
    /// the alarm bytes 0x01, 0x03 and 0x05 are kept here.
    pub fn cmos(&self) -> &[u8; 128] {
        &self.ram
    }

    /// The CMOS RAM, mutably, for `qvm` to fill (memory sizes at 0x34/0x35
    /// and 0x5B-0x5D as SeaBIOS reads them, and so on).
    pub fn cmos_mut(&mut self) -> &mut [u8; 128] {
        &mut self.ram
    }

    /// Stores `value` at CMOS RAM index `index & 0x7F` (see [`Self::cmos`]).
    pub fn set_cmos(&mut self, index: u8, value: u8) {
        self.ram[usize::from(index & 0x7F)] = value;
    }

    fn format(&self) -> Format {
        Format {
            binary: self.reg_b & DM != 0,
            hours_24: self.reg_b & HOURS_24 != 0,
        }
    }

    fn alarm(&self) -> [u8; 3] {
        let r = &self.ram;
        [r[1], r[3], r[5]]
    }

    fn elapsed(&self, now: u64) -> u64 {
        now.saturating_sub(self.t0)
    }

    fn elapsed_secs(&self, now: u64) -> i64 {
        (self.elapsed(now) / NS_PER_S) as i64
    }

    /// The Unix time the clock shows at clock time `now` (if running).
    fn wall(&self, now: u64) -> i64 {
        self.base.saturating_add(self.elapsed_secs(now))
    }

    /// Makes the clock show Unix time `t` at clock time `now`.
    fn set_wall(&mut self, t: i64, now: u64) {
        self.base = t.saturating_sub(self.elapsed_secs(now));
    }

    fn time_bytes(&self, now: u64) -> TimeBytes {
        self.held
            .unwrap_or_else(|| self.format().encode(self.wall(now)))
    }

    fn read_data(&mut self) -> u8 {
        let now = self.clock.now_ns();
        let index = self.index;
        if let Some(slot) = time_slot(index) {
            return self.time_bytes(now)[slot];
        }
        match index {
            REGISTER_A => {
                let in_window = self.elapsed(now) % NS_PER_S >= NS_PER_S - UIP_NS;
                let uip = if self.held.is_none() && in_window {
                    UIP
                } else {
                    0
                };
                self.reg_a | uip
            }
            REGISTER_B => self.reg_b,
            REGISTER_C => {
                let irqf = if self.irq_at(now) { IRQF } else { 0 };
                let c = self.flags_at(now) | irqf;
                self.flags = 0;
                self.checked = now;
                c
            }
            REGISTER_D => VRT,
            _ => self.ram[usize::from(index)],
        }
    }

    fn write_data(&mut self, value: u8) {
        let now = self.clock.now_ns();
        self.sync(now);
        let index = self.index;
        if let Some(slot) = time_slot(index) {
            let mut t = self.time_bytes(now);
            t[slot] = value;
            match &mut self.held {
                Some(held) => *held = t,
                None => self.set_wall(self.format().decode(&t), now),
            }
            return;
        }
        match index {
            REGISTER_A => self.reg_a = value & !UIP,
            REGISTER_B => self.write_b(value, now),
            REGISTER_C | REGISTER_D => {}
            _ => self.ram[usize::from(index)] = value,
        }
    }

    fn write_b(&mut self, value: u8, now: u64) {
        let was_set = self.reg_b & SET != 0;
        let value = if value & SET != 0 {
            value & !UIE
        } else {
            value
        };
        if value & SET != 0 && !was_set {
            self.held = Some(self.time_bytes(now));
        }
        self.reg_b = value;
        if value & SET == 0
            && let Some(t) = self.held.take()
        {
            self.set_wall(self.format().decode(&t), now);
        }
    }
}

impl Vdev for Mc146818 {
    fn kind(&self) -> &'static str {
        "mc146818"
    }

    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault> {
        match (offset, size) {
            (0, 1) => Ok(0xFF),
            (1, 1) => Ok(u64::from(self.read_data())),
            _ => Err(Fault::Unsupported),
        }
    }

    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault> {
        match (offset, size) {
            (0, 1) => {
                self.index = value as u8 & !NMI_MASK;
                self.nmi_masked = value as u8 & NMI_MASK != 0;
            }
            (1, 1) => self.write_data(value as u8),
            _ => return Err(Fault::Unsupported),
        }
        Ok(())
    }

    fn irq_level(&self) -> bool {
        self.irq_at(self.clock.now_ns())
    }
}
