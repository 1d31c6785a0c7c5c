//! The AArch64 parts of the VM interface: the register set `vcpu_set_regs`
//! takes, and what the architecture words of an exit record hold.

/// A vCPU's registers as `vcpu_set_regs` takes them.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct VcpuRegs {
    /// x0..x30 (an AArch32 VM's r0..r14 and banked registers in the
    /// AArch64 view: r0..r12 in x0..x12, SP_usr and LR_usr in x13, x14,
    /// the IRQ, SVC, abort and undefined modes' LR and SP in x16..x23,
    /// the FIQ registers in x24..x30; ARM ARM D1.20.1).
    pub x: [u64; 31],
    /// Program counter.
    pub pc: u64,
    /// PSTATE (SPSR format); 0 means EL1h with D, A, I, F masked, or in a
    /// VM with [`crate::VM_FLAG_AARCH32`] Supervisor mode (0x13) in the
    /// A32 instruction set with A, I, F masked.
    pub pstate: u64,
    /// SP_EL1.
    pub sp_el1: u64,
}

/// [`crate::VcpuExit::arch`] on AArch64.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExitDetail {
    /// ESR_EL2 of the exit (for an exception that is not synchronous, the
    /// vector's kind: 2 FIQ, 3 SError, 4..7 from AArch32).
    pub esr: u64,
    /// FAR_EL2: the guest's virtual address of an abort.
    pub far: u64,
}

impl ExitDetail {
    /// Reads the words of an exit record.
    pub fn from_words(words: [u64; crate::EXIT_ARCH_WORDS]) -> ExitDetail {
        ExitDetail {
            esr: words[0],
            far: words[1],
        }
    }

    /// The words of an exit record.
    pub fn to_words(self) -> [u64; crate::EXIT_ARCH_WORDS] {
        [self.esr, self.far]
    }
}
