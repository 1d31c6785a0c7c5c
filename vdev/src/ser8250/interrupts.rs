//! Interrupt sources, their IIR priority, and the IER and IIR registers.

use super::regs::*;
use super::{CharSink, Ser8250};

/// The interrupt sources, highest IIR priority first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Interrupt {
    ReceiverLineStatus,
    ReceivedDataAvailable,
    CharacterTimeout,
    ThrEmpty,
    ModemStatus,
}

impl Interrupt {
    /// IIR bits 3:0 for this source.
    fn iir_id(self) -> u8 {
        match self {
            Interrupt::ReceiverLineStatus => IIR_RECEIVER_LINE_STATUS,
            Interrupt::ReceivedDataAvailable => IIR_RECEIVED_DATA_AVAILABLE,
            Interrupt::CharacterTimeout => IIR_CHARACTER_TIMEOUT,
            Interrupt::ThrEmpty => IIR_THR_EMPTY,
            Interrupt::ModemStatus => IIR_MODEM_STATUS,
        }
    }
}

impl<S: CharSink> Ser8250<S> {
    /// The highest-priority enabled interrupt pending, as IIR shows it.
    pub(super) fn pending_interrupt(&self) -> Option<Interrupt> {
        let st = &self.st;
        let enabled = |bit: u8| st.ier & bit != 0;
        if enabled(IER_ELSI) && st.lsr_errors != 0 {
            Some(Interrupt::ReceiverLineStatus)
        } else if enabled(IER_ERBFI) && self.rx_at_trigger() {
            Some(Interrupt::ReceivedDataAvailable)
        } else if enabled(IER_ERBFI) && self.rx_timed_out() {
            Some(Interrupt::CharacterTimeout)
        } else if enabled(IER_ETBEI) && st.thr_empty_pending {
            Some(Interrupt::ThrEmpty)
        } else if enabled(IER_EDSSI) && st.msr_deltas != 0 {
            Some(Interrupt::ModemStatus)
        } else {
            None
        }
    }

    /// A read of IIR, which clears the THR Empty interrupt if it shows it.
    pub(super) fn read_iir(&mut self) -> u8 {
        let fifos = if self.fifo_enabled() {
            IIR_FIFOS_ENABLED
        } else {
            0
        };
        match self.pending_interrupt() {
            None => fifos | IIR_NO_INT,
            Some(source) => {
                if source == Interrupt::ThrEmpty {
                    self.st.thr_empty_pending = false;
                }
                fifos | source.iir_id()
            }
        }
    }

    /// A write of IER: setting ETBEI raises THR Empty (THR is always empty).
    pub(super) fn write_ier(&mut self, value: u8) {
        let value = value & IER_MASK;
        if value & !self.st.ier & IER_ETBEI != 0 {
            self.st.thr_empty_pending = true;
        }
        self.st.ier = value;
    }
}
