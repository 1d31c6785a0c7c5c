//! CPUID bit names, as Intel SDM Vol. 2A ("CPUID", Tables 3-8 to 3-11 and
//! the per-leaf descriptions) and AMD APM Vol. 3 (Appendix E, "Obtaining
//! Processor Information Via the CPUID Instruction") spell them.

/// Leaf 1 ECX (SDM Table 3-10).
pub mod leaf1_ecx {
    pub const SSE3: u32 = 1 << 0;
    pub const PCLMULQDQ: u32 = 1 << 1;
    pub const DTES64: u32 = 1 << 2;
    pub const MONITOR: u32 = 1 << 3;
    pub const DS_CPL: u32 = 1 << 4;
    pub const VMX: u32 = 1 << 5;
    pub const SMX: u32 = 1 << 6;
    pub const EIST: u32 = 1 << 7;
    pub const TM2: u32 = 1 << 8;
    pub const SSSE3: u32 = 1 << 9;
    pub const CNXT_ID: u32 = 1 << 10;
    pub const SDBG: u32 = 1 << 11;
    pub const FMA: u32 = 1 << 12;
    pub const CMPXCHG16B: u32 = 1 << 13;
    pub const XTPR: u32 = 1 << 14;
    pub const PDCM: u32 = 1 << 15;
    pub const PCID: u32 = 1 << 17;
    pub const DCA: u32 = 1 << 18;
    pub const SSE4_1: u32 = 1 << 19;
    pub const SSE4_2: u32 = 1 << 20;
    pub const X2APIC: u32 = 1 << 21;
    pub const MOVBE: u32 = 1 << 22;
    pub const POPCNT: u32 = 1 << 23;
    pub const TSC_DEADLINE: u32 = 1 << 24;
    pub const AESNI: u32 = 1 << 25;
    pub const XSAVE: u32 = 1 << 26;
    pub const OSXSAVE: u32 = 1 << 27;
    pub const AVX: u32 = 1 << 28;
    pub const F16C: u32 = 1 << 29;
    pub const RDRAND: u32 = 1 << 30;
    /// Reserved on hardware, "hypervisor present" by convention (AMD APM
    /// Vol. 3, E.3.2: "reserved for use by hypervisor").
    pub const HYPERVISOR: u32 = 1 << 31;
}

/// Leaf 1 EDX (SDM Table 3-11).
pub mod leaf1_edx {
    pub const FPU: u32 = 1 << 0;
    pub const VME: u32 = 1 << 1;
    pub const DE: u32 = 1 << 2;
    pub const PSE: u32 = 1 << 3;
    pub const TSC: u32 = 1 << 4;
    pub const MSR: u32 = 1 << 5;
    pub const PAE: u32 = 1 << 6;
    pub const MCE: u32 = 1 << 7;
    pub const CX8: u32 = 1 << 8;
    pub const APIC: u32 = 1 << 9;
    pub const SEP: u32 = 1 << 11;
    pub const MTRR: u32 = 1 << 12;
    pub const PGE: u32 = 1 << 13;
    pub const MCA: u32 = 1 << 14;
    pub const CMOV: u32 = 1 << 15;
    pub const PAT: u32 = 1 << 16;
    pub const PSE_36: u32 = 1 << 17;
    pub const PSN: u32 = 1 << 18;
    pub const CLFSH: u32 = 1 << 19;
    pub const DS: u32 = 1 << 21;
    pub const ACPI: u32 = 1 << 22;
    pub const MMX: u32 = 1 << 23;
    pub const FXSR: u32 = 1 << 24;
    pub const SSE: u32 = 1 << 25;
    pub const SSE2: u32 = 1 << 26;
    pub const SS: u32 = 1 << 27;
    pub const HTT: u32 = 1 << 28;
    pub const TM: u32 = 1 << 29;
    pub const PBE: u32 = 1 << 31;
}

