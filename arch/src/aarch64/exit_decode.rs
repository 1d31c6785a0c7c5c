//! A guest's trap to EL2 turned into an arch-neutral [`GuestExit`], and
//! the completion of what `qvm` or the kernel answers: pure functions of
//! the saved frame and the syndrome registers (ESR_EL2, FAR_EL2,
//! HPFAR_EL2), tested on the build host. The backend (`virt.rs`) reads
//! the registers and calls these.

use super::esr;
use super::sysreg;
use super::trap_frame::TrapFrame;
use crate::exit::{GuestExit, Hypercall, MmioAccess, RegisterAccess};

/// ISS of an MSR/MRS trap: the ICC_SGI1R_EL1 access (op0 3, op1 0, CRn
/// 12, CRm 11, op2 5), without Rt and direction.
const SYSREG_ICC_SGI1R: u64 = (3 << 20) | (5 << 17) | (12 << 10) | (11 << 1);
/// ISS of the ID group 3 registers: op0 3, op1 0, CRn 0 (CRm and op2
/// vary).
const SYSREG_ID_GROUP: u64 = 3 << 20;
/// The fields that select the ID group: op0, op1, CRn.
const SYSREG_ID_GROUP_MASK: u64 = (3 << 20) | (7 << 14) | (0xf << 10);
/// The fields of a system-register ISS that name the register.
pub const SYSREG_ID_MASK: u64 = (3 << 20) | (7 << 17) | (7 << 14) | (0xf << 10) | (0xf << 1);
/// ISS bit 0 of an MSR/MRS trap: a read (MRS).
const SYSREG_READ: u64 = 1;
/// ISS bit 0 of a WFx trap: WFE (else WFI).
const WFX_WFE: u64 = 1;

/// [`Hypercall::conduit`] of an HVC.
pub const CONDUIT_HVC: u8 = 0;
/// [`Hypercall::conduit`] of a trapped SMC.
pub const CONDUIT_SMC: u8 = 1;

/// The syndrome registers of a trap from the guest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Syndrome {
    /// ESR_EL2 (for a trap that is not synchronous: the vector kind).
    pub esr: u64,
    /// FAR_EL2: the guest's virtual address of an abort.
    pub far: u64,
    /// HPFAR_EL2: its intermediate physical page.
    pub hpfar: u64,
}

impl Syndrome {
    /// Bytes of the trapped instruction.
    #[inline]
    pub fn instruction_length(&self) -> u64 {
        esr::instruction_length(self.esr) as u64
    }
}

/// HPFAR_EL2 turned into the faulting intermediate physical address, with
/// the page offset from FAR_EL2.
#[inline]
pub fn fault_ipa(hpfar: u64, far: u64) -> u64 {
    ((hpfar & 0x0000_0fff_ffff_fff0) << 8) | (far & 0xfff)
}

/// General-purpose register `n` (31: the zero register).
#[inline]
pub fn reg(frame: &TrapFrame, n: u8) -> u64 {
    frame.x.get(n as usize).copied().unwrap_or(0)
}

/// Writes general-purpose register `n` (31: discarded).
#[inline]
pub fn set_reg(frame: &mut TrapFrame, n: u8, value: u64) {
    if let Some(r) = frame.x.get_mut(n as usize) {
        *r = value;
    }
}

/// Decodes a synchronous trap from the guest. `id_register(crm, op2)`
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
                frame.elr += len;
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
            frame.elr += len;
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

fn system_register(
    frame: &mut TrapFrame,
    iss: u64,
    len: u64,
    id_register: impl Fn(u64, u64) -> u64,
) -> GuestExit {
    let access = sysreg::decode(iss);
    let rt = access.rt as u8;
    if iss & SYSREG_ID_MASK == SYSREG_ICC_SGI1R && !access.read {
        frame.elr += len;
        return GuestExit::SendIpi(reg(frame, rt));
    }
    if iss & SYSREG_ID_GROUP_MASK == SYSREG_ID_GROUP && access.read {
        // An ID register (HCR_EL2.TID3): the CPU's, less what the guest
        // must not use; reserved encodings read as zero.
        if (1..=7).contains(&access.crm) {
            set_reg(frame, rt, id_register(access.crm, access.op2));
        }
        frame.elr += len;
        return GuestExit::Handled;
    }
    if access.is_debug() || access.is_pmu() {
        // Debug and PMU registers (MDCR_EL2): read as zero, writes
        // dropped; their state is the host's, never one VM's.
        if access.read {
            set_reg(frame, rt, 0);
        }
        frame.elr += len;
        return GuestExit::Handled;
    }
    GuestExit::Register(RegisterAccess {
        id: iss & SYSREG_ID_MASK,
        write: iss & SYSREG_READ == 0,
        value: if access.read { 0 } else { reg(frame, rt) },
        reg: if access.read {
            rt
        } else {
            MmioAccess::NO_REGISTER
        },
    })
}

/// Completes an MMIO load: the value into its register, the PC past it.
#[inline]
pub fn complete_load(frame: &mut TrapFrame, s: &Syndrome, access: &MmioAccess, value: u64) {
    set_reg(frame, access.reg, access.load_result(value));
    frame.elr += s.instruction_length();
}

#[cfg(test)]
mod tests {
    use super::*;

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
