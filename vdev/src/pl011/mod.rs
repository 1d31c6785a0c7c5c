//! The ARM PrimeCell UART (PL011), as in ARM DDI 0183G (r1p5).
//!
//! What the model does:
//! - Output never blocks: a byte written to `UARTDR` goes to the
//!   [`CharSink`] at once (whatever `UARTCR` says, so early consoles work
//!   before the driver enables the UART), or, with `UARTCR.LBE`, into the
//!   receive FIFO. `UARTFR` always shows TXFE set, TXFF and BUSY clear.
//! - Input comes from [`Pl011::push_input`] into the receive FIFO: 32
//!   entries with `UARTLCR_H.FEN`, else a 1-character holding register.
//!   What does not fit is dropped, counted ([`Pl011::dropped`]) and reported
//!   as an overrun (`UARTRSR.OE`, `OERIS`); `UARTDR` reads show no error bits.
//! - Interrupts: RXRIS is set while any input is pending (whatever the FIFO
//!   mode and level), RTRIS is latched when input arrives in FIFO mode and
//!   cleared by `RTIC` or by emptying the FIFO. TXRIS is latched at reset
//!   and by every write to `UARTDR` (the byte leaves at once, so the FIFO is
//!   always at or below its level) and cleared by `TXIC`: what Linux's
//!   amba-pl011 driver expects. The line is `UARTMIS != 0`.
//! - Baud rate, line control and IrDA registers are stored and read back.
//!
//! Line buffering and the VM-name prefix belong to `qvm`'s console.

pub mod regs;

pub use crate::chardev::CharSink;

use crate::chardev::ByteFifo;
use crate::mmio::{Lane, primecell_id};
use crate::{Fault, Vdev};
use regs::*;

/// The registers and FIFO: everything a reset restores.
#[derive(Clone, Debug)]
struct State {
    rx: ByteFifo<FIFO_DEPTH>,
    rsr: u32,
    ilpr: u32,
    ibrd: u32,
    fbrd: u32,
    lcr_h: u32,
    cr: u32,
    ifls: u32,
    imsc: u32,
    dmacr: u32,
    /// The latched raw interrupts (TX, RT, OE); RX follows the FIFO.
    latched: u32,
}

impl State {
    /// The reset values of DDI 0183G table 3-1.
    const RESET: State = State {
        rx: ByteFifo::EMPTY,
        rsr: 0,
        ilpr: 0,
        ibrd: 0,
        fbrd: 0,
        lcr_h: 0,
        cr: CR_RESET,
        ifls: IFLS_RESET,
        imsc: 0,
        dmacr: 0,
        latched: INT_TX,
    };
}

/// A PL011 UART writing its output to `S`.
pub struct Pl011<S: CharSink> {
    sink: S,
    st: State,
    dropped: u64,
}

impl<S: CharSink> Pl011<S> {
    /// Size of the register window to map on the bus.
    pub const SIZE: u64 = WINDOW;