/// Leaf 7 subleaf 0 EBX (SDM "Structured Extended Feature Flags").
pub mod leaf7_ebx {
    pub const FSGSBASE: u32 = 1 << 0;
    pub const TSC_ADJUST: u32 = 1 << 1;
    pub const SGX: u32 = 1 << 2;
    pub const BMI1: u32 = 1 << 3;
    pub const HLE: u32 = 1 << 4;
    pub const AVX2: u32 = 1 << 5;
    pub const FDP_EXCPTN_ONLY: u32 = 1 << 6;
    pub const SMEP: u32 = 1 << 7;
    pub const BMI2: u32 = 1 << 8;
    pub const ERMS: u32 = 1 << 9;
    pub const INVPCID: u32 = 1 << 10;
    pub const RTM: u32 = 1 << 11;
    pub const RDT_M: u32 = 1 << 12;
    pub const FPU_CS_DS_DEPRECATED: u32 = 1 << 13;
    pub const MPX: u32 = 1 << 14;
    pub const RDT_A: u32 = 1 << 15;
    pub const AVX512F: u32 = 1 << 16;
    pub const AVX512DQ: u32 = 1 << 17;
    pub const RDSEED: u32 = 1 << 18;
    pub const ADX: u32 = 1 << 19;
    pub const SMAP: u32 = 1 << 20;
    pub const AVX512_IFMA: u32 = 1 << 21;
    pub const CLFLUSHOPT: u32 = 1 << 23;
    pub const CLWB: u32 = 1 << 24;
    pub const INTEL_PT: u32 = 1 << 25;
    pub const AVX512PF: u32 = 1 << 26;
    pub const AVX512ER: u32 = 1 << 27;
    pub const AVX512CD: u32 = 1 << 28;
    pub const SHA: u32 = 1 << 29;
    pub const AVX512BW: u32 = 1 << 30;
    pub const AVX512VL: u32 = 1 << 31;
}

/// Leaf 7 subleaf 0 ECX.
pub mod leaf7_ecx {
    pub const PREFETCHWT1: u32 = 1 << 0;
    pub const AVX512_VBMI: u32 = 1 << 1;
    pub const UMIP: u32 = 1 << 2;
    pub const PKU: u32 = 1 << 3;
    pub const OSPKE: u32 = 1 << 4;
    pub const WAITPKG: u32 = 1 << 5;
    pub const AVX512_VBMI2: u32 = 1 << 6;
    pub const CET_SS: u32 = 1 << 7;
    pub const GFNI: u32 = 1 << 8;
    pub const VAES: u32 = 1 << 9;
    pub const VPCLMULQDQ: u32 = 1 << 10;
    pub const AVX512_VNNI: u32 = 1 << 11;
    pub const AVX512_BITALG: u32 = 1 << 12;
    pub const TME_EN: u32 = 1 << 13;
    pub const AVX512_VPOPCNTDQ: u32 = 1 << 14;
    pub const LA57: u32 = 1 << 16;
    pub const RDPID: u32 = 1 << 22;
    pub const KL: u32 = 1 << 23;
    pub const CLDEMOTE: u32 = 1 << 25;
    pub const MOVDIRI: u32 = 1 << 27;
    pub const MOVDIR64B: u32 = 1 << 28;
    pub const ENQCMD: u32 = 1 << 29;
    pub const SGX_LC: u32 = 1 << 30;
    pub const PKS: u32 = 1 << 31;
}

/// Leaf 7 subleaf 0 EDX.
pub mod leaf7_edx {
    pub const AVX512_4VNNIW: u32 = 1 << 2;
    pub const AVX512_4FMAPS: u32 = 1 << 3;
    pub const FAST_SHORT_REP_MOV: u32 = 1 << 4;
    pub const UINTR: u32 = 1 << 5;
    pub const AVX512_VP2INTERSECT: u32 = 1 << 8;
    pub const MD_CLEAR: u32 = 1 << 10;
    pub const SERIALIZE: u32 = 1 << 14;
    pub const HYBRID: u32 = 1 << 15;
    pub const PCONFIG: u32 = 1 << 18;
    pub const CET_IBT: u32 = 1 << 20;
    pub const AMX_BF16: u32 = 1 << 22;
    pub const AVX512_FP16: u32 = 1 << 23;
    pub const AMX_TILE: u32 = 1 << 24;
    pub const AMX_INT8: u32 = 1 << 25;
    /// IBRS and IBPB: IA32_SPEC_CTRL.IBRS and IA32_PRED_CMD.
    pub const IBRS_IBPB: u32 = 1 << 26;
    pub const STIBP: u32 = 1 << 27;
    pub const L1D_FLUSH: u32 = 1 << 28;
    pub const ARCH_CAPABILITIES: u32 = 1 << 29;
    pub const CORE_CAPABILITIES: u32 = 1 << 30;
    pub const SSBD: u32 = 1 << 31;
}

