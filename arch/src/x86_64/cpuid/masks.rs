//! The allow-list: which host feature bits reach the guest, per register,
//! and which need switched state ([`super::SwitchedState`]). Each bit's
//! reason is in [`super`]'s doc; the bit names are in [`super::bits`].

use super::bits::*;

pub const LEAF1_ECX_KEEP: u32 = leaf1_ecx::SSE3
    | leaf1_ecx::PCLMULQDQ
    | leaf1_ecx::SSSE3
    | leaf1_ecx::CMPXCHG16B
    | leaf1_ecx::PCID
    | leaf1_ecx::SSE4_1
    | leaf1_ecx::SSE4_2
    | leaf1_ecx::MOVBE
    | leaf1_ecx::POPCNT
    | leaf1_ecx::AESNI
    | leaf1_ecx::RDRAND;
pub const LEAF1_ECX_AVX: u32 = leaf1_ecx::AVX | leaf1_ecx::FMA | leaf1_ecx::F16C;
/// MCE and MCA, PSN, DS, ACPI, TM and PBE stay hidden; APIC is forced on.
pub const LEAF1_EDX_KEEP: u32 = leaf1_edx::FPU
    | leaf1_edx::VME
    | leaf1_edx::DE
    | leaf1_edx::PSE
    | leaf1_edx::TSC
    | leaf1_edx::MSR
    | leaf1_edx::PAE
    | leaf1_edx::CX8
    | leaf1_edx::SEP
    | leaf1_edx::MTRR
    | leaf1_edx::PGE
    | leaf1_edx::CMOV
    | leaf1_edx::PAT
    | leaf1_edx::PSE_36
    | leaf1_edx::CLFSH
    | leaf1_edx::MMX
    | leaf1_edx::FXSR
    | leaf1_edx::SSE
    | leaf1_edx::SSE2
    | leaf1_edx::SS;
pub const LEAF7_EBX_KEEP: u32 = leaf7_ebx::FSGSBASE
    | leaf7_ebx::BMI1
    | leaf7_ebx::FDP_EXCPTN_ONLY
    | leaf7_ebx::SMEP
    | leaf7_ebx::BMI2
    | leaf7_ebx::ERMS
    | leaf7_ebx::FPU_CS_DS_DEPRECATED
    | leaf7_ebx::RDSEED
    | leaf7_ebx::ADX
    | leaf7_ebx::SMAP
    | leaf7_ebx::CLFLUSHOPT
    | leaf7_ebx::CLWB
    | leaf7_ebx::SHA;
pub const LEAF7_EBX_AVX512: u32 = leaf7_ebx::AVX512F
    | leaf7_ebx::AVX512DQ
    | leaf7_ebx::AVX512_IFMA
    | leaf7_ebx::AVX512PF
    | leaf7_ebx::AVX512ER
    | leaf7_ebx::AVX512CD
    | leaf7_ebx::AVX512BW
    | leaf7_ebx::AVX512VL;
pub const LEAF7_ECX_KEEP: u32 = leaf7_ecx::PREFETCHWT1
    | leaf7_ecx::UMIP
    | leaf7_ecx::GFNI
    | leaf7_ecx::CLDEMOTE
    | leaf7_ecx::MOVDIRI
    | leaf7_ecx::MOVDIR64B;
pub const LEAF7_ECX_AVX: u32 = leaf7_ecx::VAES | leaf7_ecx::VPCLMULQDQ;
pub const LEAF7_ECX_AVX512: u32 = leaf7_ecx::AVX512_VBMI
    | leaf7_ecx::AVX512_VBMI2
    | leaf7_ecx::AVX512_VNNI
    | leaf7_ecx::AVX512_BITALG
    | leaf7_ecx::AVX512_VPOPCNTDQ;
pub const LEAF7_EDX_KEEP: u32 =
    leaf7_edx::FAST_SHORT_REP_MOV | leaf7_edx::MD_CLEAR | leaf7_edx::SERIALIZE;
pub const LEAF7_EDX_AVX512: u32 = leaf7_edx::AVX512_4VNNIW
    | leaf7_edx::AVX512_4FMAPS
    | leaf7_edx::AVX512_VP2INTERSECT
    | leaf7_edx::AVX512_FP16;
pub const LEAF7_EDX_SPEC: u32 = leaf7_edx::IBRS_IBPB | leaf7_edx::STIBP | leaf7_edx::SSBD;
pub const EXT1_ECX_KEEP: u32 = ext1_ecx::LAHF_SAHF
    | ext1_ecx::ALT_MOV_CR8
    | ext1_ecx::ABM
    | ext1_ecx::SSE4A
    | ext1_ecx::MISALIGN_SSE
    | ext1_ecx::PREFETCHW
    | ext1_ecx::TBM;
pub const EXT1_ECX_AVX: u32 = ext1_ecx::XOP | ext1_ecx::FMA4;
/// AMD repeats leaf 1 EDX's bits 0-17, 23 and 24 here (APM E.4.2).
pub const EXT1_EDX_KEEP: u32 = (LEAF1_EDX_KEEP & 0x0183_FFFF)
    | leaf1_edx::APIC
    | ext1_edx::SYSCALL
    | ext1_edx::NX
    | ext1_edx::MMX_EXT
    | ext1_edx::PAGE1GB
    | ext1_edx::LM
    | ext1_edx::THREE_DNOW_EXT
    | ext1_edx::THREE_DNOW;
pub const EXT8_EBX_KEEP: u32 = ext8_ebx::CLZERO | ext8_ebx::XSAVE_ERR_PTR | ext8_ebx::WBNOINVD;
pub const EXT8_EBX_SPEC: u32 = ext8_ebx::IBPB | ext8_ebx::IBRS | ext8_ebx::STIBP | ext8_ebx::SSBD;
