//! The traps only a guest in AArch32 takes (ESR_EL2 classes 0x03-0x08,
//! 0x0c, 0x12, 0x13; ARM ARM D17.2.37), turned into the AArch64 trap
//! that means the same, which `exit_decode.rs` then decodes: an MCR/MRC
//! to CP15 is the MSR/MRS of the AArch64 register of the same encoding
//! (op0 3: ID, PMU and `TIDCP` registers as from AArch64), an MCRR to the
//! GICv3 SGI registers their MSR, a CP14 debug access or a VMRS of MVFR0-2
//! the AArch64 debug or ID register access, HVC and SMC their AArch64
//! forms, and a trapped instruction that failed its condition a write the
//! decoder drops (stepped past).
//!
//! Translating the syndrome instead of decoding a second time keeps the
//! AArch64 exit path as it was. The exit record still reports the real
//! ESR_EL2 (`virt.rs` keeps it aside); the instruction length (IL) is
//! kept; of the guest's registers only what AArch32 code cannot see
//! changes (the upper halves of x0-x30).

use super::aarch32;
use super::esr;
use super::trap_frame::TrapFrame;
use super::trap_regs::{Syndrome, reg, set_reg};

/// ISS bits 19:0 of an MCR/MRC trap: Opc2, Opc1, CRn, Rt, CRm and the
/// direction, where an AArch64 system-register trap has them.
const MCR_FIELDS: u64 = 0x000f_ffff;
/// op0 of the AArch64 encodings: 3 (CP15's registers), 2 (debug).
const OP0_3: u64 = 3 << 20;
const OP0_2: u64 = 2 << 20;
/// ISS bit 0 of a coprocessor or system-register trap: a read.
const DIRECTION_READ: u64 = 1;
/// The Rt field of an ISS.
const RT_SHIFT: u64 = 5;
const RT_MASK: u64 = 0x1f << RT_SHIFT;
/// MCRR's CRm of the GICv3 SGI registers, and its Opc1 of ICC_SGI1R,
/// ICC_ASGI1R, ICC_SGI0R: their AArch64 op2 (op0 3, op1 0, CRn 12, CRm 11)
/// is 5, 6, 7.
const MCRR_CRM_GIC_SGI: u64 = 12;
const SGI_OP2: [u64; 3] = [5, 6, 7];
/// The AArch64 encoding (less op2, Rt, direction) of ICC_SGI1R_EL1 and its
/// two neighbours.
const SGI_REGISTERS: u64 = OP0_3 | (12 << 10) | (11 << 1);
/// An AArch32 register's half of an X register.
const LOW_WORD: u64 = 0xffff_ffff;
/// APSR.N, Z, C, V: where an MRC to R15 (APSR_nzcv) puts bits 31:28.
const PSR_NZCV: u64 = 0xf << 28;
/// VMRS's register field (in CRn) of MVFR2, MVFR1, MVFR0, and the AArch64
/// ID group's CRm of MVFR0_EL1..MVFR2_EL1 (op2 0..2).
const VMRS_MVFR: [(u64, u64); 3] = [(7, 0), (6, 1), (5, 2)];
const ID_CRM_MVFR: u64 = 3;
/// A write of a debug register (op0 2, MDSCR_EL1's encoding from x31):
/// what the decoder drops, stepping past the instruction.
const DROPPED_WRITE: u64 = OP0_2 | (2 << 17) | (2 << 1) | (31 << RT_SHIFT);

/// `s` with class `ec` and instruction-specific syndrome `iss` (IL kept).
fn with(s: &Syndrome, ec: u64, iss: u64) -> Syndrome {
    Syndrome {
        esr: (ec << 26) | (s.esr & esr::ESR_IL) | iss,
        ..*s
    }
}

/// Clears the upper halves of x0..x3 (`n` registers), which AArch32 code
/// does not have, so the decoder reads 32-bit values.
fn narrow(frame: &mut TrapFrame, n: usize) {
    for x in frame.x.iter_mut().take(n) {
        *x &= LOW_WORD;
    }
}

/// Makes the AArch32 trap `s` the AArch64 trap it amounts to (unchanged
/// for the classes both states share: data aborts, WFI/WFE that passed
/// their condition, and the unhandled ones). Out of line: AArch32 traps
/// only.
#[inline(never)]
pub fn as_aarch64(frame: &mut TrapFrame, s: &mut Syndrome) {
    *s = translated(frame, s);
}

