//! Host tests of the AArch32 trap decoding.

use crate::aarch64::trap_regs::{CONDUIT_HVC, CONDUIT_SMC};
use crate::exit::{GuestExit, Hypercall};

/// The decoder's answer to the AArch32 trap `s`, as `virt.rs` gets it.
fn decode_any(
    frame: &mut TrapFrame,
    s: &Syndrome,
    id_register: impl Fn(u64, u64) -> u64,
) -> GuestExit {
    let mut t = *s;
    as_aarch64(frame, &mut t);
    crate::aarch64::exit_decode::decode(frame, &t, id_register)
}
use super::*;
use crate::aarch64::aarch32::{MODE_SVC, PSR_T};

const IL: u64 = esr::ESR_IL;
/// CV set, COND = AL.
const ALWAYS: u64 = (1 << 24) | (0xe << 20);

fn syndrome(ec: u64, iss: u64) -> Syndrome {
    Syndrome {
        esr: (ec << 26) | IL | iss,
        ..Default::default()
    }
}

fn svc_frame() -> TrapFrame {
    TrapFrame {
        elr: 0x8000,
        spsr: MODE_SVC,
        ..Default::default()
    }
}

fn no_id(_: u64, _: u64) -> u64 {
    panic!("no ID register read expected")
}

/// The ISS of MCR/MRC p15, opc1, Rt, CRn, CRm, opc2.
fn mcr(opc1: u64, rt: u64, crn: u64, crm: u64, opc2: u64, read: bool) -> u64 {
    ALWAYS | (opc2 << 17) | (opc1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) | read as u64
}

#[test]
fn an_id_register_mrc_is_answered_from_the_aarch64_group() {
    // MRC p15, 0, r3, c0, c1, 2: ID_DFR0 (ID_DFR0_EL1 is CRm 1, op2 2).
    let mut frame = svc_frame();
    frame.x[3] = u64::MAX;
    let s = syndrome(esr::EC_CP15_32, mcr(0, 3, 0, 1, 2, true));
    let exit = decode_any(&mut frame, &s, |crm, op2| crm * 16 + op2);
    assert_eq!(exit, GuestExit::Handled);
    assert_eq!((frame.x[3], frame.elr), (18, 0x8004));
}

#[test]
fn a_pmu_access_reads_zero_and_another_register_goes_to_qvm() {
    // MRC p15, 0, r1, c9, c12, 0: PMCR.
    let mut frame = svc_frame();
    frame.x[1] = 5;
    let s = syndrome(esr::EC_CP15_32, mcr(0, 1, 9, 12, 0, true));
    assert_eq!(decode_any(&mut frame, &s, no_id), GuestExit::Handled);
    assert_eq!(frame.x[1], 0);
    // MCR p15, 1, r2, c9, c0, 2 (an implementation-defined register, TIDCP),
    // with junk in r2's upper half.
    frame.x[2] = 0xdead_0000_0000_0007;
    let s = syndrome(esr::EC_CP15_32, mcr(1, 2, 9, 0, 2, false));
    let GuestExit::Register(r) = decode_any(&mut frame, &s, no_id) else {
        panic!()
    };
    assert!(r.write);
    assert_eq!(r.value, 7);
    assert_eq!(r.id, (3 << 20) | (2 << 17) | (1 << 14) | (9 << 10));
}

#[test]
fn an_mcrr_to_icc_sgi1r_sends_an_ipi() {
    // MCRR p15, 0, r0, r1, c12: r1:r0.
    let mut frame = svc_frame();
    frame.x[0] = 0xffff_ffff_0001_0002;
    frame.x[1] = 0x0000_0001;
    let iss = ALWAYS | (1 << 10) | (12 << 1);
    let exit = decode_any(&mut frame, &syndrome(esr::EC_CP15_64, iss), no_id);
    assert_eq!(exit, GuestExit::SendIpi(0x1_0001_0002));
    assert_eq!(frame.elr, 0x8004);
    // ICC_SGI0R (opc1 2) goes to qvm as ICC_SGI0R_EL1.
    let iss = ALWAYS | (2 << 16) | (1 << 10) | (12 << 1);
    let GuestExit::Register(r) = decode_any(&mut frame, &syndrome(esr::EC_CP15_64, iss), no_id)
    else {
        panic!()
    };
    assert_eq!((r.id, r.value), (SGI_REGISTERS | (7 << 17), 0x1_0001_0002));
}