    /// A UART in its reset state, writing to `sink`.
    pub fn new(sink: S) -> Self {
        Pl011 {
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

    /// Room in the receive FIFO now (32 or 1 entries, by `UARTLCR_H.FEN`).
    pub fn rx_space(&self) -> usize {
        self.rx_capacity().saturating_sub(self.st.rx.len())
    }

    /// Bytes received and not read yet.
    pub fn rx_pending(&self) -> usize {
        self.st.rx.len()
    }

    /// Input bytes dropped so far because the receive FIFO was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Host input for the guest: queues what fits into the receive FIFO and
    /// returns how many bytes that was; the rest is dropped and counted. Poll
    /// [`Vdev::irq_level`] afterwards.
    pub fn push_input(&mut self, bytes: &[u8]) -> usize {
        let taken = bytes.len().min(self.rx_space());
        for &b in &bytes[..taken] {
            self.st.rx.push(b);
        }
        if taken > 0 && self.st.lcr_h & LCR_H_FEN != 0 {
            self.st.latched |= INT_RT;
        }
        if taken < bytes.len() {
            self.dropped += (bytes.len() - taken) as u64;
            self.st.rsr |= RSR_OE;
            self.st.latched |= INT_OE;
        }
        taken
    }

    fn rx_capacity(&self) -> usize {
        if self.st.lcr_h & LCR_H_FEN != 0 {
            FIFO_DEPTH
        } else {
            1
        }
    }

    /// `UARTRIS`.
    fn ris(&self) -> u32 {
        let rx = if self.st.rx.is_empty() { 0 } else { INT_RX };
        self.st.latched | rx
    }

    /// `UARTFR`.
    fn fr(&self) -> u32 {
        let mut fr = FR_TXFE;
        if self.st.rx.is_empty() {
            fr |= FR_RXFE;
        }
        if self.st.rx.len() >= self.rx_capacity() {
            fr |= FR_RXFF;
        }
        fr
    }

    /// A read of `UARTDR`: the next character, with no error bits.
    fn read_dr(&mut self) -> u32 {
        let byte = self.st.rx.pop().unwrap_or(0);
        if self.st.rx.is_empty() {
            self.st.latched &= !INT_RT;
        }
        u32::from(byte)
    }

    /// A write of `UARTDR`.
    fn write_dr(&mut self, byte: u8) {
        if self.st.cr & CR_LBE != 0 {
            self.push_input(&[byte]);
        } else {
            self.sink.write_bytes(&[byte]);
        }
        self.st.latched |= INT_TX;
    }

    /// The value of register `reg`; `low` is false for an access to the
    /// upper bytes only, which has no side effect.
    fn read_reg(&mut self, reg: u64, low: bool) -> u32 {
        match reg {
            UARTDR if low => self.read_dr(),
            UARTRSR => self.st.rsr,
            UARTFR => self.fr(),
            UARTILPR => self.st.ilpr,
            UARTIBRD => self.st.ibrd,
            UARTFBRD => self.st.fbrd,
            UARTLCR_H => self.st.lcr_h,
            UARTCR => self.st.cr,
            UARTIFLS => self.st.ifls,
            UARTIMSC => self.st.imsc,
            UARTRIS => self.ris(),
            UARTMIS => self.ris() & self.st.imsc,
            UARTDMACR => self.st.dmacr,
            _ => primecell_id(reg, PERIPH_ID).unwrap_or(0),
        }
    }

    /// A write of `value` by `lane`; read-only and reserved registers ignore it.
    fn write_reg(&mut self, lane: Lane, value: u64) {
        let st = &mut self.st;
        let field = match lane.reg {
            UARTDR => {
                if lane.is_low() {
                    self.write_dr(value as u8);
                }
                return;
            }
            UARTECR => {
                st.rsr = 0;
                return;
            }
            UARTICR => {
                st.latched &= !(lane.merge(0, value) & INT_ALL);
                return;
            }
            UARTILPR => (&mut st.ilpr, ILPR_MASK),
            UARTIBRD => (&mut st.ibrd, IBRD_MASK),
            UARTFBRD => (&mut st.fbrd, FBRD_MASK),
            UARTLCR_H => (&mut st.lcr_h, LCR_H_MASK),
            UARTCR => (&mut st.cr, CR_MASK),
            UARTIFLS => (&mut st.ifls, IFLS_MASK),
            UARTIMSC => (&mut st.imsc, INT_ALL),
            UARTDMACR => (&mut st.dmacr, DMACR_MASK),
            _ => return,
        };
        let (reg, mask) = field;
        *reg = lane.merge(*reg, value) & mask;
    }
}

impl<S: CharSink + 'static> Vdev for Pl011<S> {
    fn kind(&self) -> &'static str {
        "pl011"
    }

    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault> {
        let lane = Lane::of32(offset, size, WINDOW)?;
        Ok(lane.extract(self.read_reg(lane.reg, lane.is_low())))
    }

    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault> {
        let lane = Lane::of32(offset, size, WINDOW)?;
        self.write_reg(lane, value);
        Ok(())
    }

    fn irq_level(&self) -> bool {
        self.ris() & self.st.imsc != 0
    }
}
