//! The PC keyboard controller (an Intel 8042 running IBM's firmware), as
//! far as guests probe it and reset the machine through it: `qvm`'s vdev
//! `pckeyboard`. The command set is the one of the IBM PC AT and PS/2
//! technical references ("Keyboard Controller", "Keyboard/Auxiliary Device
//! Controller"); the keyboard's own answers are those of the IBM Enhanced
//! Keyboard.
//!
//! One vdev at base 0x60, five ports: offset 0 is the data port (0x60),
//! offset 4 the status (read) and command (write) port (0x64); offsets 1-3
//! (0x61-0x63, which a PC decodes elsewhere) are [`Fault::Unsupported`].
//!
//! What the model does:
//! - Status: OBF while an answer waits, IBF always 0 (a command completes
//!   when written), the system flag (set by a self-test, or loaded from the
//!   command byte's bit 2), command/data (whether the last write went to
//!   0x64), and "not inhibited" (bit 4) always 1.
//! - Controller commands: 0x20/0x60 read/write the command byte, 0xAA
//!   self-test (0x55), 0xAB keyboard interface test (0x00), 0xAD/0xAE and
//!   0xA7/0xA8 set/clear the keyboard and aux disable bits, 0xD0/0xD1
//!   read/write the output port, 0xD2 writes the keyboard output buffer,
//!   0xF0-0xFF pulse the output lines whose bits 3:0 are 0. Pulsing line 0,
//!   or writing the output port with bit 0 (system reset) clear, asks for a
//!   CPU reset: [`I8042::take_reset_request`]. The A20 gate (output port
//!   bit 1) is stored only: A20 is always on.
//! - Keyboard: data written to 0x60 with no controller command waiting
//!   for it goes to the keyboard, which answers ACK (0xFA); reset 0xFF
//!   answers 0xFA 0xAA, identify 0xF2 0xFA 0xAB 0x83, echo 0xEE 0xEE;
//!   the parameter of 0xED, 0xF0 and 0xF3 gets its own ACK, and 0xF0 0x00
//!   reports the scan-code set (2, or what was selected). Answers queue
//!   in a FIFO behind the output buffer. There is no real keyboard:
//!   [`I8042::push_scancode`] queues what `qvm` (or a test) gives, as is
//!   (no translation, whatever the command byte's XLAT says).
//! - Interrupt (line 1): output buffer full and the command byte's
//!   keyboard interrupt enable (bit 0). The level stays up while answers
//!   are queued, so a driver that reads one byte per interrupt (Linux's
//!   i8042) needs the line to be level-triggered to see each of them: on
//!   an edge-triggered pin only the first byte of 0xFA 0xAB 0x83 raises
//!   an edge.
//!
//! Left out: there is no aux (mouse) device. 0xA9 (aux interface test)
//! answers 0x02, "clock line stuck high", which is what an empty port
//! shows and what makes Linux's i8042 give up on aux; 0xD3 (write aux
//! output buffer, Linux's loop test: it times out) and 0xD4 (write to the
//! aux device) take their data byte and drop it, and nothing answers.
//! Linux guests can pass `i8042.noaux` to skip that probe. The aux
//! interrupt (command byte bit 1), parity and timeout errors, the input
//! port (0xC0), the test inputs (0xE0) and the internal RAM (0x21-0x3F,
//! 0x61-0x7F) are not modelled: those commands are ignored.

pub mod regs;
#[cfg(test)]
mod tests;

use crate::chardev::ByteFifo;
use crate::{Fault, Vdev};
use regs::*;

/// Room for queued answers and scancodes.
const FIFO_DEPTH: usize = 16;

/// The keyboard controller with its (absent) keyboard.
#[derive(Clone, Debug)]
pub struct I8042 {
    out: ByteFifo<FIFO_DEPTH>,
    /// What the output buffer held last (a read with none waiting).
    last: u8,
    ccb: u8,
    output_port: u8,
    sys: bool,
    last_was_command: bool,
    /// A controller command waiting for its data byte.
    pending: Option<u8>,
    /// A keyboard command waiting for its parameter byte.
    kbd_pending: Option<u8>,
    scan_set: u8,
    reset_request: bool,
}

impl I8042 {
    /// Number of I/O ports to map from 0x60.
    pub const SIZE: u64 = 5;

    /// The controller as firmware leaves it: command byte 0x61 (keyboard
    /// interrupt, aux disabled, translation), output port 0xCF (not in
    /// reset, A20 on), nothing queued, system flag clear until a
    /// self-test.
    pub fn new() -> Self {
        I8042 {
            out: ByteFifo::EMPTY,
            last: 0,
            ccb: CCB_XLAT | CCB_AUX_DIS | CCB_KBD_INT,
            output_port: 0xCC | OUT_A20 | OUT_RESET,
            sys: false,
            last_was_command: false,
            pending: None,
            kbd_pending: None,
            scan_set: 2,
            reset_request: false,
        }
    }

