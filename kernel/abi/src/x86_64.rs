//! The x86-64 parts of the VM interface: the register set `vcpu_set_regs`
//! takes, what the architecture words of an exit record hold, and the
//! ACPI PM timer the kernel can answer reads of (`VmConfig::pm_timer_port`).

/// The ACPI PM timer's rate (ACPI 6.4 §4.8.3.3, "Power Management Timer":
/// 3.579545 MHz).
pub const PM_TIMER_HZ: u64 = 3_579_545;

/// The PM timer's 32-bit count (the FADT's TMR_VAL_EXT) at `clock_ns`
/// nanoseconds of the host clock (`clock`): counting from 0 at the host's
/// boot, wrapping. The kernel's answer and a VMM's model of the PM1
/// block (its TMR_STS toggles) agree by both using this.
pub fn pm_timer_count(clock_ns: u64) -> u32 {
    (u128::from(clock_ns) * u128::from(PM_TIMER_HZ) / 1_000_000_000) as u32
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pm_timer_counts_at_its_rate_and_wraps_at_32_bits() {
        assert_eq!(pm_timer_count(0), 0);
        assert_eq!(pm_timer_count(1_000_000_000), 3_579_545);
        assert_eq!(pm_timer_count(279), 0);
        assert_eq!(pm_timer_count(280), 1);
        // 2^32 counts take about 1200 s.
        let wrap_ns = (1u128 << 32) * 1_000_000_000 / u128::from(PM_TIMER_HZ);
        assert_eq!(pm_timer_count(wrap_ns as u64 + 1_000_000_000), 3_579_544);
        assert_eq!(
            pm_timer_count(u64::MAX),
            (u128::from(u64::MAX) * 3_579_545 / 1_000_000_000) as u32
        );
    }
}
