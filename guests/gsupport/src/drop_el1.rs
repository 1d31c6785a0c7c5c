//! From the exception level a board starts a guest at to Non-secure EL1
//! (`gs_drop_to_el1`, called by the boot CPU and every secondary CPU with
//! the MMU off, before anything else): from EL3 through EL2 (or straight
//! to EL1 without EL2), from EL2 to EL1, or nothing at EL1. What each
//! level must set for the next is in the Arm ARM (DDI 0487), D1 and the
//! registers' descriptions; the names below are its field names.

core::arch::global_asm!(
    r#"
.section .text
// At EL3 (boot code that leaves us there; QEMU 10 enters an arm64 Image
// at EL2 even on raspi4b, an ELF at EL3 with secure=on): no traps to EL3,
// the guest's monitor (el3.rs) on VBAR_EL3, the GICv3 system registers
// (if any) open to the levels below, which become Non-secure AArch64;
// then on to EL2 (below) or, without EL2, straight to EL1.
// At EL2 (a board started us there, as QEMU does with virtualization=on,
// or EL3 above): give EL1 the counter, the timer and the GICv3 system
// registers, and return to the caller at EL1h with DAIF masked. At EL1:
// just return. Clobbers x3.
.global gs_drop_to_el1
gs_drop_to_el1:
    mrs     x3, CurrentEL
    cmp     x3, #(3 << 2)
    b.ne    1f
    msr     cptr_el3, xzr       // no FP/SIMD, trace or AMU traps
    msr     mdcr_el3, xzr       // no debug or PMU traps
    adr     x3, gs_el3_vectors
    msr     vbar_el3, x3
    mrs     x3, id_aa64pfr0_el1
    ubfx    x3, x3, #24, #4     // GIC system register interface?
    cbz     x3, 3f
    mov     x3, #{icc_sre_el3}
    msr     s3_6_c12_c12_5, x3  // ICC_SRE_EL3
    isb
3:  mov     x3, #{scr_el3}
    msr     scr_el3, x3
    mrs     x3, id_aa64pfr0_el1
    ubfx    x3, x3, #8, #4      // EL2 implemented?
    cbz     x3, 4f
    mov     x3, #{spsr_el2h}
    msr     spsr_el3, x3
    adr     x3, 1f
    msr     elr_el3, x3
    eret                        // to 1: at EL2
4:  mov     x3, #{spsr_el1h}
    msr     spsr_el3, x3
    msr     elr_el3, x30
    eret                        // back to the caller at EL1
1:  mrs     x3, CurrentEL
    cmp     x3, #(2 << 2)
    b.ne    2f
    mov     x3, #{hcr_el2}
    msr     hcr_el2, x3
    mov     x3, #{cnthctl_el2}
    msr     cnthctl_el2, x3
    msr     cntvoff_el2, xzr
    mov     x3, #{cptr_el2}
    msr     cptr_el2, x3
    mrs     x3, midr_el1
    msr     vpidr_el2, x3
    mrs     x3, mpidr_el1
    msr     vmpidr_el2, x3
    mrs     x3, id_aa64pfr0_el1
    ubfx    x3, x3, #24, #4     // GIC system register interface?
    cbz     x3, 5f
    mrs     x3, s3_4_c12_c9_5   // ICC_SRE_EL2
    orr     x3, x3, #{icc_sre_el2_sre}
    orr     x3, x3, #{icc_sre_el2_enable}
    msr     s3_4_c12_c9_5, x3
    isb
5:  mov     x3, #{spsr_el1h}
    msr     spsr_el2, x3
    msr     elr_el2, x30
    eret
2:  ret
"#,
    icc_sre_el3 = const ICC_SRE_EL3_SRE | ICC_SRE_EL3_DFB | ICC_SRE_EL3_DIB | ICC_SRE_EL3_ENABLE,
    scr_el3 = const SCR_EL3_NS | SCR_EL3_RES1 | SCR_EL3_RW,
    spsr_el2h = const SPSR_DAIF | SPSR_M_EL2H,
    spsr_el1h = const SPSR_DAIF | SPSR_M_EL1H,
    hcr_el2 = const HCR_EL2_RW,
    cnthctl_el2 = const CNTHCTL_EL2_EL1PCTEN | CNTHCTL_EL2_EL1PCEN,
    cptr_el2 = const CPTR_EL2_RES1,
    icc_sre_el2_sre = const ICC_SRE_EL2_SRE,
    icc_sre_el2_enable = const ICC_SRE_EL2_ENABLE,
);

// The system register bits the drop to EL1 sets (Arm ARM, DDI 0487).
/// SCR_EL3.NS: the levels below EL3 are Non-secure.
const SCR_EL3_NS: u64 = 1 << 0;
/// SCR_EL3 bits 5:4, RES1.
const SCR_EL3_RES1: u64 = 0b11 << 4;
/// SCR_EL3.RW: the next lower level is AArch64. SMD stays 0 (SMC goes to
/// the guest's monitor, `el3.rs`) and HCE 0 (HVC is undefined: nothing
/// at EL2 would answer it).
const SCR_EL3_RW: u64 = 1 << 10;
/// ICC_SRE_EL3.SRE, .DFB, .DIB, .Enable: the GICv3 system registers at
/// EL3, FIQ and IRQ bypass off, and the lower levels may use them too.
const ICC_SRE_EL3_SRE: u64 = 1 << 0;
const ICC_SRE_EL3_DFB: u64 = 1 << 1;
const ICC_SRE_EL3_DIB: u64 = 1 << 2;
const ICC_SRE_EL3_ENABLE: u64 = 1 << 3;
/// SPSR_ELx.{D,A,I,F}: every exception masked after the ERET.
const SPSR_DAIF: u64 = 0xf << 6;
/// SPSR_ELx.M: return to EL2h or EL1h (AArch64, SP_ELx).
const SPSR_M_EL2H: u64 = 0b1001;
const SPSR_M_EL1H: u64 = 0b0101;
/// HCR_EL2.RW: EL1 is AArch64; nothing else set, so nothing is trapped.
const HCR_EL2_RW: u64 = 1 << 31;
/// CNTHCTL_EL2.EL1PCTEN, .EL1PCEN: EL1 may read the physical counter and
/// use the physical timer.
const CNTHCTL_EL2_EL1PCTEN: u64 = 1 << 0;
const CNTHCTL_EL2_EL1PCEN: u64 = 1 << 1;
/// CPTR_EL2's RES1 bits (13:12, 9:0) with no trap bit set.
const CPTR_EL2_RES1: u64 = 0x33ff;
/// ICC_SRE_EL2.SRE, .Enable: the GICv3 system registers at EL2, and EL1
/// may use them too.
const ICC_SRE_EL2_SRE: u64 = 1 << 0;
const ICC_SRE_EL2_ENABLE: u64 = 1 << 3;