    /// Whether the guest asked for a CPU reset since the last call (and
    /// forgets it): `qvm` then resets or ends the VM, as its config says.
    pub fn take_reset_request(&mut self) -> bool {
        core::mem::take(&mut self.reset_request)
    }

    /// Queues a byte from the keyboard; `false` (dropped) if the keyboard
    /// is disabled (command byte bit 4) or the queue is full. Poll
    /// [`Vdev::irq_level`] afterwards.
    pub fn push_scancode(&mut self, code: u8) -> bool {
        self.ccb & CCB_KBD_DIS == 0 && self.out.push(code)
    }

    /// The command byte.
    pub fn command_byte(&self) -> u8 {
        self.ccb
    }

    fn answer(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.out.push(b);
        }
    }

    fn status(&self) -> u8 {
        let mut s = STATUS_INH;
        if !self.out.is_empty() {
            s |= STATUS_OBF;
        }
        if self.sys {
            s |= STATUS_SYS;
        }
        if self.last_was_command {
            s |= STATUS_CMD;
        }
        s
    }

    fn command(&mut self, cmd: u8) {
        self.pending = None;
        match cmd {
            CMD_READ_CCB => self.answer(&[self.ccb]),
            CMD_AUX_DISABLE => self.ccb |= CCB_AUX_DIS,
            CMD_AUX_ENABLE => self.ccb &= !CCB_AUX_DIS,
            CMD_AUX_TEST => self.answer(&[0x02]),
            CMD_SELF_TEST => {
                self.sys = true;
                self.answer(&[0x55]);
            }
            CMD_KBD_TEST => self.answer(&[0x00]),
            CMD_KBD_DISABLE => self.ccb |= CCB_KBD_DIS,
            CMD_KBD_ENABLE => self.ccb &= !CCB_KBD_DIS,
            CMD_READ_OUTPUT => self.answer(&[self.output_port]),
            CMD_WRITE_CCB | CMD_WRITE_OUTPUT | CMD_WRITE_KBD_OUT | CMD_WRITE_AUX_OUT
            | CMD_WRITE_AUX => self.pending = Some(cmd),
            0xF0..=0xFF if cmd & OUT_RESET == 0 => self.reset_request = true,
            _ => {}
        }
    }

    fn data(&mut self, value: u8) {
        match self.pending.take() {
            Some(CMD_WRITE_CCB) => {
                self.ccb = value;
                self.sys = value & CCB_SYS != 0;
            }
            Some(CMD_WRITE_OUTPUT) => {
                self.output_port = value;
                if value & OUT_RESET == 0 {
                    self.reset_request = true;
                }
            }
            Some(CMD_WRITE_KBD_OUT) => self.answer(&[value]),
            Some(_) => {} // to the aux device, which is not there
            None => self.keyboard(value),
        }
    }

    /// A byte for the keyboard.
    fn keyboard(&mut self, value: u8) {
        if let Some(cmd) = self.kbd_pending.take() {
            self.answer(&[KBD_ACK]);
            if cmd == 0xF0 {
                match value {
                    0 => self.answer(&[self.scan_set]),
                    1..=3 => self.scan_set = value,
                    _ => {}
                }
            }
            return;
        }
        match value {
            0xFF => {
                self.scan_set = 2;
                self.answer(&[KBD_ACK, KBD_BAT_OK]);
            }
            0xF2 => self.answer(&[KBD_ACK, 0xAB, 0x83]),
            0xEE => self.answer(&[0xEE]),
            0xED | 0xF0 | 0xF3 => {
                self.kbd_pending = Some(value);
                self.answer(&[KBD_ACK]);
            }
            _ => self.answer(&[KBD_ACK]),
        }
    }
}

impl Default for I8042 {
    fn default() -> Self {
        Self::new()
    }
}

impl Vdev for I8042 {
    fn kind(&self) -> &'static str {
        "pckeyboard"
    }

    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault> {
        match (offset, size) {
            (DATA, 1) => {
                if let Some(b) = self.out.pop() {
                    self.last = b;
                }
                Ok(u64::from(self.last))
            }
            (STATUS, 1) => Ok(u64::from(self.status())),
            _ => Err(Fault::Unsupported),
        }
    }

    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault> {
        match (offset, size) {
            (DATA, 1) => {
                self.last_was_command = false;
                self.data(value as u8);
            }
            (STATUS, 1) => {
                self.last_was_command = true;
                self.command(value as u8);
            }
            _ => return Err(Fault::Unsupported),
        }
        Ok(())
    }

    fn irq_level(&self) -> bool {
        !self.out.is_empty() && self.ccb & CCB_KBD_INT != 0
    }
}
