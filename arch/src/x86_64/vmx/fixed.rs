//! The CR0 and CR4 bits VMX operation fixes, as the VMX backend runs a
//! guest with them: the processor's value, and the bits the host owns
//! (guest/host masks: a guest write changing one exits, `cr.rs`).

use crate::x86_64::svm::state::{CR0_PE, CR0_PG};

/// The CR0 and CR4 bits VMX operation fixes (IA32_VMX_CR0_FIXED0/1,
/// IA32_VMX_CR4_FIXED0/1; SDM A.7, A.8): a bit set in `*0` must be 1, a
/// bit clear in `*1` must be 0. CR0.PE and CR0.PG are left out of
/// `cr0_fixed0`: unrestricted guest frees them (SDM 27.3.1.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CrFixed {
    pub cr0_fixed0: u64,
    pub cr0_fixed1: u64,
    pub cr4_fixed0: u64,
    pub cr4_fixed1: u64,
}

impl CrFixed {
    /// CR0 as the processor runs it for the guest's `cr0`.
    pub fn cr0(&self, cr0: u64) -> u64 {
        (cr0 | (self.cr0_fixed0 & !(CR0_PE | CR0_PG))) & self.cr0_fixed1
    }

    /// CR4 as the processor runs it for the guest's `cr4`.
    pub fn cr4(&self, cr4: u64) -> u64 {
        (cr4 | self.cr4_fixed0) & self.cr4_fixed1
    }

    /// The CR0 bits the host owns (guest/host mask): those VMX fixes.
    pub fn cr0_mask(&self) -> u64 {
        ((self.cr0_fixed0 & !(CR0_PE | CR0_PG)) | !self.cr0_fixed1) & 0xFFFF_FFFF
    }

    /// The CR4 bits the host owns: those VMX fixes (VMXE among them).
    pub fn cr4_mask(&self) -> u64 {
        self.cr4_fixed0 | !self.cr4_fixed1
    }
}
