//! The PC's COM port: a National Semiconductor PC16550D UART, as in its
//! datasheet. `qvm` calls this vdev `ser8250` and puts it at I/O port
//! 0x3F8, 8 ports wide.
//!
//! What the model does:
//! - Registers (Table II): RBR/THR, IER, DLL and DLM (offsets 0 and 1 with
//!   `LCR.DLAB`), IIR/FCR, LCR, MCR, LSR, MSR, SCR. Only 1-byte accesses at
//!   offsets 0..8 are valid. Reset values as in Table IV: IER 0, IIR 0x01,
//!   FCR 0, LCR 0, MCR 0, LSR 0x60, MSR 0xB0 (see below); DLL, DLM and SCR,
//!   which the Master Reset leaves alone, start at 0.
//! - Output never blocks: a byte written to THR goes to the [`CharSink`] at
//!   once, so LSR.THRE and LSR.TEMT are always set; with `MCR.LOOP` it goes
//!   to the receiver instead.
//! - Input comes from [`Ser8250::push_input`] into the RCVR FIFO: 16 bytes
//!   with `FCR` bit 0, else the 1-byte RBR. What does not fit is dropped,
//!   counted ([`Ser8250::dropped`]) and reported as an overrun (LSR.OE,
//!   cleared by reading LSR). Unlike the chip in 16450 mode, the byte
//!   already in RBR is kept and the new one lost. In loopback the serial
//!   input is disconnected: `push_input` takes nothing.
//! - Writing `FCR` bit 0 with a new value empties the RCVR FIFO; bits 1
//!   (RCVR FIFO Reset), 3 (DMA mode, no effect) and 7:6 (RCVR Trigger) are
//!   programmed only with bit 0 set.
//! - Interrupts, by IIR priority: Receiver Line Status (ELSI, LSR.OE),
//!   Received Data Available (ERBFI; in FIFO mode when the trigger level
//!   is reached), Character Timeout (ERBFI, FIFO mode), THR Empty (ETBEI),
//!   MODEM Status (EDSSI, MSR delta bits). Time does not pass in the model,
//!   so the character timeout is "data below the trigger level, and RBR not
//!   read since the last byte arrived": it is armed when input (or a
//!   loopback byte) arrives and disarmed by reading RBR or emptying the
//!   FIFO. A driver must therefore read while LSR.DR is set (Linux's
//!   does); the chip would time out again later.
//! - The THR Empty interrupt is latched: raised by writing THR (the byte
//!   leaves at once, so THR empties again at once) and by setting ETBEI (a
//!   0 to 1 change of the bit) while THR is empty, which Linux's 8250
//!   driver tests for; cleared by reading IIR while it is the one IIR
//!   shows.
//! - MSR: outside loopback a terminal is connected (CTS, DSR, DCD set, RI
//!   clear). In loopback DTR, RTS, OUT1 and OUT2 drive DSR, CTS, RI and
//!   DCD. A change sets the delta bits (TERI when RI goes from 1 to 0),
//!   which reading MSR clears.
//! - The IRQ line ([`Vdev::irq_level`]) is the chip's INTR as a PC wires
//!   it: it reaches the interrupt controller only while `MCR.OUT2` is set
//!   and the chip is not in loopback (which forces the OUT2 pin inactive).
//!
//! Not modelled: baud rate timing (DLL, DLM only stored), word length,
//! parity and stop bits (LCR only stored; all 8 bits of a byte go out),
//! break, parity and framing errors (LSR.PE, FE, BI and bit 7 stay clear),
//! the transmit FIFO and DMA signalling (RXRDY, TXRDY).

mod interrupts;
mod modem;
mod receiver;
pub mod regs;

#[cfg(test)]
mod tests;

pub use crate::chardev::CharSink;

use crate::chardev::ByteFifo;
use crate::{Fault, Vdev};
use regs::*;

/// The registers and FIFO: everything a reset restores.
#[derive(Clone, Debug)]
struct State {
    rx: ByteFifo<FIFO_DEPTH>,
    ier: u8,
    /// `FCR` as last programmed ([`FCR_STORED`] bits).
    fcr: u8,
    lcr: u8,
    mcr: u8,
    dll: u8,
    dlm: u8,
    scr: u8,
    /// The latched `LSR` error bits (only OE ever is).
    lsr_errors: u8,
    /// `MSR` bits 3:0.
    msr_deltas: u8,
    /// The THR Empty interrupt is latched.
    thr_empty_pending: bool,
    /// Input arrived and RBR has not been read since (character timeout).
    timeout_armed: bool,
}

