//! The MSR numbers (Intel SDM Vol. 4, chapter 2, "Architectural MSRs";
//! AMD APM Vol. 2, appendix A), shared by the policy ([`super::classify`])
//! and the per-vCPU storage ([`super::store`]).

pub const IA32_TSC: u32 = 0x10;
pub const IA32_PLATFORM_ID: u32 = 0x17;
pub const IA32_APIC_BASE: u32 = 0x1B;
pub const IA32_FEATURE_CONTROL: u32 = 0x3A;
pub const IA32_SPEC_CTRL: u32 = 0x48;
pub const IA32_PRED_CMD: u32 = 0x49;
pub const IA32_BIOS_SIGN_ID: u32 = 0x8B;
pub const MSR_PLATFORM_INFO: u32 = 0xCE;
pub const IA32_MTRRCAP: u32 = 0xFE;
pub const IA32_ARCH_CAPABILITIES: u32 = 0x10A;
pub const IA32_SYSENTER_CS: u32 = 0x174;
pub const IA32_SYSENTER_ESP: u32 = 0x175;
pub const IA32_SYSENTER_EIP: u32 = 0x176;
pub const IA32_MISC_ENABLE: u32 = 0x1A0;
/// IA32_MTRR_PHYSBASE0; PHYSBASEn is `+ 2n`, PHYSMASKn `+ 2n + 1`.
pub const IA32_MTRR_PHYSBASE0: u32 = 0x200;
/// The variable ranges offered ([`store::MTRRCAP_VALUE`] VCNT).
pub const MTRR_VARIABLE_RANGES: u32 = 8;
pub const IA32_MTRR_FIX64K_00000: u32 = 0x250;
pub const IA32_MTRR_FIX16K_80000: u32 = 0x258;
pub const IA32_MTRR_FIX16K_A0000: u32 = 0x259;
pub const IA32_MTRR_FIX4K_C0000: u32 = 0x268;
pub const IA32_MTRR_FIX4K_F8000: u32 = 0x26F;
pub const IA32_PAT: u32 = 0x277;
pub const IA32_MTRR_DEF_TYPE: u32 = 0x2FF;
pub const IA32_TSC_DEADLINE: u32 = 0x6E0;
/// The x2APIC register range (IA32_X2APIC_APICID 0x802 to
/// IA32_X2APIC_SELF_IPI 0x83F and reserved space up to 0x8FF).
pub const X2APIC_FIRST: u32 = 0x800;
pub const X2APIC_LAST: u32 = 0x8FF;
pub const IA32_EFER: u32 = 0xC000_0080;
pub const IA32_STAR: u32 = 0xC000_0081;
pub const IA32_LSTAR: u32 = 0xC000_0082;
/// AMD's compatibility-mode SYSCALL target; Intel has it too, unused.
pub const IA32_CSTAR: u32 = 0xC000_0083;
pub const IA32_FMASK: u32 = 0xC000_0084;
pub const IA32_FS_BASE: u32 = 0xC000_0100;
pub const IA32_GS_BASE: u32 = 0xC000_0101;
pub const IA32_KERNEL_GS_BASE: u32 = 0xC000_0102;
pub const IA32_TSC_AUX: u32 = 0xC000_0103;
/// AMD MSRC001_0010, System Configuration (SYSCFG; APM Vol. 2, 7.9.1
/// "System-Configuration Register"): its MTRR extensions read as off.
pub const MSR_K8_SYSCFG: u32 = 0xC001_0010;
/// AMD MSRC001_0015, Hardware Configuration (APM Vol. 2, A.7).
pub const MSR_K7_HWCR: u32 = 0xC001_0015;
/// AMD MSRC001_001F, Northbridge Configuration (NB_CFG; family 10h-15h
/// BKDGs): Linux sets its EnableCf8ExtCfg bit (extended PCI configuration
/// through 0xCF8) on AMD CPUs without checking; a VM has no northbridge.
pub const MSR_AMD64_NB_CFG: u32 = 0xC001_001F;

/// The fixed-range MTRRs in order: FIX64K_00000, FIX16K_80000 and
/// FIX16K_A0000, FIX4K_C0000 to FIX4K_F8000.
pub fn fixed_mtrr_index(msr: u32) -> Option<usize> {
    match msr {
        IA32_MTRR_FIX64K_00000 => Some(0),
        IA32_MTRR_FIX16K_80000 => Some(1),
        IA32_MTRR_FIX16K_A0000 => Some(2),
        IA32_MTRR_FIX4K_C0000..=IA32_MTRR_FIX4K_F8000 => {
            Some(3 + (msr - IA32_MTRR_FIX4K_C0000) as usize)
        }
        _ => None,
    }
}