/// What [`as_aarch64`] makes of `s`.
fn translated(frame: &mut TrapFrame, s: &Syndrome) -> Syndrome {
    let ec = esr::class(s.esr);
    let iss = esr::iss(s.esr);
    let rt = ((iss & RT_MASK) >> RT_SHIFT) as u8;
    let read = iss & DIRECTION_READ != 0;
    // An HVC is never conditional; the other trapped instructions may be,
    // and a trap of one that failed its condition is a no-op (D17.2.37,
    // CV and COND). Aborts have no condition.
    let conditional = matches!(
        ec,
        esr::EC_WFX
            | esr::EC_CP15_32
            | esr::EC_CP15_64
            | esr::EC_CP14_32
            | esr::EC_CP14_64
            | esr::EC_CP14_LS
            | esr::EC_VMRS_ID
            | esr::EC_SMC32
    );
    if conditional && !aarch32::trap_condition_passed(s.esr, frame.spsr) {
        return with(s, esr::EC_SYSREG, DROPPED_WRITE);
    }
    match ec {
        esr::EC_CP15_32 => {
            if !read {
                set_reg(frame, rt, reg(frame, rt) & LOW_WORD);
            }
            with(s, esr::EC_SYSREG, OP0_3 | (iss & MCR_FIELDS))
        }
        esr::EC_CP15_64 => register_pair(frame, s, iss),
        // Debug registers (MDCR_EL2 traps them) read as zero: as an
        // AArch64 debug register read into Rt (and Rt2 of an MRRC). An
        // MRC to R15 sets APSR.NZCV from the value: cleared.
        esr::EC_CP14_32 | esr::EC_CP14_64 if read => {
            if ec == esr::EC_CP14_32 && rt == 15 {
                frame.spsr &= !PSR_NZCV;
                return with(s, esr::EC_SYSREG, DROPPED_WRITE);
            }
            if ec == esr::EC_CP14_64 {
                set_reg(frame, ((iss >> 10) & 0x1f) as u8, 0);
            }
            with(s, esr::EC_SYSREG, OP0_2 | (iss & RT_MASK) | DIRECTION_READ)
        }
        esr::EC_CP14_32 | esr::EC_CP14_64 => with(s, esr::EC_SYSREG, DROPPED_WRITE),
        esr::EC_VMRS_ID => {
            let reg_field = (iss >> 10) & 0xf;
            match VMRS_MVFR.iter().find(|(r, _)| *r == reg_field) {
                Some(&(_, op2)) => with(
                    s,
                    esr::EC_SYSREG,
                    OP0_3 | (op2 << 17) | (iss & RT_MASK) | (ID_CRM_MVFR << 1) | DIRECTION_READ,
                ),
                // No other VMRS traps (HCR_EL2.TID0 is clear).
                None => *s,
            }
        }
        esr::EC_HVC32 => {
            narrow(frame, 4);
            with(s, esr::EC_HVC64, 0)
        }
        esr::EC_SMC32 => {
            narrow(frame, 4);
            with(s, esr::EC_SMC64, 0)
        }
        _ => *s,
    }
}

/// MCRR/MRRC to CP15: with HCR_EL2.IMO only the GICv3 SGI registers trap
/// (the counters and timers are the guest's, the translation registers
/// are not trapped). An MCRR to one becomes its MSR from Rt, whose X
/// register takes the 64-bit value Rt2:Rt (the AArch32 code sees only its
/// low half, which is Rt's own).
fn register_pair(frame: &mut TrapFrame, s: &Syndrome, iss: u64) -> Syndrome {
    let opc1 = (iss >> 16) & 0xf;
    let rt2 = ((iss >> 10) & 0x1f) as u8;
    let rt = ((iss & RT_MASK) >> RT_SHIFT) as u8;
    let crm = (iss >> 1) & 0xf;
    let op2 = SGI_OP2.get(opc1 as usize);
    match op2 {
        Some(op2) if iss & DIRECTION_READ == 0 && crm == MCRR_CRM_GIC_SGI && rt != 15 => {
            let value = ((reg(frame, rt2) & LOW_WORD) << 32) | (reg(frame, rt) & LOW_WORD);
            set_reg(frame, rt, value);
            with(
                s,
                esr::EC_SYSREG,
                SGI_REGISTERS | (op2 << 17) | (iss & RT_MASK),
            )
        }
        _ => *s,
    }
}

#[cfg(test)]
mod tests;
