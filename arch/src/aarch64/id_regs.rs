//! The ID registers a guest sees (ARM ARM D17.2, "ID group 3", trapped with
//! HCR_EL2.TID3): the CPU's own values with the features the hypervisor
//! does not virtualize taken out, so a guest never turns on state the
//! hypervisor would not save (SVE, SME, MTE, pointer authentication, AMU,
//! MPAM, statistical profiling, trace), and for AArch32 guests the
//! AArch32 ID registers of the same group without EL2, EL3, debug and PMU.

use core::arch::asm;

/// ID_AA64PFR0_EL1.SVE, AMU, MPAM fields (bits 35:32, 47:44, 43:40).
const PFR0_HIDDEN: u64 = (0xf << 32) | (0xf << 44) | (0xf << 40);
/// ID_AA64PFR1_EL1.MTE and SME fields (bits 11:8, 27:24).
const PFR1_HIDDEN: u64 = (0xf << 8) | (0xf << 24);
/// ID_AA64ISAR1_EL1 pointer authentication fields APA, API, GPA, GPI
/// (7:4, 11:8, 27:24, 31:28): the keys are not switched, and HCR_EL2.API/APK
/// trap them.
const ISAR1_HIDDEN: u64 = (0xf << 4) | (0xf << 8) | (0xf << 24) | (0xf << 28);
/// ID_AA64ISAR2_EL1 GPA3 and APA3 (11:8, 15:12).
const ISAR2_HIDDEN: u64 = (0xf << 8) | (0xf << 12);
/// ID_AA64DFR0_EL1.PMSVer, TraceBuffer, TraceVer and PMUVer fields (35:32,
/// 47:44, 7:4, 11:8): no SPE, trace or PMU (its registers read as zero,
/// `sysreg.rs`).
const DFR0_HIDDEN: u64 = (0xf << 32) | (0xf << 44) | (0xf << 4) | (0xf << 8);

/// ID_PFR0 (AArch32) AMU field (bits 23:20).
const ID_PFR0_HIDDEN: u64 = 0xf << 20;
/// ID_PFR1 (AArch32) Security, Virtualization, Virt_frac and Sec_frac
/// fields (7:4, 15:12, 23:20, 27:24): an AArch32 guest has neither EL3 nor
/// EL2 to see.
const ID_PFR1_HIDDEN: u64 = (0xf << 4) | (0xf << 12) | (0xf << 20) | (0xf << 24);

/// ID_AA64PFR0_EL1.EL0 and EL1 (bits 3:0, 7:4): 0b0010 where the level can
/// run AArch32 as well as AArch64.
const PFR0_EL0_EL1: u64 = 0xff;
const PFR0_EL0_EL1_AARCH32: u64 = 0x22;

/// Whether this CPU can run a guest's EL1 and EL0 in AArch32.
pub fn aarch32_el1() -> bool {
    guest_value(4, 0) & PFR0_EL0_EL1 == PFR0_EL0_EL1_AARCH32
}

macro_rules! read_id {
    ($crm:expr, $op2:expr, $($c:literal, $o:literal => $name:literal),* $(,)?) => {
        match ($crm, $op2) {
            $(($c, $o) => {
                let v: u64;
                // SAFETY: reading an ID register has no side effects.
                unsafe { asm!(concat!("mrs {0}, ", $name), out(reg) v, options(nomem, nostack)) };
                v
            })*
            // Reserved encodings of the group read as zero.
            _ => 0,
        }
    };
}

/// The value a guest reads from the ID register `op0=3, op1=0, CRn=0,
/// CRm=crm, op2=op2` (CRm 1..=7).
pub fn guest_value(crm: u64, op2: u64) -> u64 {
    let real = read_id!(crm, op2,
        1, 0 => "s3_0_c0_c1_0", 1, 1 => "s3_0_c0_c1_1", 1, 2 => "s3_0_c0_c1_2", 1, 3 => "s3_0_c0_c1_3",
        1, 4 => "s3_0_c0_c1_4", 1, 5 => "s3_0_c0_c1_5", 1, 6 => "s3_0_c0_c1_6", 1, 7 => "s3_0_c0_c1_7",
        2, 0 => "s3_0_c0_c2_0", 2, 1 => "s3_0_c0_c2_1", 2, 2 => "s3_0_c0_c2_2", 2, 3 => "s3_0_c0_c2_3",
        2, 4 => "s3_0_c0_c2_4", 2, 5 => "s3_0_c0_c2_5", 2, 6 => "s3_0_c0_c2_6", 2, 7 => "s3_0_c0_c2_7",
        3, 0 => "s3_0_c0_c3_0", 3, 1 => "s3_0_c0_c3_1", 3, 2 => "s3_0_c0_c3_2", 3, 3 => "s3_0_c0_c3_3",
        3, 4 => "s3_0_c0_c3_4", 3, 5 => "s3_0_c0_c3_5", 3, 6 => "s3_0_c0_c3_6", 3, 7 => "s3_0_c0_c3_7",
        4, 0 => "s3_0_c0_c4_0", 4, 1 => "s3_0_c0_c4_1", 4, 2 => "s3_0_c0_c4_2", 4, 3 => "s3_0_c0_c4_3",
        4, 6 => "s3_0_c0_c4_6", 4, 7 => "s3_0_c0_c4_7",
        5, 0 => "s3_0_c0_c5_0", 5, 1 => "s3_0_c0_c5_1", 5, 2 => "s3_0_c0_c5_2", 5, 3 => "s3_0_c0_c5_3",
        5, 4 => "s3_0_c0_c5_4", 5, 5 => "s3_0_c0_c5_5", 5, 6 => "s3_0_c0_c5_6", 5, 7 => "s3_0_c0_c5_7",
        6, 0 => "s3_0_c0_c6_0", 6, 1 => "s3_0_c0_c6_1", 6, 2 => "s3_0_c0_c6_2", 6, 3 => "s3_0_c0_c6_3",
        6, 4 => "s3_0_c0_c6_4", 6, 5 => "s3_0_c0_c6_5", 6, 6 => "s3_0_c0_c6_6", 6, 7 => "s3_0_c0_c6_7",
        7, 0 => "s3_0_c0_c7_0", 7, 1 => "s3_0_c0_c7_1", 7, 2 => "s3_0_c0_c7_2", 7, 3 => "s3_0_c0_c7_3",
        7, 4 => "s3_0_c0_c7_4", 7, 5 => "s3_0_c0_c7_5", 7, 6 => "s3_0_c0_c7_6", 7, 7 => "s3_0_c0_c7_7",
    );
    match (crm, op2) {
        (1, 0) => real & !ID_PFR0_HIDDEN,
        (1, 1) => real & !ID_PFR1_HIDDEN,
        // ID_DFR0 and ID_DFR1 (AArch32): no debug, trace or PMU to use
        // (their registers read as zero, as from AArch64).
        (1, 2) | (3, 5) => 0,
        (4, 0) => real & !PFR0_HIDDEN,
        (4, 1) => real & !PFR1_HIDDEN,
        // ID_AA64ZFR0_EL1 (SVE) and ID_AA64SMFR0_EL1 (SME): no features.
        (4, 4) | (4, 5) => 0,
        (5, 0) => real & !DFR0_HIDDEN,
        (6, 1) => real & !ISAR1_HIDDEN,
        (6, 2) => real & !ISAR2_HIDDEN,
        _ => real,
    }
}
