//! Leaves 7, 0xD and the extended leaves: which features reach the guest.

use super::*;

#[test]
fn leaf7_hides_unswitched_state_and_unemulated_msrs() {
    let r = get(7, 0, &vm(1, NONE));
    assert_eq!(r.eax, 0, "subleaf 0 is the last");
    use leaf7_ebx as b;
    use leaf7_ecx as c;
    use leaf7_edx as d;
    let hidden_ebx = [
        b::TSC_ADJUST,
        b::SGX,
        b::HLE,
        b::AVX2,
        b::INVPCID,
        b::RTM,
        b::RDT_M,
        b::MPX,
        b::RDT_A,
        b::AVX512F,
        b::AVX512DQ,
        b::AVX512_IFMA,
        b::INTEL_PT,
        b::AVX512PF,
        b::AVX512ER,
        b::AVX512CD,
        b::AVX512BW,
        b::AVX512VL,
        1 << 22,
    ];
    let hidden_ecx = [
        c::AVX512_VBMI,
        c::PKU,
        c::OSPKE,
        c::WAITPKG,
        c::AVX512_VBMI2,
        c::CET_SS,
        c::VAES,
        c::VPCLMULQDQ,
        c::AVX512_VNNI,
        c::AVX512_BITALG,
        c::TME_EN,
        c::AVX512_VPOPCNTDQ,
        c::LA57,
        c::RDPID,
        c::KL,
        c::ENQCMD,
        c::SGX_LC,
        c::PKS,
        0x3E << 16,
    ];
    let hidden_edx = [
        d::AVX512_4VNNIW,
        d::AVX512_4FMAPS,
        d::UINTR,
        d::AVX512_VP2INTERSECT,
        d::HYBRID,
        d::PCONFIG,
        d::CET_IBT,
        d::AMX_BF16,
        d::AVX512_FP16,
        d::AMX_TILE,
        d::AMX_INT8,
        d::IBRS_IBPB,
        d::STIBP,
        d::L1D_FLUSH,
        d::CORE_CAPABILITIES,
        d::SSBD,
    ];
    for bit in hidden_ebx {
        assert_eq!(r.ebx & bit, 0, "EBX {bit:#x}");
    }
    for bit in hidden_ecx {
        assert_eq!(r.ecx & bit, 0, "ECX {bit:#x}");
    }
    for bit in hidden_edx {
        assert_eq!(r.edx & bit, 0, "EDX {bit:#x}");
    }
    assert_eq!(r.ebx, LEAF7_EBX_KEEP);
    assert_eq!(r.ecx, LEAF7_ECX_KEEP);
    assert_eq!(r.edx, LEAF7_EDX_KEEP | d::ARCH_CAPABILITIES);
    for bit in [
        b::FSGSBASE,
        b::BMI1,
        b::SMEP,
        b::BMI2,
        b::ERMS,
        b::SMAP,
        b::RDSEED,
        b::ADX,
        b::SHA,
    ] {
        assert_ne!(r.ebx & bit, 0, "EBX {bit:#x}");
    }
    assert_eq!(r.edx & d::MD_CLEAR, d::MD_CLEAR);
}

#[test]
fn leaf7_switched_state_brings_its_features_back() {
    let r = get(7, 0, &vm(1, EVERY));
    assert_eq!(
        r.ebx & (leaf7_ebx::AVX2 | LEAF7_EBX_AVX512),
        leaf7_ebx::AVX2 | LEAF7_EBX_AVX512
    );
    assert_eq!(
        r.ecx & (LEAF7_ECX_AVX | LEAF7_ECX_AVX512 | leaf7_ecx::RDPID),
        LEAF7_ECX_AVX | LEAF7_ECX_AVX512 | leaf7_ecx::RDPID
    );
    assert_eq!(
        r.edx & (LEAF7_EDX_AVX512 | LEAF7_EDX_SPEC),
        LEAF7_EDX_AVX512 | LEAF7_EDX_SPEC
    );
    // Never, whatever is switched: PKU, CET, AMX, TSX, SGX, PT.
    assert_eq!(
        r.ecx & (leaf7_ecx::PKU | leaf7_ecx::OSPKE | leaf7_ecx::CET_SS),
        0
    );
    assert_eq!(r.edx & (leaf7_edx::CET_IBT | leaf7_edx::AMX_TILE), 0);
    assert_eq!(
        r.ebx & (leaf7_ebx::HLE | leaf7_ebx::RTM | leaf7_ebx::SGX | leaf7_ebx::INTEL_PT),
        0
    );
    // AVX-512 needs AVX: alone it is nothing.
    let r = get(
        7,
        0,
        &vm(
            1,
            SwitchedState {
                xsave: true,
                avx512: true,
                ..NONE
            },
        ),
    );
    assert_eq!(r.ebx & LEAF7_EBX_AVX512, 0);
    assert_eq!(
        get(7, 1, &vm(1, EVERY)),
        CpuidResult::default(),
        "subleaf 1"
    );
}

