//! The traps only a guest in AArch32 takes (ESR_EL2 classes 0x03-0x08,
//! 0x0c, 0x12, 0x13; ARM ARM D17.2.37), decoded like the AArch64 ones in
//! `exit_decode.rs` (which calls [`decode`]): CP15 register accesses as the AArch64 system
//! register of the same encoding (op0 3), the GICv3 SGI register written
//! with MCRR, CP14 debug registers read as zero, the MVFR ID registers
//! read by VMRS, and HVC/SMC with their 32-bit arguments.

use super::aarch32;
use super::esr;
use super::sysreg_exit::system_register;
use super::trap_frame::TrapFrame;
use super::trap_regs::{CONDUIT_HVC, CONDUIT_SMC, Syndrome, reg, set_reg, step};
use crate::exit::{GuestExit, Hypercall, RegisterAccess};

/// ISS bits 19:0 of an MCR/MRC trap: Opc2, Opc1, CRn, Rt, CRm and the
/// direction, where an AArch64 system-register trap has them.
const MCR_FIELDS: u64 = 0x000f_ffff;
/// op0 = 3, the AArch64 encoding space of the CP15 registers.
const OP0_3: u64 = 3 << 20;
/// ISS bit 0 of a coprocessor trap: a read (MRC, MRRC, VMRS).
const DIRECTION_READ: u64 = 1;
/// MCRR/MRRC: Opc1 at 19:16, Rt2 at 14:10, Rt at 9:5, CRm at 4:1.
const MCRR_CRM_GIC_SGI: u64 = 12;
/// MCRR's Opc1 of ICC_SGI1R, ICC_ASGI1R and ICC_SGI0R.
const OPC1_SGI1R: u64 = 0;
const OPC1_ASGI1R: u64 = 1;
const OPC1_SGI0R: u64 = 2;
/// The AArch64 encodings (op0 3, op1 0, CRn 12, CRm 11, op2 6 and 7) of
/// ICC_ASGI1R_EL1 and ICC_SGI0R_EL1, as an MSR trap's ISS names them.
const ID_ASGI1R: u64 = OP0_3 | (6 << 17) | (12 << 10) | (11 << 1);
const ID_SGI0R: u64 = OP0_3 | (7 << 17) | (12 << 10) | (11 << 1);
/// The 32-bit half of an X register an AArch32 register is.
const LOW_WORD: u64 = 0xffff_ffff;
/// APSR.N, Z, C, V: where an MRC to R15 (APSR_nzcv) puts bits 31:28.
const PSR_NZCV: u64 = 0xf << 28;
/// VMRS's register field (in CRn) of MVFR2, MVFR1, MVFR0.
const VMRS_MVFR2: u64 = 5;
const VMRS_MVFR1: u64 = 6;
const VMRS_MVFR0: u64 = 7;
/// CRm of the ID group holding MVFR0_EL1..MVFR2_EL1 (op2 0..2).
const ID_CRM_MVFR: u64 = 3;

/// Decodes a trap from an AArch32 guest of class `ec`.
pub fn decode(
    frame: &mut TrapFrame,
    s: &Syndrome,
    ec: u64,
    id_register: impl Fn(u64, u64) -> u64,
) -> GuestExit {
    let iss = esr::iss(s.esr);
    let len = s.instruction_length();
    // An HVC is never conditional; the others may be, and a trap of one
    // that failed its condition is a no-op (D17.2.37, CV and COND).
    if ec != esr::EC_HVC32 && !aarch32::trap_condition_passed(s.esr, frame.spsr) {
        step(frame, len);
        return GuestExit::Handled;
    }
    match ec {
        esr::EC_CP15_32 => {
            let exit = system_register(frame, OP0_3 | (iss & MCR_FIELDS), len, id_register);
            match exit {
                GuestExit::Register(r) => GuestExit::Register(RegisterAccess {
                    value: r.value & LOW_WORD,
                    ..r
                }),
                other => other,
            }
        }
        esr::EC_CP15_64 => register_pair(frame, iss, len, s.far),
        esr::EC_CP14_32 | esr::EC_CP14_64 => {
            debug_read_as_zero(frame, iss, ec);
            step(frame, len);
            GuestExit::Handled
        }
        esr::EC_VMRS_ID => {
            let op2 = match (iss >> 10) & 0xf {
                VMRS_MVFR0 => Some(0),
                VMRS_MVFR1 => Some(1),
                VMRS_MVFR2 => Some(2),
                _ => None,
            };
            let rt = ((iss >> 5) & 0x1f) as u8;
            let value = op2.map_or(0, |op2| id_register(ID_CRM_MVFR, op2));
            set_reg(frame, rt, value & LOW_WORD);
            step(frame, len);
            GuestExit::Handled
        }
        esr::EC_HVC32 | esr::EC_SMC32 => {
            let conduit = if ec == esr::EC_SMC32 {
                step(frame, len);
                CONDUIT_SMC
            } else {
                CONDUIT_HVC
            };
            GuestExit::Hypercall(Hypercall {
                args: [0, 1, 2, 3].map(|n| reg(frame, n) & LOW_WORD),
                conduit,
            })
        }
        _ => GuestExit::Unhandled(s.far),
    }
}

/// MCRR/MRRC to CP15: with HCR_EL2.IMO only the GICv3 SGI registers trap
/// (the counters and timers are the guest's, the translation registers
/// are not trapped): ICC_SGI1R goes to the kernel like its MSR, the other
/// two to `qvm` as their AArch64 registers.
fn register_pair(frame: &mut TrapFrame, iss: u64, len: u64, far: u64) -> GuestExit {
    let opc1 = (iss >> 16) & 0xf;
    let rt2 = ((iss >> 10) & 0x1f) as u8;
    let rt = ((iss >> 5) & 0x1f) as u8;
    let crm = (iss >> 1) & 0xf;
    if iss & DIRECTION_READ != 0 || crm != MCRR_CRM_GIC_SGI {
        return GuestExit::Unhandled(far);
    }
    let value = ((reg(frame, rt2) & LOW_WORD) << 32) | (reg(frame, rt) & LOW_WORD);
    let id = match opc1 {
        OPC1_SGI1R => {
            step(frame, len);
            return GuestExit::SendIpi(value);
        }
        OPC1_ASGI1R => ID_ASGI1R,
        OPC1_SGI0R => ID_SGI0R,
        _ => return GuestExit::Unhandled(far),
    };
    GuestExit::Register(RegisterAccess {
        id,
        write: true,
        value,
        reg: crate::exit::MmioAccess::NO_REGISTER,
    })
}

/// A CP14 access (MDCR_EL2 traps the debug registers): reads are zero,
/// writes dropped, as for the AArch64 debug registers (`sysreg.rs`). An
/// MRC to R15 sets APSR.NZCV from the value: cleared.
fn debug_read_as_zero(frame: &mut TrapFrame, iss: u64, ec: u64) {
    if iss & DIRECTION_READ == 0 {
        return;
    }
    let rt = ((iss >> 5) & 0x1f) as u8;
    if ec == esr::EC_CP14_32 && rt == 15 {
        frame.spsr &= !PSR_NZCV;
        return;
    }
    set_reg(frame, rt, 0);
    if ec == esr::EC_CP14_64 {
        set_reg(frame, ((iss >> 10) & 0x1f) as u8, 0);
    }
}

#[cfg(test)]
mod tests;