/// Leaf 0xD subleaf 0: XCR0 state components (SDM Vol. 1, 13.1).
pub mod xcr0 {
    pub const X87: u32 = 1 << 0;
    pub const SSE: u32 = 1 << 1;
    pub const AVX: u32 = 1 << 2;
    pub const OPMASK: u32 = 1 << 5;
    pub const ZMM_HI256: u32 = 1 << 6;
    pub const HI16_ZMM: u32 = 1 << 7;
}

/// Leaf 0xD subleaf 1 EAX.
pub mod xsave_ext {
    pub const XSAVEOPT: u32 = 1 << 0;
    pub const XSAVEC: u32 = 1 << 1;
    pub const XGETBV_ECX1: u32 = 1 << 2;
    pub const XSAVES: u32 = 1 << 3;
}

/// Leaf 6 EAX: always-running APIC timer.
pub const LEAF6_EAX_ARAT: u32 = 1 << 2;

/// Leaf 0x80000001 ECX (APM Vol. 3, E.4.2).
pub mod ext1_ecx {
    pub const LAHF_SAHF: u32 = 1 << 0;
    pub const CMP_LEGACY: u32 = 1 << 1;
    pub const SVM: u32 = 1 << 2;
    pub const EXT_APIC_SPACE: u32 = 1 << 3;
    pub const ALT_MOV_CR8: u32 = 1 << 4;
    /// AMD ABM; Intel LZCNT.
    pub const ABM: u32 = 1 << 5;
    pub const SSE4A: u32 = 1 << 6;
    pub const MISALIGN_SSE: u32 = 1 << 7;
    /// AMD 3DNowPrefetch; Intel PREFETCHW.
    pub const PREFETCHW: u32 = 1 << 8;
    pub const OSVW: u32 = 1 << 9;
    pub const IBS: u32 = 1 << 10;
    pub const XOP: u32 = 1 << 11;
    pub const SKINIT: u32 = 1 << 12;
    pub const WDT: u32 = 1 << 13;
    pub const LWP: u32 = 1 << 15;
    pub const FMA4: u32 = 1 << 16;
    pub const TBM: u32 = 1 << 21;
    pub const TOPOLOGY_EXTENSIONS: u32 = 1 << 22;
    pub const PERF_CTR_EXT_CORE: u32 = 1 << 23;
    pub const MONITORX: u32 = 1 << 29;
}

/// Leaf 0x80000001 EDX (APM Vol. 3, E.4.2; SDM Table 3-8 for Intel's few).
pub mod ext1_edx {
    pub const SYSCALL: u32 = 1 << 11;
    pub const NX: u32 = 1 << 20;
    pub const MMX_EXT: u32 = 1 << 22;
    pub const FFXSR: u32 = 1 << 25;
    pub const PAGE1GB: u32 = 1 << 26;
    pub const RDTSCP: u32 = 1 << 27;
    pub const LM: u32 = 1 << 29;
    pub const THREE_DNOW_EXT: u32 = 1 << 30;
    pub const THREE_DNOW: u32 = 1 << 31;
}

/// Leaf 0x80000007 EDX: invariant TSC.
pub const EXT7_EDX_INVARIANT_TSC: u32 = 1 << 8;

/// Leaf 0x80000008 EBX (APM Vol. 3, E.4.7).
pub mod ext8_ebx {
    pub const CLZERO: u32 = 1 << 0;
    pub const XSAVE_ERR_PTR: u32 = 1 << 2;
    pub const WBNOINVD: u32 = 1 << 9;
    pub const IBPB: u32 = 1 << 12;
    pub const IBRS: u32 = 1 << 14;
    pub const STIBP: u32 = 1 << 15;
    pub const SSBD: u32 = 1 << 24;
}
