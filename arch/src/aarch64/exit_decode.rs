//! A guest's trap to EL2 turned into an arch-neutral [`GuestExit`], and
//! the completion of what `qvm` or the kernel answers: pure functions of
//! the saved frame and the syndrome registers (ESR_EL2, FAR_EL2,
//! HPFAR_EL2), tested on the build host. The backend (`virt.rs`) reads
//! the registers and calls these.

use super::esr;
use super::sysreg_exit::system_register;
use super::trap_frame::TrapFrame;
pub use super::trap_regs::{CONDUIT_HVC, CONDUIT_SMC, Syndrome, reg, set_reg, step};
use crate::exit::{GuestExit, Hypercall, MmioAccess};

/// ISS bit 0 of a WFx trap: WFE (else WFI).
const WFX_WFE: u64 = 1;

/// HPFAR_EL2 turned into the faulting intermediate physical address, with
/// the page offset from FAR_EL2.
#[inline]
pub fn fault_ipa(hpfar: u64, far: u64) -> u64 {
    ((hpfar & 0x0000_0fff_ffff_fff0) << 8) | (far & 0xfff)
}

/// Decodes a synchronous trap from the guest (from AArch32: the AArch64
/// trap `exit_decode32::as_aarch64` makes of it). `id_register(crm, op2)`
/// gives the value of an ID register as the guest must see it. Traps the
/// decoder completes (WFx, SGI writes, ID and debug registers, a trapped
/// SMC) step the PC themselves.
#[inline]
pub fn decode(
    frame: &mut TrapFrame,
    s: &Syndrome,
    id_register: impl Fn(u64, u64) -> u64,
) -> GuestExit {
    let iss = esr::iss(s.esr);
    let len = s.instruction_length();
    match esr::class(s.esr) {
        esr::EC_DABT_LOWER => {
            let gpa = fault_ipa(s.hpfar, s.far);
            let Some(access) = esr::data_access(s.esr) else {
                return GuestExit::UndecodedAccess(gpa);
            };
            let width = access.size as u8;
            let reg_n = access.register as u8;
            GuestExit::Mmio(MmioAccess {
                gpa,
                width,
                write: access.write,
                value: if access.write {
                    reg(frame, reg_n) & MmioAccess::mask(width)
                } else {
                    0
                },
                reg: reg_n,
                sign_extend: access.sign_extend,
                wide: access.sixty_four,
            })
        }
        ec @ (esr::EC_HVC64 | esr::EC_SMC64) => {
            // An HVC leaves the PC after it; a trapped SMC on it.
            let conduit = if ec == esr::EC_SMC64 {
                step(frame, len);
                CONDUIT_SMC
            } else {
                CONDUIT_HVC
            };
            GuestExit::Hypercall(Hypercall {
                args: [frame.x[0], frame.x[1], frame.x[2], frame.x[3]],
                conduit,
            })
        }
        esr::EC_WFX => {
            step(frame, len);
            if iss & WFX_WFE == 0 {
                GuestExit::Halt
            } else {
                GuestExit::Pause
            }
        }
        esr::EC_SYSREG => system_register(frame, iss, len, id_register),
        _ => GuestExit::Unhandled(s.far),
    }
}

