//! AArch64 guests: SMCCC's answer to an unknown call, the exit
//! syndrome (ESR_EL2) in messages, and the machine of core dumps (an
//! AArch32 VM's are 32-bit ARM ones).

use abi::VcpuExit;
use abi::aarch64::ExitDetail;
use core::fmt;

use crate::dump::Machine;

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

/// The machine of this guest's core dumps (`dump DIR`): 32-bit ARM (an
/// ELF32 core) for an AArch32 VM, the one an image of `image` format
/// makes; else AArch64.
pub fn dump_machine(image: crate::loader::Format) -> Machine {
    if super::aarch32::is_aarch32(image) {
        Machine::Arm
    } else {
        Machine::Aarch64
    }
}

/// A vCPU's registers as a core of `machine` holds them in `NT_PRSTATUS`.
pub fn dump_regs(machine: Machine, regs: &abi::aarch64::VcpuRegs) -> alloc::vec::Vec<u64> {
    match machine {
        Machine::Arm => crate::dump::regs::arm(regs),
        _ => crate::dump::regs::aarch64(regs),
    }
}
