//! The filter against the SDM's and APM's bit layouts.

use super::*;

mod features;

/// A host that sets every bit of every leaf.
const ALL: CpuidResult = CpuidResult {
    eax: !0,
    ebx: !0,
    ecx: !0,
    edx: !0,
};
const NONE: SwitchedState = SwitchedState {
    xsave: false,
    avx: false,
    avx512: false,
    tsc_aux: false,
    spec_ctrl: false,
};
const EVERY: SwitchedState = SwitchedState {
    xsave: true,
    avx: true,
    avx512: true,
    tsc_aux: true,
    spec_ctrl: true,
};

fn vm(vcpus: u32, switched: SwitchedState) -> VmCpuid {
    VmCpuid {
        vcpus,
        x2apic: false,
        tsc_deadline: false,
        switched,
        host_max_basic: 0x20,
        host_max_extended: 0x8000_0021,
    }
}

fn cpu(index: u32) -> VcpuIdentity {
    VcpuIdentity {
        index,
        cr4_osxsave: true,
    }
}

fn get(leaf: u32, subleaf: u32, vm: &VmCpuid) -> CpuidResult {
    filter(leaf, subleaf, ALL, vm, &cpu(0))
}

#[test]
fn leaf1_hides_virtualization_monitor_and_unswitched_features() {
    let r = get(1, 0, &vm(1, NONE));
    use leaf1_ecx::*;
    for bit in [
        VMX,
        SMX,
        MONITOR,
        DTES64,
        DS_CPL,
        EIST,
        TM2,
        CNXT_ID,
        SDBG,
        XTPR,
        PDCM,
        DCA,
        X2APIC,
        TSC_DEADLINE,
        XSAVE,
        OSXSAVE,
        AVX,
        FMA,
        F16C,
    ] {
        assert_eq!(r.ecx & bit, 0, "ECX bit {}", bit.trailing_zeros());
    }
    for bit in [
        SSE3, PCLMULQDQ, SSSE3, CMPXCHG16B, PCID, SSE4_1, SSE4_2, MOVBE, POPCNT, AESNI, RDRAND,
    ] {
        assert_ne!(r.ecx & bit, 0, "ECX bit {}", bit.trailing_zeros());
    }
    assert_eq!(r.ecx & (1 << 16), 0, "reserved bit 16");
    for bit in [
        leaf1_edx::MCE,
        leaf1_edx::MCA,
        leaf1_edx::PSN,
        leaf1_edx::DS,
        leaf1_edx::ACPI,
        leaf1_edx::TM,
        leaf1_edx::PBE,
        leaf1_edx::HTT,
    ] {
        assert_eq!(r.edx & bit, 0, "EDX bit {}", bit.trailing_zeros());
    }
    assert_eq!(
        r.edx & (1 << 10 | 1 << 20 | 1 << 30),
        0,
        "reserved EDX bits"
    );
    assert_ne!(
        r.edx & (leaf1_edx::FPU | leaf1_edx::TSC | leaf1_edx::MSR | leaf1_edx::PAE),
        0
    );
    assert_eq!(r.eax, !0, "version information passes");
}

#[test]
fn leaf1_sets_hypervisor_and_apic_whatever_the_host_says() {
    let r = filter(1, 0, CpuidResult::default(), &vm(1, NONE), &cpu(0));
    assert_eq!(r.ecx, leaf1_ecx::HYPERVISOR);
    assert_eq!(r.edx, leaf1_edx::APIC);
}

#[test]
fn leaf1_x2apic_and_tsc_deadline_as_configured() {
    let mut v = vm(1, NONE);
    v.x2apic = true;
    assert_eq!(
        get(1, 0, &v).ecx & (leaf1_ecx::X2APIC | leaf1_ecx::TSC_DEADLINE),
        leaf1_ecx::X2APIC
    );
    v.x2apic = false;
    v.tsc_deadline = true;
    let r = filter(1, 0, CpuidResult::default(), &v, &cpu(0));
    assert_ne!(
        r.ecx & leaf1_ecx::TSC_DEADLINE,
        0,
        "even if the host lacks it: the vLAPIC's timer"
    );
}

#[test]
fn leaf1_xsave_family_follows_switched_state_and_cr4() {
    use leaf1_ecx::*;
    let only_xsave = SwitchedState {
        xsave: true,
        ..NONE
    };
    assert_eq!(
        get(1, 0, &vm(1, only_xsave)).ecx & (XSAVE | OSXSAVE | AVX | FMA | F16C),
        XSAVE | OSXSAVE
    );
    let r = get(1, 0, &vm(1, EVERY));
    assert_eq!(
        r.ecx & (XSAVE | OSXSAVE | AVX | FMA | F16C),
        XSAVE | OSXSAVE | AVX | FMA | F16C
    );
    let off = VcpuIdentity {
        index: 0,
        cr4_osxsave: false,
    };
    assert_eq!(
        filter(1, 0, ALL, &vm(1, EVERY), &off).ecx & OSXSAVE,
        0,
        "CR4.OSXSAVE clear"
    );
    // A host without XSAVE: no OSXSAVE whatever CR4 says, and no AVX.
    let host = CpuidResult {
        ecx: !(XSAVE | OSXSAVE | AVX),
        ..ALL
    };
    assert_eq!(
        filter(1, 0, host, &vm(1, EVERY), &cpu(0)).ecx & (XSAVE | OSXSAVE | AVX),
        0
    );
    // AVX switched without XSAVE means nothing.
    let avx_only = SwitchedState { avx: true, ..NONE };
    assert_eq!(get(1, 0, &vm(1, avx_only)).ecx & (AVX | FMA | F16C), 0);
}

