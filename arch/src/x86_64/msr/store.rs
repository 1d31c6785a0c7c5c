//! The per-vCPU storage behind [`super::Emulator::Store`]: values the
//! guest writes and reads back, checked as WRMSR checks them (Intel SDM
//! Vol. 2B "WRMSR": #GP(0) for reserved bits and for a non-canonical
//! address in IA32_FS_BASE, IA32_GS_BASE, IA32_KERNEL_GS_BASE, IA32_LSTAR,
//! IA32_SYSENTER_EIP and IA32_SYSENTER_ESP; IA32_CSTAR is not in that
//! list and takes any value). Field layouts: SDM Vol. 3A 11.11 (MTRRs),
//! 11.12.2 (PAT), and Vol. 4 Table 2-2 (EFER, SPEC_CTRL, FMASK, TSC_AUX).
//! IA32_APIC_BASE belongs to the local APIC model (`kernel::vlapic`).
//! Canonical means 48-bit: CPUID hides LA57.

use super::numbers::*;

/// WRMSR's #GP(0), or RDMSR of an MSR the store does not hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault;

pub const EFER_SCE: u64 = 1 << 0;
pub const EFER_LME: u64 = 1 << 8;
pub const EFER_LMA: u64 = 1 << 10;
pub const EFER_NXE: u64 = 1 << 11;
/// Power-up PAT: WB, WT, UC-, UC, repeated.
pub const PAT_DEFAULT: u64 = 0x0007_0406_0007_0406;
/// IA32_MTRRCAP: VCNT = 8 variable ranges, FIX and WC; no SMRR.
pub const MTRRCAP_VALUE: u64 = MTRR_VARIABLE_RANGES as u64 | 1 << 8 | 1 << 10;
pub const MTRR_DEF_TYPE_FE: u64 = 1 << 10;
pub const MTRR_DEF_TYPE_E: u64 = 1 << 11;
pub const MTRR_PHYSMASK_VALID: u64 = 1 << 11;
/// IA32_MISC_ENABLE as read: fast strings on, BTS and PEBS unavailable.
pub const MISC_ENABLE_VALUE: u64 = 1 << 0 | 1 << 11 | 1 << 12;
/// IA32_FEATURE_CONTROL as read: locked with VMX and SGX off, so Linux
/// neither tries to write it nor expects VMX.
pub const FEATURE_CONTROL_LOCK: u64 = 1 << 0;
/// IA32_SPEC_CTRL: IBRS, STIBP and SSBD; the rest reserved here.
pub const SPEC_CTRL_VALID: u64 = 0b111;
/// The "not affected" bits of IA32_ARCH_CAPABILITIES a guest may see:
/// RDCL_NO, SSB_NO, MDS_NO, IF_PSCHANGE_MC_NO, TAA_NO, SBDR_SSDP_NO,
/// FBSDP_NO, PSDP_NO, FB_CLEAR, BHI_NO, PBRSB_NO, GDS_NO, RFDS_NO. They
/// describe the silicon, which the guest runs on unchanged.
pub const ARCH_CAPABILITIES_KEEP: u64 = 1 << 0
    | 1 << 4
    | 1 << 5
    | 1 << 6
    | 1 << 8
    | 1 << 13
    | 1 << 14
    | 1 << 15
    | 1 << 17
    | 1 << 20
    | 1 << 24
    | 1 << 26
    | 1 << 27;

/// What a vCPU's store starts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsrConfig {
    /// Guest-physical address width (CPUID 0x8000_0008 EAX bits 7:0).
    pub phys_bits: u8,
    /// The host's IA32_ARCH_CAPABILITIES (0 if absent); masked here.
    pub host_arch_capabilities: u64,
}

/// The emulated plain-storage MSRs of one vCPU, one slot each
/// ([`slot`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsrStore {
    config: MsrConfig,
    values: [u64; SLOTS],
}

const EFER_SLOT: usize = 0;
const PAT_SLOT: usize = 12;
const FIXED: usize = 15;
const VARIABLE: usize = FIXED + 11;
const SLOTS: usize = VARIABLE + 2 * MTRR_VARIABLE_RANGES as usize;

/// Where `msr` lives in a [`MsrStore`], if it does.
pub fn slot(msr: u32) -> Option<usize> {
    let var = msr.wrapping_sub(IA32_MTRR_PHYSBASE0) as usize;
    Some(match msr {
        IA32_EFER..=IA32_FMASK => EFER_SLOT + (msr - IA32_EFER) as usize,
        IA32_FS_BASE..=IA32_TSC_AUX => 5 + (msr - IA32_FS_BASE) as usize,
        IA32_SYSENTER_CS..=IA32_SYSENTER_EIP => 9 + (msr - IA32_SYSENTER_CS) as usize,
        IA32_PAT => PAT_SLOT,
        IA32_SPEC_CTRL => 13,
        IA32_MTRR_DEF_TYPE => 14,
        _ if var < 2 * MTRR_VARIABLE_RANGES as usize => VARIABLE + var,
        _ => FIXED + fixed_mtrr_index(msr)?,
    })
}

