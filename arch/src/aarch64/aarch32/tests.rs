//! Host tests of the AArch32 guest state: modes, conditions, IT blocks
//! and exception entry.

use super::*;

#[test]
fn only_a_guests_modes_and_cpsr_bits_are_valid() {
    assert!(valid_psr(PSR_RESET));
    assert!(valid_psr(MODE_USR | PSR_T | (0xf << 28)));
    // Hyp (0x1a), Monitor (0x16), an AArch64 mode, J (bit 24), SS (21).
    for bad in [0x1a, 0x16, 0x05, MODE_SVC | 1 << 24, MODE_SVC | 1 << 21] {
        assert!(!valid_psr(bad), "{bad:#x}");
    }
    assert!(from_aarch32(PSR_RESET) && !from_aarch32(0b0101));
}

#[test]
fn an_odd_entry_starts_in_t32() {
    assert_eq!(reset_state(0x8000), (0x8000, 0x1d3));
    assert_eq!(reset_state(0x8001), (0x8000, 0x1d3 | PSR_T));
}

#[test]
fn conditions_follow_the_flags() {
    let (n, z, c, v) = (1u64 << 31, 1u64 << 30, 1u64 << 29, 1u64 << 28);
    // EQ, NE, CS, CC, MI, PL, VS, VC, HI, LS, GE, LT, GT, LE, AL.
    assert!(condition_holds(0, z) && !condition_holds(0, 0));
    assert!(condition_holds(1, 0) && !condition_holds(1, z));
    assert!(condition_holds(2, c) && condition_holds(3, 0));
    assert!(condition_holds(4, n) && condition_holds(5, 0));
    assert!(condition_holds(6, v) && condition_holds(7, 0));
    assert!(condition_holds(8, c) && !condition_holds(8, c | z));
    assert!(condition_holds(9, z));
    assert!(condition_holds(10, n | v) && !condition_holds(10, n));
    assert!(condition_holds(11, n));
    assert!(condition_holds(12, 0) && !condition_holds(12, z));
    assert!(condition_holds(13, z));
    assert!(condition_holds(14, 0) && condition_holds(15, n | z | c | v));
}

#[test]
fn a_trap_that_failed_its_condition_is_not_taken() {
    // CV set, COND = EQ, Z clear: not taken; Z set: taken.
    let esr = ESR_CV; // COND 0b0000: EQ
    assert!(!trap_condition_passed(esr, MODE_SVC));
    assert!(trap_condition_passed(esr, MODE_SVC | 1 << 30));
    // No CV, no IT block: taken.
    assert!(trap_condition_passed(0, MODE_SVC | PSR_T));
    // No CV, in an IT block whose condition is NE (IT = 0b0001_1000), Z set.
    let psr = with_it_state(MODE_SVC | PSR_T | 1 << 30, 0b0001_1000);
    assert!(!trap_condition_passed(0, psr));
}

#[test]
fn stepping_advances_the_it_block_and_wraps_the_pc() {
    // ITT EQ: ITSTATE 0b0000_0100 (cond EQ, mask 0100: two instructions).
    let mut frame = TrapFrame {
        elr: 0x1000,
        spsr: with_it_state(MODE_SVC | PSR_T, 0b0000_0100),
        ..Default::default()
    };
    advance(&mut frame, 2);
    assert_eq!(frame.elr, 0x1002);
    assert_eq!(it_state(frame.spsr), 0b0000_1000);
    advance(&mut frame, 4);
    // The mask's low three bits were 0: the block is done.
    assert_eq!(it_state(frame.spsr), 0);
    assert_eq!(frame.spsr, MODE_SVC | PSR_T);
    frame.elr = 0xffff_fffe;
    advance(&mut frame, 2);
    assert_eq!(frame.elr, 0);
}

#[test]
fn an_undefined_entry_goes_to_und_mode_at_vbar_plus_4() {
    let mut frame = TrapFrame {
        elr: 0x8000_1234,
        spsr: MODE_USR | (0b1010 << 28),
        ..Default::default()
    };
    let mut regs = EntryRegs {
        sctlr: SCTLR_RESET,
        vbar: 0xc000_8000,
        ..Default::default()
    };
    take_exception(&mut frame, &mut regs, Exception::Undefined);
    assert_eq!(frame.elr, 0xc000_8004);
    assert_eq!(frame.spsr, MODE_UND | PSR_I | (0b1010 << 28));
    assert_eq!(regs.spsr_und, MODE_USR | (0b1010 << 28));
    assert_eq!(frame.x[22], 0x8000_1238, "LR_und");
}

#[test]
fn an_abort_from_thumb_with_high_vectors_and_te() {
    let it = with_it_state(MODE_SVC | PSR_T, 0b0000_0100);
    let mut frame = TrapFrame {
        elr: 0x40,
        spsr: it,
        ..Default::default()
    };
    let mut regs = EntryRegs {
        sctlr: SCTLR_RESET | SCTLR_V | SCTLR_TE,
        ..Default::default()
    };
    take_exception(&mut frame, &mut regs, Exception::DataAbort { write: true });
    assert_eq!(frame.elr, 0xffff_0010);
    assert_eq!(frame.spsr, MODE_ABT | PSR_I | PSR_A | PSR_T, "IT cleared");
    assert_eq!(regs.spsr_abt, it);
    assert_eq!(frame.x[20], 0x48, "LR_abt: the access plus 8");
    assert_eq!(regs.dfsr, DFSR_WNR | DFSR_SHORT_SYNC_EXTERNAL);
    // With TTBCR.EAE the Long-descriptor format.
    regs.ttbcr = TTBCR_EAE;
    take_exception(&mut frame, &mut regs, Exception::DataAbort { write: false });
    assert_eq!(regs.dfsr, DFSR_LPAE | DFSR_LONG_SYNC_EXTERNAL);
}
