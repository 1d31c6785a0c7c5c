//! x86 guests: the answer to a hypercall nobody handles, and the exit's
//! reason and qualification in messages, and the machine of core dumps.

use abi::VcpuExit;
use abi::x86_64::ExitDetail;
use core::fmt;

/// An unknown hypercall returns -1 in RAX (as KVM's `-KVM_ENOSYS` does,
/// a negative value no call succeeds with).
pub const UNKNOWN_HYPERCALL: [u64; 4] = [u64::MAX, 0, 0, 0];

/// An exit's reason and qualification as messages show them.
pub struct Syndrome(ExitDetail);

impl fmt::Display for Syndrome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exit reason {:#x}, qualification {:#x}",
            self.0.reason, self.0.qualification
        )
    }
}

/// The reason and qualification of `exit`.
pub fn syndrome(exit: &VcpuExit) -> Syndrome {
    Syndrome(ExitDetail::from_words(exit.arch))
}

/// The machine of this guest's core dumps (`dump DIR`), whatever its
/// image's format.
pub fn dump_machine(_image: crate::loader::Format) -> crate::dump::Machine {
    crate::dump::Machine::X86_64
}

/// A vCPU's registers as its core dump's `NT_PRSTATUS` holds them (the
/// machine is always x86-64 here).
pub fn dump_regs(
    _machine: crate::dump::Machine,
    regs: &abi::x86_64::VcpuRegs,
) -> alloc::vec::Vec<u64> {
    crate::dump::regs::x86_64(regs)
}
