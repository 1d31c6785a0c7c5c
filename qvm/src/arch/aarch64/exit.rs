//! AArch64 guests: SMCCC's answer to an unknown call, the exit
//! syndrome (ESR_EL2) in messages, and the machine of core dumps.

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

/// The machine of this guest's core dumps (`dump DIR`).
pub const DUMP_MACHINE: crate::dump::Machine = crate::dump::Machine::Aarch64;

/// A vCPU's registers as its core dump's `NT_PRSTATUS` holds them.
pub fn dump_regs(regs: &abi::aarch64::VcpuRegs) -> alloc::vec::Vec<u64> {
    crate::dump::regs::aarch64(regs)
}
