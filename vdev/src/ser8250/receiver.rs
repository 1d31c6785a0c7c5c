//! The receive side: the RCVR FIFO (or the 16450-mode RBR), FCR, LSR and
//! the trigger level.

use super::regs::*;
use super::{CharSink, Ser8250};
use crate::chardev::ByteFifo;

impl<S: CharSink> Ser8250<S> {
    pub(super) fn fifo_enabled(&self) -> bool {
        self.st.fcr & FCR_FIFO_ENABLE != 0
    }

    /// Free entries: 16 in FIFO mode, 1 (RBR) otherwise, less those used.
    pub(super) fn rx_free(&self) -> usize {
        let capacity = if self.fifo_enabled() { FIFO_DEPTH } else { 1 };
        capacity.saturating_sub(self.st.rx.len())
    }

    /// Bytes at the receiver's input (host or loopback): queues what fits,
    /// drops and counts the rest and flags it as an overrun.
    pub(super) fn receive(&mut self, bytes: &[u8]) -> usize {
        let taken = bytes.len().min(self.rx_free());
        for &byte in &bytes[..taken] {
            self.st.rx.push(byte);
        }
        if taken > 0 {
            self.st.timeout_armed = true;
        }
        if taken < bytes.len() {
            self.dropped += (bytes.len() - taken) as u64;
            self.st.lsr_errors |= LSR_OE;
        }
        taken
    }

    fn clear_rx(&mut self) {
        self.st.rx = ByteFifo::EMPTY;
        self.st.timeout_armed = false;
    }

    /// Whether enough data waits for Received Data Available: the trigger
    /// level in FIFO mode, one byte otherwise.
    pub(super) fn rx_at_trigger(&self) -> bool {
        let waiting = self.st.rx.len();
        waiting > 0 && waiting >= self.rx_trigger_level()
    }

    /// Whether the Character Timeout Indication is due: FIFO mode, data
    /// below the trigger level, and RBR not read since it arrived.
    pub(super) fn rx_timed_out(&self) -> bool {
        self.fifo_enabled()
            && self.st.timeout_armed
            && !self.st.rx.is_empty()
            && !self.rx_at_trigger()
    }

    fn rx_trigger_level(&self) -> usize {
        if !self.fifo_enabled() {
            return 1;
        }
        let index = (self.st.fcr & FCR_RCVR_TRIGGER) >> FCR_RCVR_TRIGGER_SHIFT;
        RCVR_TRIGGER_LEVELS[usize::from(index & 3)]
    }

    /// A read of RBR: the oldest byte (0 if none), which also stops the
    /// character timeout.
    pub(super) fn read_rbr(&mut self) -> u8 {
        self.st.timeout_armed = false;
        self.st.rx.pop().unwrap_or(0)
    }

    /// A read of LSR, which clears the error bits.
    pub(super) fn read_lsr(&mut self) -> u8 {
        let ready = if self.st.rx.is_empty() { 0 } else { LSR_DR };
        let lsr = LSR_THRE | LSR_TEMT | ready | self.st.lsr_errors;
        self.st.lsr_errors = 0;
        lsr
    }

    /// A write of FCR: a change of bit 0 or bit 1 set empties the RCVR
    /// FIFO; the other bits are kept only with bit 0 set.
    pub(super) fn write_fcr(&mut self, value: u8) {
        let enable = value & FCR_FIFO_ENABLE != 0;
        if enable != self.fifo_enabled() || value & FCR_RCVR_FIFO_RESET != 0 {
            self.clear_rx();
        }
        self.st.fcr = if enable { value & FCR_STORED } else { 0 };
    }
}
