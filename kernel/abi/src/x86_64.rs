//! The x86-64 parts of the VM interface: the register set `vcpu_set_regs`
//! takes, and what the architecture words of an exit record hold.

/// A vCPU's registers as `vcpu_set_regs` takes them.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct VcpuRegs {
    /// RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15 (the encoding's
    /// register numbers).
    pub gpr: [u64; 16],
    /// RIP.
    pub rip: u64,
    /// RFLAGS (bit 1 is always set).
    pub rflags: u64,
    /// CR0, CR3, CR4 and EFER: together they say real, protected or long
    /// mode and paging.
    pub cr0: u64,
    pub cr3: u64,
    pub cr4: u64,
    pub efer: u64,
    /// CS, SS, DS, ES, FS, GS as flat segments: a base each, and whether
    /// CS is 64-bit code (else 32-bit).
    pub segment_base: [u64; 6],
    pub code64: u64,
}

/// [`crate::VcpuExit::arch`] on x86-64.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExitDetail {
    /// The exit reason (VMX basic exit reason; SVM EXITCODE).
    pub reason: u64,
    /// The qualification (VMX exit qualification; SVM EXITINFO1).
    pub qualification: u64,
}

impl ExitDetail {
    /// Reads the words of an exit record.
    pub fn from_words(words: [u64; crate::EXIT_ARCH_WORDS]) -> ExitDetail {
        ExitDetail {
            reason: words[0],
            qualification: words[1],
        }
    }

    /// The words of an exit record.
    pub fn to_words(self) -> [u64; crate::EXIT_ARCH_WORDS] {
        [self.reason, self.qualification]
    }
}
