//! AArch64 guests: SMCCC's answer to an unknown call, and the exit
//! syndrome (ESR_EL2) in messages.

use abi::VcpuExit;
use abi::aarch64::ExitDetail;
use core::fmt;

/// SMCCC: unknown function (-1), in x0.
pub const UNKNOWN_HYPERCALL: [u64; 4] = [u64::MAX, 0, 0, 0];

/// An exit's syndrome as messages show it.
pub struct Syndrome(ExitDetail);

impl fmt::Display for Syndrome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ESR {:#x}", self.0.esr)
    }
}

/// The syndrome of `exit`.
pub fn syndrome(exit: &VcpuExit) -> Syndrome {
    Syndrome(ExitDetail::from_words(exit.arch))
}
