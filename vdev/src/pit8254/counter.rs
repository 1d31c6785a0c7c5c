//! One 8254 counter as the CPU programs it: the control word it keeps, the
//! count register (CR) and the byte toggles of 16-bit accesses, the output
//! latch (OL) and the latched status, and GATE. What the counting element
//! and OUT do over time is in [`super::wave`]. Pure: every call takes the
//! time, in nanoseconds, from the caller.

use super::regs::*;
use super::wave::{Mode, Wave};

/// A binary counter counts modulo 2^16 (a count of 0 means 65536).
const BINARY_MODULUS: u32 = 1 << 16;
/// A BCD counter counts modulo 10^4 (a count of 0 means 10000).
const BCD_MODULUS: u32 = 10_000;

/// One counter of the 8254.
#[derive(Clone, Debug)]
pub struct Counter {
    /// `RW1 RW0 M2 M1 M0 BCD` of the last control word.
    control: u8,
    wave: Wave,
    /// The count register: the last count written (1..=modulus), `None`
    /// since the control word.
    cr: Option<u32>,
    /// The least significant byte of a two-byte count, written.
    lsb: Option<u8>,
    /// The next byte read of a two-byte count is the most significant.
    read_msb: bool,
    /// The output latch, while a Counter Latch or Read-Back holds it.
    latch: Option<u16>,
    /// The status byte a Read-Back latched.
    status: Option<u8>,
    /// NULL COUNT, apart from a mode 2 or 3 count waiting for its cycle.
    null: bool,
    gate: bool,
}

impl Counter {
    /// The model's power-up state (undefined in the datasheet): mode 0,
    /// binary, LSB then MSB, no count, OUT low, with GATE at `gate`.
    pub fn new(gate: bool) -> Counter {
        Counter {
            control: RW_LSB_MSB << CW_RW_SHIFT,
            wave: Wave::new(),
            cr: None,
            lsb: None,
            read_msb: false,
            latch: None,
            status: None,
            null: true,
            gate,
        }
    }

    /// `RW1 RW0`: how the count is written and read.
    fn rw(&self) -> u8 {
        (self.control >> CW_RW_SHIFT) & CW_RW_MASK
    }

    /// `M2 M1 M0`.
    fn mode(&self) -> Mode {
        Mode::from_bits(self.control >> CW_M_SHIFT)
    }

    /// Whether the counter counts in BCD.
    fn bcd(&self) -> bool {
        self.control & CW_BCD != 0
    }

    /// What CE counts modulo: 65536, or 10000 in BCD.
    fn modulus(&self) -> u32 {
        if self.bcd() {
            BCD_MODULUS
        } else {
            BINARY_MODULUS
        }
    }

    /// A control word for this counter (`SC1 SC0` already decoded): the
    /// Counter Latch command (`RW` = 00) or a new mode, which stops the
    /// counter until a count is written.
    pub fn control(&mut self, now: u64, word: u8) {
        if (word >> CW_RW_SHIFT) & CW_RW_MASK == RW_LATCH {
            self.latch_count(now);
            return;
        }
        self.control = word & CW_PROGRAM;
        self.cr = None;
        self.lsb = None;
        self.read_msb = false;
        self.latch = None;
        self.status = None;
        self.null = true;
        self.wave.program(now, self.mode(), self.modulus());
    }

    /// Latches the count into OL, unless a latched count is still unread.
    pub fn latch_count(&mut self, now: u64) {
        if self.latch.is_none() {
            self.latch = Some(self.count(now));
        }
    }

    /// Latches the status byte, unless a latched status is still unread.
    pub fn latch_status(&mut self, now: u64) {
        if self.status.is_none() {
            self.status = Some(self.status_byte(now));
        }
    }

    /// CE as the CPU reads it (BCD in BCD mode).
    fn count(&self, now: u64) -> u16 {
        let count = self.wave.sample(now).0;
        if self.bcd() {
            to_bcd(count)
        } else {
            count as u16
        }
    }

    /// The status byte: OUTPUT, NULL COUNT, then the control word's
    /// `RW1 RW0 M2 M1 M0 BCD`.
    pub fn status_byte(&self, now: u64) -> u8 {
        let mut status = self.control;
        if self.out(now) {
            status |= STATUS_OUTPUT;
        }
        if self.null || self.wave.pending(now) {
            status |= STATUS_NULL_COUNT;
        }
        status
    }

    /// A byte written to the counter's port: (part of) a new count.
    pub fn write(&mut self, now: u64, byte: u8) {
        let raw = match self.rw() {
            RW_LSB => u16::from(byte),
            RW_MSB => u16::from(byte) << 8,
            _ => match self.lsb.take() {
                Some(lsb) => u16::from_le_bytes([lsb, byte]),
                None => {
                    self.lsb = Some(byte);
                    if self.mode() == Mode::TerminalCount {
                        self.wave.stop(now);
                    }
                    return;
                }
            },
        };
        let n = match u32::from(if self.bcd() { from_bcd(raw) } else { raw }) {
            0 => self.modulus(),
            n => n,
        };
        self.cr = Some(n);
        self.wave.load(now, n, self.gate);
        self.null = matches!(self.mode(), Mode::OneShot | Mode::HardStrobe);
    }

    /// A read of the counter's port: a latched status, else a latched
    /// count, else CE now, a byte at a time as `RW1 RW0` says.
    pub fn read(&mut self, now: u64) -> u8 {
        if let Some(status) = self.status.take() {
            return status;
        }
        let [lsb, msb] = self.latch.unwrap_or_else(|| self.count(now)).to_le_bytes();
        match self.rw() {
            RW_LSB => {
                self.latch = None;
                lsb
            }
            RW_MSB => {
                self.latch = None;
                msb
            }
            _ if !self.read_msb => {
                self.read_msb = true;
                lsb
            }
            _ => {
                self.read_msb = false;
                self.latch = None;
                msb
            }
        }
    }

    /// GATE is now `level`: modes 0, 2, 3 and 4 count only while it is
    /// high, a rising edge triggers modes 1, 2, 3 and 5.
    pub fn set_gate(&mut self, now: u64, level: bool) {
        if level != self.gate {
            self.gate = level;
            if self.wave.gate(now, level, self.cr) {
                self.null = false;
            }
        }
    }

    /// OUT at `now`.
    pub fn out(&self, now: u64) -> bool {
        self.wave.sample(now).1
    }

    /// What OUT does over time: its edges and next changes.
    pub fn wave(&self) -> &Wave {
        &self.wave
    }
}

/// Four BCD digits from a count below 10000.
fn to_bcd(count: u32) -> u16 {
    let mut bcd = 0;
    let mut rest = count;
    for shift in [0, 4, 8, 12] {
        bcd |= ((rest % 10) as u16) << shift;
        rest /= 10;
    }
    bcd
}

/// A count below 10000 from four BCD digits; a nibble above 9 (undefined
/// on the chip) counts for its value and the sum wraps at 10000.
fn from_bcd(bcd: u16) -> u16 {
    let digit = |shift: u16| (bcd >> shift) & 0xF;
    (digit(12) * 1000 + digit(8) * 100 + digit(4) * 10 + digit(0)) % 10_000
}
