//! Which guest RDMSR and WRMSR the kernel answers, and how (Intel SDM Vol.
//! 4, "Model-Specific Registers", chapter 2, "Architectural MSRs"; AMD APM
//! Vol. 2, appendix A "MSR Cross-Reference"). An allow-list: [`classify`]
//! names every MSR a guest may touch and gives the rest to the VM's
//! `unsupported` policy ([`MsrAction::Unsupported`]: inject #GP as
//! hardware does for an MSR it lacks, ignore, or end the VM).
//!
//! Emulated MSRs are plain per-vCPU storage ([`store::MsrStore`], which
//! checks reserved bits as WRMSR does), the virtual LAPIC (x2APIC
//! registers, TSC deadline), the guest TSC (an offset) and IBPB (an
//! action). Only the MSRs whose CPUID feature [`super::cpuid`] shows are
//! here: MCE/MCA, performance monitoring, TSC_ADJUST, XSS, PKRS, CET,
//! debug store and power management are hidden there and `Unsupported`
//! here.
//!
//! A few MSRs that Linux reads on every boot whatever CPUID says, with the
//! fault-tolerant `rdmsr_safe` or not, read as zero rather than going to
//! the policy, so a VM whose policy ends it on an unsupported access still
//! boots: the microcode signature (written 0 before CPUID, then read), the
//! platform ID and platform info (ratios; 0 means "unknown" to Linux), and
//! AMD's HWCR (Linux only warns if its TSC bit is clear). Writes to
//! MISC_ENABLE and to the microcode signature are dropped: Linux clears
//! MISC_ENABLE bits with `wrmsr_safe` and reads back.

mod numbers;
pub mod store;

pub use numbers::*;
pub use store::{Fault, MsrConfig, MsrStore};

/// Who answers an emulated MSR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Emulator {
    /// [`MsrStore::read`] and [`MsrStore::write`]. The backend loads the
    /// ones the processor uses (EFER, the SYSCALL and segment-base MSRs,
    /// PAT, SPEC_CTRL, TSC_AUX) into the VMCS or VMCB or the CPU on entry.
    Store,
    /// The virtual LAPIC: IA32_APIC_BASE, the x2APIC registers and
    /// IA32_TSC_DEADLINE (the kernel's, `kernel::vapic`).
    Lapic,
    /// The guest's TSC, the host's plus a per-vCPU offset: a read adds it,
    /// a write sets it.
    Tsc,
    /// A write to IA32_PRED_CMD: the kernel issues IBPB if bit 0 is set,
    /// #GP for any other bit.
    Ibpb,
}

/// What to do with one guest RDMSR or WRMSR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MsrAction {
    Emulate(Emulator),
    /// A read returns 0.
    ReadZero,
    /// A write is dropped.
    Ignore,
    /// The VM's `unsupported register` policy decides.
    Unsupported,
}

/// What the guest's RDMSR (`write` false) or WRMSR (`write` true) of
/// `msr` does.
pub fn classify(msr: u32, write: bool) -> MsrAction {
    use Emulator::*;
    use MsrAction::*;
    let var_last = IA32_MTRR_PHYSBASE0 + 2 * MTRR_VARIABLE_RANGES - 1;
    match (msr, write) {
        (X2APIC_FIRST..=X2APIC_LAST | IA32_TSC_DEADLINE | IA32_APIC_BASE, _) => Emulate(Lapic),
        (IA32_TSC, _) => Emulate(Tsc),
        (IA32_PRED_CMD, true) => Emulate(Ibpb),
        (
            IA32_SPEC_CTRL
            | IA32_SYSENTER_CS..=IA32_SYSENTER_EIP
            | IA32_PAT
            | IA32_MTRR_DEF_TYPE
            | IA32_EFER..=IA32_FMASK
            | IA32_FS_BASE..=IA32_TSC_AUX,
            _,
        ) => Emulate(Store),
        (m, _) if fixed_mtrr_index(m).is_some() => Emulate(Store),
        (m, _) if (IA32_MTRR_PHYSBASE0..=var_last).contains(&m) => Emulate(Store),
        // Read-only: WRMSR to them faults on hardware.
        (IA32_MTRRCAP | IA32_ARCH_CAPABILITIES | IA32_FEATURE_CONTROL, false) => Emulate(Store),
        (IA32_MISC_ENABLE, false) => Emulate(Store),
        (IA32_MISC_ENABLE, true) => Ignore,
        // Configuration a VM does not have: Linux reads and writes these on
        // AMD CPUs without a fault handler (as KVM, they read 0 and take
        // any write).
        (IA32_BIOS_SIGN_ID | MSR_K7_HWCR | MSR_K8_SYSCFG | MSR_AMD64_NB_CFG, true) => Ignore,
        (
            IA32_BIOS_SIGN_ID | MSR_K7_HWCR | MSR_K8_SYSCFG | MSR_AMD64_NB_CFG | IA32_PLATFORM_ID
            | MSR_PLATFORM_INFO,
            false,
        ) => ReadZero,
        _ => Unsupported,
    }
}

#[cfg(test)]
mod tests;