#[test]
fn leaf1_ebx_carries_apic_id_and_logical_count() {
    for (vcpus, count) in [(1, 1), (2, 2), (3, 4), (4, 4), (8, 8)] {
        for index in 0..vcpus {
            let r = filter(1, 0, ALL, &vm(vcpus, NONE), &cpu(index));
            assert_eq!(r.ebx >> 24, index);
            assert_eq!((r.ebx >> 16) & 0xFF, count, "{vcpus} vCPUs");
            assert_eq!(r.ebx & 0xFFFF, 0xFFFF, "brand index, CLFLUSH size pass");
            assert_eq!(r.edx & leaf1_edx::HTT != 0, vcpus > 1);
        }
    }
}

#[test]
fn topology_leaves_for_1_2_and_4_vcpus() {
    for leaf in [0xB, 0x1F] {
        for (vcpus, shift) in [(1, 0), (2, 1), (4, 2)] {
            for index in 0..vcpus {
                let t = |sub| filter(leaf, sub, ALL, &vm(vcpus, NONE), &cpu(index));
                let smt = t(0);
                assert_eq!((smt.eax, smt.ebx, smt.ecx, smt.edx), (0, 1, 1 << 8, index));
                let core = t(1);
                assert_eq!(
                    (core.eax, core.ebx, core.ecx, core.edx),
                    (shift, vcpus, 1 | 2 << 8, index)
                );
                let end = t(2);
                assert_eq!((end.eax, end.ebx, end.ecx, end.edx), (0, 0, 2, index));
            }
        }
    }
}

#[test]
fn hypervisor_leaves() {
    let r = get(0x4000_0000, 0, &vm(1, NONE));
    assert_eq!(r.eax, MAX_HYPERVISOR_LEAF);
    let mut sig = [0u8; 12];
    for (i, reg) in [r.ebx, r.ecx, r.edx].into_iter().enumerate() {
        sig[i * 4..i * 4 + 4].copy_from_slice(&reg.to_le_bytes());
    }
    assert_eq!(&sig, b"qhvqhvqhvqhv");
    for leaf in [0x4000_0001, 0x4000_0100, 0x4FFF_FFFF] {
        assert_eq!(
            get(leaf, 0, &vm(1, NONE)),
            CpuidResult::default(),
            "{leaf:#x}"
        );
    }
}

#[test]
fn maximum_leaves_are_clamped_and_beyond_reads_zero() {
    let v = vm(1, NONE);
    assert_eq!(get(0, 0, &v).eax, MAX_BASIC_LEAF);
    assert_eq!(get(0x8000_0000, 0, &v).eax, MAX_EXTENDED_LEAF);
    assert_eq!(get(0, 0, &v).ebx, !0, "vendor passes");
    let low = VmCpuid {
        host_max_basic: 0xD,
        host_max_extended: 0x8000_0001,
        ..v
    };
    assert_eq!(get(0, 0, &low).eax, 0xD);
    assert_eq!(get(0x8000_0000, 0, &low).eax, 0x8000_0001);
    for leaf in [0xE, 0x1F, 0x20, 0x3FFF_FFFF, 0x8000_0002, 0x8000_0008] {
        assert_eq!(get(leaf, 0, &low), CpuidResult::default(), "{leaf:#x}");
    }
    for leaf in [
        0x20,
        0x8000_0009,
        0x8000_000A,
        0x8000_001F,
        0xC000_0000,
        0x5000_0000,
    ] {
        assert_eq!(get(leaf, 0, &v), CpuidResult::default(), "{leaf:#x}");
    }
    let no_ext = VmCpuid {
        host_max_extended: 0,
        ..v
    };
    assert_eq!(get(0x8000_0000, 0, &no_ext), CpuidResult::default());
}

#[test]
fn unlisted_and_unvirtualized_leaves_read_zero() {
    for leaf in [
        3, 5, 8, 9, 0xA, 0xC, 0xE, 0xF, 0x10, 0x12, 0x13, 0x14, 0x17, 0x18, 0x1A, 0x1D,
    ] {
        assert_eq!(
            get(leaf, 0, &vm(2, EVERY)),
            CpuidResult::default(),
            "{leaf:#x}"
        );
    }
    for leaf in [2, 0x15, 0x16, 0x8000_0002, 0x8000_0005, 0x8000_0006] {
        assert_eq!(get(leaf, 0, &vm(2, NONE)), ALL, "{leaf:#x} passes");
    }
    assert_eq!(
        get(6, 0, &vm(1, NONE)),
        CpuidResult {
            eax: LEAF6_EAX_ARAT,
            ..CpuidResult::default()
        }
    );
}

#[test]
fn leaf4_topology_fields_follow_the_vm() {
    let host = CpuidResult {
        eax: 0xFC00_4121,
        ..ALL
    }; // L1 data, 63 cores, 2 threads
    let r = filter(4, 0, host, &vm(4, NONE), &cpu(1));
    assert_eq!(r.eax, 0x0C00_0121);
    assert_eq!((r.ebx, r.ecx, r.edx), (!0, !0, !0));
    let null = CpuidResult {
        eax: 0xFC00_4000,
        ..ALL
    };
    assert_eq!(
        filter(4, 3, null, &vm(4, NONE), &cpu(1)),
        CpuidResult::default()
    );
}
