//! Round trips through the store and every WRMSR #GP case it checks.

use super::*;

#[test]
fn storage_round_trips() {
    let mut s = store();
    let values = [
        (IA32_EFER, EFER_SCE | EFER_LME | EFER_NXE),
        (IA32_STAR, 0x0023_0010_DEAD_BEEF),
        (IA32_LSTAR, 0xFFFF_8000_0000_1000),
        (IA32_CSTAR, 0x1234_5678_9ABC_DEF0),
        (IA32_FMASK, 0x4_7700),
        (IA32_FS_BASE, 0x7FFF_FFFF_F000),
        (IA32_GS_BASE, 0xFFFF_8880_0000_0000),
        (IA32_KERNEL_GS_BASE, 0xFFFF_FFFF_FFFF_F000),
        (IA32_TSC_AUX, 3),
        (IA32_SYSENTER_CS, 0x10),
        (IA32_SYSENTER_ESP, 0xFFFF_C000_0000_0000),
        (IA32_SYSENTER_EIP, 0x40_0000),
        (IA32_PAT, 0x0007_0105_0406_0700),
        (IA32_SPEC_CTRL, 0b101),
        (IA32_MTRR_DEF_TYPE, 0xC06),
        (IA32_MTRR_FIX64K_00000, 0x0606_0606_0606_0606),
        (IA32_MTRR_FIX16K_A0000, 0x0000_0000_0101_0101),
        (IA32_MTRR_FIX4K_F8000, 0x0505_0505_0505_0505),
        (IA32_MTRR_PHYSBASE0 + 6, 0xFF_FFFF_F006),
        (IA32_MTRR_PHYSBASE0 + 7, 0xFF_F000_0800),
    ];
    for (msr, value) in values {
        assert_eq!(s.write(msr, value), Ok(()), "{msr:#x}");
    }
    for (msr, value) in values {
        assert_eq!(s.read(msr), Ok(value), "{msr:#x}");
    }
}

/// Each case faults and leaves the old value.
fn faults(s: &mut MsrStore, msr: u32, value: u64) {
    let before = s.read(msr);
    assert_eq!(s.write(msr, value), Err(Fault), "{msr:#x} <- {value:#x}");
    assert_eq!(s.read(msr), before);
}

#[test]
fn non_canonical_addresses_fault() {
    let mut s = store();
    let msrs = [
        IA32_LSTAR,
        IA32_FS_BASE,
        IA32_GS_BASE,
        IA32_KERNEL_GS_BASE,
        IA32_SYSENTER_ESP,
        IA32_SYSENTER_EIP,
    ];
    for msr in msrs {
        for value in [
            0x0000_8000_0000_0000,
            0xFFFF_7FFF_FFFF_FFFF,
            0x8000_0000_0000_0000,
            1 << 48,
        ] {
            faults(&mut s, msr, value);
        }
    }
    assert_eq!(
        s.write(IA32_CSTAR, 0x0000_8000_0000_0000),
        Ok(()),
        "not in WRMSR's list"
    );
}

#[test]
fn reserved_efer_bits_fault_and_lma_is_the_processors() {
    let mut s = store();
    for bit in (0..64).filter(|b| ![0, 8, 10, 11].contains(b)) {
        faults(&mut s, IA32_EFER, 1 << bit);
    }
    assert_eq!(s.write(IA32_EFER, EFER_LME | EFER_LMA), Ok(()));
    assert_eq!(s.read(IA32_EFER), Ok(EFER_LME), "LMA written is ignored");
    s.set_lma(true);
    assert_eq!(s.write(IA32_EFER, EFER_LME | EFER_NXE), Ok(()));
    assert_eq!(
        s.read(IA32_EFER),
        Ok(EFER_LME | EFER_NXE | EFER_LMA),
        "and kept"
    );
    s.set_lma(false);
    assert_eq!(s.read(IA32_EFER), Ok(EFER_LME | EFER_NXE));
}

#[test]
fn bad_memory_types_fault() {
    let mut s = store();
    for byte in 0..8 {
        for t in [2u64, 3, 8, 0x86, 0xFF] {
            faults(
                &mut s,
                IA32_PAT,
                PAT_DEFAULT & !(0xFF << (8 * byte)) | t << (8 * byte),
            );
            faults(&mut s, IA32_MTRR_FIX16K_80000, t << (8 * byte));
        }
        faults(&mut s, IA32_MTRR_FIX4K_C0000, 7 << (8 * byte)); // UC- is PAT-only
    }
    for t in [2, 3, 7, 8] {
        faults(&mut s, IA32_MTRR_DEF_TYPE, MTRR_DEF_TYPE_E | t);
        faults(&mut s, IA32_MTRR_PHYSBASE0, 0x1000 | t);
    }
}

#[test]
fn mtrr_reserved_bits_fault() {
    let mut s = store();
    for bit in (8..64).filter(|b| ![10, 11].contains(b)) {
        faults(&mut s, IA32_MTRR_DEF_TYPE, 1 << bit | 6);
    }
    for bit in (8..12).chain(40..64) {
        faults(&mut s, IA32_MTRR_PHYSBASE0 + 2, 1 << bit | 6);
    }
    for bit in (0..11).chain(40..64) {
        faults(
            &mut s,
            IA32_MTRR_PHYSBASE0 + 3,
            1 << bit | MTRR_PHYSMASK_VALID,
        );
    }
}

#[test]
fn other_reserved_bits_fault() {
    let mut s = store();
    faults(&mut s, IA32_SPEC_CTRL, 1 << 3);
    faults(&mut s, IA32_SPEC_CTRL, 1 << 63);
    faults(&mut s, IA32_FMASK, 1 << 32);
    faults(&mut s, IA32_TSC_AUX, 1 << 32);
    for msr in [
        IA32_MTRRCAP,
        IA32_ARCH_CAPABILITIES,
        IA32_FEATURE_CONTROL,
        IA32_MISC_ENABLE,
    ] {
        faults(&mut s, msr, 0);
    }
}