#[test]
fn cp14_debug_reads_are_zero_and_r15_clears_the_flags() {
    let mut frame = svc_frame();
    frame.spsr |= 0xf << 28;
    frame.x[4] = 9;
    // MRC p14, 0, r4, c0, c0, 0 (DBGDIDR).
    let s = syndrome(esr::EC_CP14_32, ALWAYS | (4 << 5) | 1);
    assert_eq!(decode_any(&mut frame, &s, no_id), GuestExit::Handled);
    assert_eq!(frame.x[4], 0);
    // MRC p14, 0, APSR_nzcv, c0, c1, 0 (DBGDSCRint).
    let s = syndrome(esr::EC_CP14_32, ALWAYS | (15 << 5) | (1 << 1) | 1);
    decode_any(&mut frame, &s, no_id);
    assert_eq!(frame.spsr, MODE_SVC);
    assert_eq!(frame.elr, 0x8008);
}

#[test]
fn vmrs_of_mvfr0_reads_the_id_register() {
    let mut frame = svc_frame();
    // VMRS r2, MVFR0: reg 7 in CRn, opc1 7.
    let iss = ALWAYS | (7 << 14) | (7 << 10) | (2 << 5) | 1;
    let exit = decode_any(&mut frame, &syndrome(esr::EC_VMRS_ID, iss), |crm, op2| {
        assert_eq!((crm, op2), (3, 0));
        0x1011_1111
    });
    assert_eq!(exit, GuestExit::Handled);
    assert_eq!(frame.x[2], 0x1011_1111);
}

#[test]
fn hvc32_and_smc32_carry_32_bit_arguments() {
    let mut frame = svc_frame();
    frame.x[0] = 0xffff_ffff_8400_0003;
    frame.x[1] = 1;
    let exit = decode_any(&mut frame, &syndrome(esr::EC_HVC32, 0), no_id);
    assert_eq!(
        exit,
        GuestExit::Hypercall(Hypercall {
            args: [0x8400_0003, 1, 0, 0],
            conduit: CONDUIT_HVC
        })
    );
    assert_eq!(frame.elr, 0x8000, "an HVC's return address is past it");
    let exit = decode_any(&mut frame, &syndrome(esr::EC_SMC32, ALWAYS), no_id);
    assert!(matches!(exit, GuestExit::Hypercall(h) if h.conduit == CONDUIT_SMC));
    assert_eq!(frame.elr, 0x8004);
}

#[test]
fn a_trap_that_failed_its_condition_is_only_stepped() {
    // SMCEQ with Z clear.
    let mut frame = svc_frame();
    let iss = 1 << 24; // CV, COND 0b0000: EQ
    assert_eq!(
        decode_any(&mut frame, &syndrome(esr::EC_SMC32, iss), no_id),
        GuestExit::Handled
    );
    assert_eq!(frame.elr, 0x8004);
    // WFIEQ in T32 (16 bits: IL clear) with Z clear.
    frame.spsr |= PSR_T;
    let s = Syndrome {
        esr: (esr::EC_WFX << 26) | (1 << 24),
        ..Default::default()
    };
    assert_eq!(decode_any(&mut frame, &s, no_id), GuestExit::Handled);
    assert_eq!(frame.elr, 0x8006);
    // The same WFI with Z set halts.
    frame.spsr |= 1 << 30;
    assert_eq!(decode_any(&mut frame, &s, no_id), GuestExit::Halt);
}

#[test]
fn an_mmio_load_from_thumb_steps_two_bytes() {
    // LDR r0, [r1] (16-bit T32): ISV, SAS word, SRT 0; IL clear.
    let mut frame = svc_frame();
    frame.spsr |= PSR_T;
    let s = Syndrome {
        esr: (esr::EC_DABT_LOWER << 26) | esr::ISS_ISV | (2 << 22),
        far: 0x10,
        hpfar: 0x0900_0000 >> 8,
    };
    let GuestExit::Mmio(access) = decode_any(&mut frame, &s, no_id) else {
        panic!()
    };
    crate::aarch64::exit_decode::complete_load(&mut frame, &s, &access, 0x1234_5678);
    // The real syndrome is kept for the exit record.
    assert_eq!(esr::class(s.esr), esr::EC_DABT_LOWER);
    assert_eq!((frame.x[0], frame.elr), (0x1234_5678, 0x8002));
}