impl State {
    /// The reset values of the datasheet's Table IV.
    const RESET: State = State {
        rx: ByteFifo::EMPTY,
        ier: 0,
        fcr: 0,
        lcr: 0,
        mcr: 0,
        dll: 0,
        dlm: 0,
        scr: 0,
        lsr_errors: 0,
        msr_deltas: 0,
        thr_empty_pending: true,
        timeout_armed: false,
    };
}

/// A PC16550D UART writing its output to `S`.
pub struct Ser8250<S: CharSink> {
    sink: S,
    st: State,
    dropped: u64,
}

impl<S: CharSink> Ser8250<S> {
    /// Number of I/O ports to map on the bus.
    pub const SIZE: u64 = WINDOW;

    /// A UART in its reset state, writing to `sink`.
    pub fn new(sink: S) -> Self {
        Ser8250 {
            sink,
            st: State::RESET,
            dropped: 0,
        }
    }

    /// Returns every register to its reset value and empties the FIFO (the
    /// sink and the drop count stay).
    pub fn reset(&mut self) {
        self.st = State::RESET;
    }

    /// The output sink.
    pub fn sink(&self) -> &S {
        &self.sink
    }

    /// The output sink, mutably (e.g. to take what a `Vec` collected).
    pub fn sink_mut(&mut self) -> &mut S {
        &mut self.sink
    }

    /// Room for host input now: 16 or 1 bytes (by `FCR` bit 0) less those
    /// waiting, and none in loopback.
    pub fn rx_space(&self) -> usize {
        if self.loopback() {
            return 0;
        }
        self.rx_free()
    }

    /// Bytes received and not read yet.
    pub fn rx_pending(&self) -> usize {
        self.st.rx.len()
    }

    /// Received bytes dropped so far because the FIFO (or RBR) was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Host input for the guest: queues what fits and returns how many bytes
    /// that was; the rest is dropped, counted and flagged as an overrun. In
    /// loopback it takes nothing (and drops nothing). Poll
    /// [`Vdev::irq_level`] afterwards.
    pub fn push_input(&mut self, bytes: &[u8]) -> usize {
        if self.loopback() {
            return 0;
        }
        self.receive(bytes)
    }

    /// Whether `MCR.LOOP` is set.
    fn loopback(&self) -> bool {
        self.st.mcr & MCR_LOOP != 0
    }

    /// A write of THR: the byte leaves at once, so THR is empty again.
    fn write_thr(&mut self, byte: u8) {
        if self.loopback() {
            self.receive(&[byte]);
        } else {
            self.sink.write_bytes(&[byte]);
        }
        self.st.thr_empty_pending = true;
    }

    /// A read of the register at `offset` (below [`WINDOW`]).
    fn read_reg(&mut self, offset: u64) -> u8 {
        let dlab = self.st.lcr & LCR_DLAB != 0;
        match offset {
            DLL if dlab => self.st.dll,
            RBR => self.read_rbr(),
            DLM if dlab => self.st.dlm,
            IER => self.st.ier,
            IIR => self.read_iir(),
            LCR => self.st.lcr,
            MCR => self.st.mcr,
            LSR => self.read_lsr(),
            MSR => self.read_msr(),
            SCR => self.st.scr,
            _ => 0,
        }
    }

    /// A write of `value`; LSR and MSR (read-only here) ignore it.
    fn write_reg(&mut self, offset: u64, value: u8) {
        let dlab = self.st.lcr & LCR_DLAB != 0;
        match offset {
            DLL if dlab => self.st.dll = value,
            THR => self.write_thr(value),
            DLM if dlab => self.st.dlm = value,
            IER => self.write_ier(value),
            FCR => self.write_fcr(value),
            LCR => self.st.lcr = value,
            MCR => self.write_mcr(value),
            SCR => self.st.scr = value,
            _ => {}
        }
    }
}

/// Checks that an access is one byte inside the window.
fn check_access(offset: u64, size: usize) -> Result<(), Fault> {
    if size == 1 && offset < WINDOW {
        Ok(())
    } else {
        Err(Fault::Unsupported)
    }
}

impl<S: CharSink + 'static> Vdev for Ser8250<S> {
    fn kind(&self) -> &'static str {
        "ser8250"
    }

    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault> {
        check_access(offset, size)?;
        Ok(u64::from(self.read_reg(offset)))
    }

    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault> {
        check_access(offset, size)?;
        self.write_reg(offset, value as u8);
        Ok(())
    }

    /// The chip's INTR, gated as on a PC by `MCR.OUT2` (inactive in
    /// loopback).
    fn irq_level(&self) -> bool {
        let out2_pin = self.st.mcr & (MCR_OUT2 | MCR_LOOP) == MCR_OUT2;
        out2_pin && self.pending_interrupt().is_some()
    }
}