#[test]
fn leaf_d_offers_only_switched_components() {
    assert_eq!(get(0xD, 0, &vm(1, NONE)), CpuidResult::default());
    let sse = get(
        0xD,
        0,
        &vm(
            1,
            SwitchedState {
                xsave: true,
                ..NONE
            },
        ),
    );
    assert_eq!((sse.eax, sse.edx), (xcr0::X87 | xcr0::SSE, 0));
    assert_eq!((sse.ebx, sse.ecx), (!0, !0), "sizes pass");
    let all = get(0xD, 0, &vm(1, EVERY));
    assert_eq!(all.eax, 0xE7);
    let ext = get(0xD, 1, &vm(1, EVERY));
    assert_eq!(ext.eax & xsave_ext::XSAVES, 0);
    assert_eq!((ext.ecx, ext.edx), (0, 0), "no IA32_XSS components");
    let avx = vm(
        1,
        SwitchedState {
            xsave: true,
            avx: true,
            ..NONE
        },
    );
    assert_eq!(get(0xD, 2, &avx), ALL);
    for sub in [3, 4, 5, 9, 17, 18, 63] {
        assert_eq!(
            get(0xD, sub, &avx),
            CpuidResult::default(),
            "component {sub}"
        );
    }
}

#[test]
fn extended_leaves_hide_svm_and_unswitched_features() {
    let r = get(0x8000_0001, 0, &vm(1, NONE));
    use ext1_ecx::*;
    for bit in [
        CMP_LEGACY,
        SVM,
        EXT_APIC_SPACE,
        OSVW,
        IBS,
        XOP,
        SKINIT,
        WDT,
        LWP,
        FMA4,
        TOPOLOGY_EXTENSIONS,
        PERF_CTR_EXT_CORE,
        MONITORX,
    ] {
        assert_eq!(r.ecx & bit, 0, "ECX {bit:#x}");
    }
    assert_eq!(
        r.edx & (ext1_edx::RDTSCP | ext1_edx::FFXSR | leaf1_edx::MCE | leaf1_edx::MCA),
        0
    );
    let kept = ext1_edx::LM | ext1_edx::NX | ext1_edx::SYSCALL | ext1_edx::PAGE1GB;
    assert_eq!(r.edx & kept, kept);
    assert_eq!(
        r.ecx & (LAHF_SAHF | ABM | PREFETCHW),
        LAHF_SAHF | ABM | PREFETCHW
    );
    let r = get(0x8000_0001, 0, &vm(1, EVERY));
    assert_ne!(r.edx & ext1_edx::RDTSCP, 0);
    assert_eq!(r.ecx & SVM, 0, "never");
    assert_eq!(
        get(0x8000_0007, 0, &vm(1, NONE)),
        CpuidResult {
            edx: EXT7_EDX_INVARIANT_TSC,
            ..CpuidResult::default()
        }
    );
    let r = get(0x8000_0008, 0, &vm(4, NONE));
    assert_eq!(
        (r.eax, r.ebx, r.ecx, r.edx),
        (!0, EXT8_EBX_KEEP, 3 | 2 << 12, 0)
    );
    assert_eq!(
        get(0x8000_0008, 0, &vm(4, EVERY)).ebx,
        EXT8_EBX_KEEP | EXT8_EBX_SPEC
    );
}