/// Completes an MMIO load: the value into its register, the PC past it.
#[inline]
pub fn complete_load(frame: &mut TrapFrame, s: &Syndrome, access: &MmioAccess, value: u64) {
    set_reg(frame, access.reg, access.load_result(value));
    step(frame, s.instruction_length());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aarch64::sysreg_exit::{
        SYSREG_ICC_SGI1R, SYSREG_ID_GROUP, SYSREG_ID_MASK, SYSREG_READ,
    };

    const IL: u64 = esr::ESR_IL;

    fn ec(class: u64) -> u64 {
        (class << 26) | IL
    }

    fn no_id(_: u64, _: u64) -> u64 {
        panic!("no ID register read expected")
    }

    #[test]
    fn a_str_w1_is_a_4_byte_store_of_the_low_half() {
        // ISV, SAS=2 (word), SRT=1, WnR; IPA page 0x0900_0000 + offset 0x18.
        let iss = esr::ISS_ISV | (2 << 22) | (1 << 16) | esr::ISS_WNR;
        let s = Syndrome {
            esr: ec(esr::EC_DABT_LOWER) | iss,
            far: 0xffff_0000_1234_5018,
            hpfar: 0x0900_0000 >> 8,
        };
        let mut frame = TrapFrame::default();
        frame.x[1] = 0xdead_beef_cafe_f00d;
        frame.elr = 0x4000_0000;
        let exit = decode(&mut frame, &s, no_id);
        let GuestExit::Mmio(access) = exit else {
            panic!("{exit:?}")
        };
        assert_eq!(access.gpa, 0x0900_0018);
        assert_eq!((access.width, access.write, access.reg), (4, true, 1));
        assert_eq!(access.value, 0xcafe_f00d);
        assert_eq!(frame.elr, 0x4000_0000, "a store is stepped when completed");
    }

    #[test]
    fn a_signed_byte_load_completes_sign_extended_and_steps() {
        // ISV, SAS=0, SSE, SRT=3, SF (64-bit register).
        let iss = esr::ISS_ISV | (1 << 21) | (3 << 16) | (1 << 15);
        let s = Syndrome {
            esr: ec(esr::EC_DABT_LOWER) | iss,
            far: 0x10,
            hpfar: 0x1000 >> 8,
        };
        let mut frame = TrapFrame {
            elr: 0x100,
            ..Default::default()
        };
        let GuestExit::Mmio(access) = decode(&mut frame, &s, no_id) else {
            panic!()
        };
        assert!(!access.write && access.sign_extend && access.wide);
        complete_load(&mut frame, &s, &access, 0x1_80);
        assert_eq!(frame.x[3], 0xffff_ffff_ffff_ff80);
        assert_eq!(frame.elr, 0x104);
    }

    #[test]
    fn an_abort_without_syndrome_is_undecoded() {
        let s = Syndrome {
            esr: ec(esr::EC_DABT_LOWER),
            far: 0x234,
            hpfar: 0x5000 >> 8,
        };
        let exit = decode(&mut TrapFrame::default(), &s, no_id);
        assert_eq!(exit, GuestExit::UndecodedAccess(0x5234));
    }

    #[test]
    fn an_smc_is_stepped_and_an_hvc_is_not() {
        let mut frame = TrapFrame::default();
        frame.x[..4].copy_from_slice(&[0x8400_0000, 1, 2, 3]);
        frame.elr = 0x200;
        let smc = Syndrome {
            esr: ec(esr::EC_SMC64),
            ..Default::default()
        };
        let exit = decode(&mut frame, &smc, no_id);
        assert_eq!(
            exit,
            GuestExit::Hypercall(Hypercall {
                args: [0x8400_0000, 1, 2, 3],
                conduit: CONDUIT_SMC
            })
        );
        assert_eq!(frame.elr, 0x204);
        let hvc = Syndrome {
            esr: ec(esr::EC_HVC64),
            ..Default::default()
        };
        decode(&mut frame, &hvc, no_id);
        assert_eq!(frame.elr, 0x204);
    }

    #[test]
    fn wfi_halts_and_wfe_pauses() {
        let mut frame = TrapFrame::default();
        let wfi = Syndrome {
            esr: ec(esr::EC_WFX),
            ..Default::default()
        };
        assert_eq!(decode(&mut frame, &wfi, no_id), GuestExit::Halt);
        let wfe = Syndrome {
            esr: ec(esr::EC_WFX) | WFX_WFE,
            ..Default::default()
        };
        assert_eq!(decode(&mut frame, &wfe, no_id), GuestExit::Pause);
        assert_eq!(frame.elr, 8);
    }

    #[test]
    fn an_sgi1r_write_sends_an_ipi() {
        let mut frame = TrapFrame::default();
        frame.x[2] = 0x0100_0001;
        let s = Syndrome {
            esr: ec(esr::EC_SYSREG) | SYSREG_ICC_SGI1R | (2 << 5),
            ..Default::default()
        };
        assert_eq!(
            decode(&mut frame, &s, no_id),
            GuestExit::SendIpi(0x0100_0001)
        );
        assert_eq!(frame.elr, 4);
    }

    #[test]
    fn an_id_register_read_is_answered_in_place() {
        // MRS x5, ID_AA64PFR0_EL1 (CRm 4, op2 0).
        let iss = SYSREG_ID_GROUP | (4 << 1) | (5 << 5) | SYSREG_READ;
        let s = Syndrome {
            esr: ec(esr::EC_SYSREG) | iss,
            ..Default::default()
        };
        let mut frame = TrapFrame::default();
        let exit = decode(&mut frame, &s, |crm, op2| crm * 16 + op2);
        assert_eq!(exit, GuestExit::Handled);
        assert_eq!((frame.x[5], frame.elr), (64, 4));
    }

    #[test]
    fn a_pmu_read_is_zero() {
        // MRS x0, PMCR_EL0: op0 3, op1 3, CRn 9, CRm 12, op2 0.
        let iss = (3 << 20) | (3 << 14) | (9 << 10) | (12 << 1) | SYSREG_READ;
        let s = Syndrome {
            esr: ec(esr::EC_SYSREG) | iss,
            ..Default::default()
        };
        let mut frame = TrapFrame::default();
        frame.x[0] = 7;
        assert_eq!(decode(&mut frame, &s, no_id), GuestExit::Handled);
        assert_eq!(frame.x[0], 0);
    }

    #[test]
    fn another_register_goes_to_qvm() {
        // MSR (write) of op0 3, op1 0, CRn 15, CRm 2, op2 0 from x4.
        let iss = (3 << 20) | (15 << 10) | (2 << 1) | (4 << 5);
        let s = Syndrome {
            esr: ec(esr::EC_SYSREG) | iss,
            ..Default::default()
        };
        let mut frame = TrapFrame::default();
        frame.x[4] = 99;
        let GuestExit::Register(r) = decode(&mut frame, &s, no_id) else {
            panic!()
        };
        assert!(r.write);
        assert_eq!((r.value, r.reg, r.id), (99, 31, iss & SYSREG_ID_MASK));
        assert_eq!(frame.elr, 0, "completed later");
    }

    #[test]
    fn anything_else_is_unhandled() {
        let s = Syndrome {
            esr: ec(esr::EC_BRK),
            far: 0x77,
            ..Default::default()
        };
        assert_eq!(
            decode(&mut TrapFrame::default(), &s, no_id),
            GuestExit::Unhandled(0x77)
        );
    }
}