fn canonical(v: u64) -> bool {
    ((v << 16) as i64 >> 16) as u64 == v
}

/// UC, WC, WT, WP, WB (SDM Table 11-8); PAT adds UC- (7).
fn mtrr_type(t: u64) -> bool {
    matches!(t, 0 | 1 | 4 | 5 | 6)
}

fn pat_type(t: u64) -> bool {
    mtrr_type(t) || t == 7
}

fn bytes_ok(v: u64, ok: fn(u64) -> bool) -> bool {
    (0..8).all(|i| ok((v >> (8 * i)) & 0xFF))
}

fn check(ok: bool) -> Result<(), Fault> {
    if ok { Ok(()) } else { Err(Fault) }
}

impl MsrStore {
    /// The power-up values (SDM Vol. 3A Table 9-1): PAT at its default,
    /// EFER and the MTRRs clear. (IA32_APIC_BASE is the local APIC
    /// model's, in the kernel.)
    pub fn new(config: MsrConfig) -> Self {
        let mut values = [0; SLOTS];
        values[PAT_SLOT] = PAT_DEFAULT;
        MsrStore { config, values }
    }

    /// Bits at and above the guest-physical width.
    fn above_phys(&self) -> u64 {
        !0u64 << self.config.phys_bits.min(63)
    }

    /// RDMSR.
    pub fn read(&self, msr: u32) -> Result<u64, Fault> {
        match msr {
            IA32_MTRRCAP => Ok(MTRRCAP_VALUE),
            IA32_MISC_ENABLE => Ok(MISC_ENABLE_VALUE),
            IA32_FEATURE_CONTROL => Ok(FEATURE_CONTROL_LOCK),
            IA32_ARCH_CAPABILITIES => {
                Ok(self.config.host_arch_capabilities & ARCH_CAPABILITIES_KEEP)
            }
            _ => slot(msr).map(|i| self.values[i]).ok_or(Fault),
        }
    }

    /// WRMSR: stores `value`, or #GP(0) and nothing changes.
    pub fn write(&mut self, msr: u32, value: u64) -> Result<(), Fault> {
        let above_phys = self.above_phys();
        let high32 = value >> 32 != 0;
        match msr {
            IA32_EFER => {
                check(value & !(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE) == 0)?;
                // LMA is the processor's to set: a write leaves it. A change
                // of LME while CR0.PG is set faults too: the backend checks.
                self.values[EFER_SLOT] = (value & !EFER_LMA) | (self.values[EFER_SLOT] & EFER_LMA);
                return Ok(());
            }
            IA32_FS_BASE | IA32_GS_BASE | IA32_KERNEL_GS_BASE | IA32_LSTAR => {
                check(canonical(value))?
            }
            IA32_SYSENTER_ESP | IA32_SYSENTER_EIP => check(canonical(value))?,
            IA32_FMASK | IA32_TSC_AUX => check(!high32)?,
            IA32_PAT => check(bytes_ok(value, pat_type))?,
            IA32_SPEC_CTRL => check(value & !SPEC_CTRL_VALID == 0)?,
            IA32_MTRR_DEF_TYPE => check(
                mtrr_type(value & 0xFF)
                    && value & !(0xFF | MTRR_DEF_TYPE_FE | MTRR_DEF_TYPE_E) == 0,
            )?,
            _ if fixed_mtrr_index(msr).is_some() => check(bytes_ok(value, mtrr_type))?,
            _ if msr.wrapping_sub(IA32_MTRR_PHYSBASE0) < 2 * MTRR_VARIABLE_RANGES => {
                let reserved = if msr & 1 == 0 {
                    check(mtrr_type(value & 0xFF))?;
                    0xF00 | above_phys
                } else {
                    0x7FF | above_phys
                };
                check(value & reserved == 0)?
            }
            _ => {}
        }
        self.values[slot(msr).ok_or(Fault)?] = value;
        Ok(())
    }

    /// The guest's physical address width this store checks against.
    pub fn phys_bits(&self) -> u8 {
        self.config.phys_bits
    }

    /// EFER.LMA, which the backend sets as the guest enters or leaves long
    /// mode (CR0.PG with EFER.LME).
    pub fn set_lma(&mut self, on: bool) {
        self.values[EFER_SLOT] =
            (self.values[EFER_SLOT] & !EFER_LMA) | if on { EFER_LMA } else { 0 };
    }
}
