//! The MSR allow-list and the storage's WRMSR checks against SDM Vol. 4.

use super::store::*;
use super::*;

mod storage;

const LISTED_STORE: [u32; 24] = [
    IA32_SPEC_CTRL,
    IA32_SYSENTER_CS,
    IA32_SYSENTER_ESP,
    IA32_SYSENTER_EIP,
    IA32_PAT,
    IA32_MTRR_DEF_TYPE,
    IA32_MTRR_FIX64K_00000,
    IA32_MTRR_FIX16K_80000,
    IA32_MTRR_FIX16K_A0000,
    IA32_MTRR_FIX4K_C0000,
    IA32_MTRR_FIX4K_F8000,
    IA32_MTRR_PHYSBASE0,
    IA32_MTRR_PHYSBASE0 + 1,
    IA32_MTRR_PHYSBASE0 + 15,
    IA32_EFER,
    IA32_STAR,
    IA32_LSTAR,
    IA32_CSTAR,
    IA32_FMASK,
    IA32_FS_BASE,
    IA32_GS_BASE,
    IA32_KERNEL_GS_BASE,
    IA32_TSC_AUX,
    0x26C,
];

fn store() -> MsrStore {
    MsrStore::new(MsrConfig {
        phys_bits: 40,
        host_arch_capabilities: !0,
    })
}

#[test]
fn each_listed_msr_is_classified() {
    use Emulator::*;
    use MsrAction::*;
    for msr in LISTED_STORE {
        for write in [false, true] {
            assert_eq!(
                classify(msr, write),
                Emulate(Store),
                "{msr:#x} write={write}"
            );
        }
    }
    for write in [false, true] {
        for msr in [
            X2APIC_FIRST,
            0x830,
            X2APIC_LAST,
            IA32_TSC_DEADLINE,
            IA32_APIC_BASE,
        ] {
            assert_eq!(classify(msr, write), Emulate(Lapic), "{msr:#x}");
        }
        assert_eq!(classify(IA32_TSC, write), Emulate(Tsc));
    }
    assert_eq!(classify(IA32_PRED_CMD, true), Emulate(Ibpb));
    for msr in [
        IA32_MTRRCAP,
        IA32_ARCH_CAPABILITIES,
        IA32_FEATURE_CONTROL,
        IA32_MISC_ENABLE,
    ] {
        assert_eq!(classify(msr, false), Emulate(Store), "{msr:#x}");
    }
    assert_eq!(classify(IA32_MISC_ENABLE, true), Ignore);
    for msr in [
        IA32_BIOS_SIGN_ID,
        MSR_K7_HWCR,
        MSR_K8_SYSCFG,
        MSR_AMD64_NB_CFG,
    ] {
        assert_eq!(
            (classify(msr, false), classify(msr, true)),
            (ReadZero, Ignore)
        );
    }
    for msr in [IA32_PLATFORM_ID, MSR_PLATFORM_INFO] {
        assert_eq!(
            (classify(msr, false), classify(msr, true)),
            (ReadZero, Unsupported)
        );
    }
}

#[test]
fn everything_else_is_unsupported() {
    let read_only = [IA32_MTRRCAP, IA32_ARCH_CAPABILITIES, IA32_FEATURE_CONTROL];
    for msr in read_only {
        assert_eq!(
            classify(msr, true),
            MsrAction::Unsupported,
            "{msr:#x} is read-only"
        );
    }
    assert_eq!(
        classify(IA32_PRED_CMD, false),
        MsrAction::Unsupported,
        "write-only"
    );
    // TSC_ADJUST, MCG_CAP, MCG_STATUS, DEBUGCTL, PERF_CAPABILITIES, the
    // VMX capability MSRs, XSS, the MSRs just past the listed ranges,
    // AMD's VM_CR and VM_HSAVE_PA, and nonsense.
    for msr in [
        0x0,
        0x3B,
        0x179,
        0x17A,
        0x1D9,
        0x345,
        0x480,
        0x491,
        0xDA0,
        0x1A1,
        0x210,
        0x251,
        0x260,
        0x270,
        0x7FF,
        0x900,
        0xC000_0104,
        0xC001_0114,
        0xC001_0117,
        0xFFFF_FFFF,
    ] {
        for write in [false, true] {
            assert_eq!(classify(msr, write), MsrAction::Unsupported, "{msr:#x}");
        }
    }
}

/// Whatever `classify` sends to the store, the store holds, and only that.
#[test]
fn classify_and_store_agree() {
    let ranges = [
        0..0x1000,
        0xC000_0000..0xC000_1000,
        0xC001_0000..0xC001_0200,
    ];
    let mut s = store();
    for msr in ranges.into_iter().flatten() {
        let r = classify(msr, false) == MsrAction::Emulate(Emulator::Store);
        assert_eq!(s.read(msr).is_ok(), r, "read {msr:#x}");
        let w = classify(msr, true) == MsrAction::Emulate(Emulator::Store);
        assert_eq!(slot(msr).is_some(), w, "write {msr:#x}");
        if !w {
            assert_eq!(s.write(msr, 0), Err(Fault), "{msr:#x}");
        }
    }
}

#[test]
fn power_up_values() {
    let s = store();
    assert_eq!(s.read(IA32_APIC_BASE), Err(Fault), "the local APIC model's");
    assert_eq!(s.read(IA32_PAT), Ok(0x0007_0406_0007_0406));
    assert_eq!(s.read(IA32_EFER), Ok(0));
    assert_eq!(s.read(IA32_MTRR_DEF_TYPE), Ok(0));
    assert_eq!(s.read(IA32_MTRRCAP), Ok(0x508));
    assert_eq!(s.read(IA32_FEATURE_CONTROL), Ok(1));
    assert_eq!(s.read(IA32_MISC_ENABLE), Ok(0x1801));
    assert_eq!(s.read(IA32_ARCH_CAPABILITIES), Ok(ARCH_CAPABILITIES_KEEP));
    let other = MsrStore::new(MsrConfig {
        phys_bits: 40,
        host_arch_capabilities: 0,
    });
    assert_eq!(other.read(IA32_ARCH_CAPABILITIES), Ok(0));
}
