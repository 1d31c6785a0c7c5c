//! The MODEM lines: MCR's outputs, MSR's inputs and delta bits, and the
//! loopback wiring between them.

use super::regs::*;
use super::{CharSink, Ser8250};

impl<S: CharSink> Ser8250<S> {
    /// MSR bits 7:4, the MODEM control inputs: a connected terminal, or in
    /// loopback the MCR outputs (DTR to DSR, RTS to CTS, OUT1 to RI, OUT2
    /// to DCD).
    fn modem_inputs(&self) -> u8 {
        if !self.loopback() {
            return MSR_CONNECTED;
        }
        let mcr = self.st.mcr;
        let wire = |output: u8, input: u8| if mcr & output != 0 { input } else { 0 };
        wire(MCR_DTR, MSR_DSR)
            | wire(MCR_RTS, MSR_CTS)
            | wire(MCR_OUT1, MSR_RI)
            | wire(MCR_OUT2, MSR_DCD)
    }

    /// A read of MSR, which clears the delta bits.
    pub(super) fn read_msr(&mut self) -> u8 {
        let msr = self.modem_inputs() | self.st.msr_deltas;
        self.st.msr_deltas = 0;
        msr
    }

    /// A write of MCR: latches the delta bits of the inputs it changed.
    pub(super) fn write_mcr(&mut self, value: u8) {
        let before = self.modem_inputs();
        self.st.mcr = value & MCR_MASK;
        let after = self.modem_inputs();
        let changed = (before ^ after) >> 4;
        let ring_ended = if before & !after & MSR_RI != 0 {
            MSR_TERI
        } else {
            0
        };
        self.st.msr_deltas |= (changed & (MSR_DCTS | MSR_DDSR | MSR_DDCD)) | ring_ended;
    }
}
