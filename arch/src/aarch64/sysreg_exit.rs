//! A trapped MSR/MRS (ESR_EL2 class 0x18), or an AArch32 CP15 access in
//! the same encoding: the GICv3 SGI register to the kernel, ID registers
//! answered from the CPU's filtered values, debug and PMU registers read
//! as zero, any other register to `qvm`.

use super::sysreg;
use super::trap_frame::TrapFrame;
use super::trap_regs::{reg, set_reg, step};
use crate::exit::{GuestExit, MmioAccess, RegisterAccess};

/// ISS of an MSR/MRS trap: the ICC_SGI1R_EL1 access (op0 3, op1 0, CRn
/// 12, CRm 11, op2 5), without Rt and direction.
pub(super) const SYSREG_ICC_SGI1R: u64 = (3 << 20) | (5 << 17) | (12 << 10) | (11 << 1);
/// ISS of the ID group 3 registers: op0 3, op1 0, CRn 0 (CRm and op2
/// vary).
pub(super) const SYSREG_ID_GROUP: u64 = 3 << 20;
/// The fields that select the ID group: op0, op1, CRn.
pub(super) const SYSREG_ID_GROUP_MASK: u64 = (3 << 20) | (7 << 14) | (0xf << 10);
/// The fields of a system-register ISS that name the register.
pub const SYSREG_ID_MASK: u64 = (3 << 20) | (7 << 17) | (7 << 14) | (0xf << 10) | (0xf << 1);
/// ISS bit 0 of an MSR/MRS trap: a read (MRS).
pub(super) const SYSREG_READ: u64 = 1;
/// An MSR/MRS trap (or, from `exit_decode32.rs`, a CP15 access in the
/// same encoding): the ones completed here are stepped past.
pub(super) fn system_register(
    frame: &mut TrapFrame,
    iss: u64,
    len: u64,
    id_register: impl Fn(u64, u64) -> u64,
) -> GuestExit {
    let access = sysreg::decode(iss);
    let rt = access.rt as u8;
    if iss & SYSREG_ID_MASK == SYSREG_ICC_SGI1R && !access.read {
        step(frame, len);
        return GuestExit::SendIpi(reg(frame, rt));
    }
    if iss & SYSREG_ID_GROUP_MASK == SYSREG_ID_GROUP && access.read {
        // An ID register (HCR_EL2.TID3): the CPU's, less what the guest
        // must not use; reserved encodings read as zero.
        if (1..=7).contains(&access.crm) {
            set_reg(frame, rt, id_register(access.crm, access.op2));
        }
        step(frame, len);
        return GuestExit::Handled;
    }
    if access.is_debug() || access.is_pmu() {
        // Debug and PMU registers (MDCR_EL2): read as zero, writes
        // dropped; their state is the host's, never one VM's.
        if access.read {
            set_reg(frame, rt, 0);
        }
        step(frame, len);
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
