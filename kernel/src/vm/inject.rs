//! Exceptions the kernel makes a guest take at EL1 (when `qvm`'s
//! `unsupported fail` policy answers an exit): the state change of taking
//! an exception, done on the saved vCPU (ARM ARM D1.10).

use super::Vcpu;
use arch::aarch64::esr::{
    EC_DABT_CURRENT as EC_DABT_SAME, EC_DABT_LOWER, EC_UNKNOWN, ESR_IL, FSC_SYNC_EXTERNAL, ISS_WNR,
};
use arch::aarch64::trap_frame::{SPSR_DAIF, SPSR_EL1H};
/// Vector offsets: synchronous exception from the current EL with SP_ELx,
/// and from a lower EL in AArch64.
const VECTOR_CURRENT_SPX: u64 = 0x200;
const VECTOR_LOWER_A64: u64 = 0x400;

fn take_exception(v: &mut Vcpu, esr_class: u64, iss: u64) {
    let from_el0 = v.frame.spsr & 0b1111 == 0;
    let ec = if esr_class == EC_DABT_SAME && from_el0 {
        EC_DABT_LOWER
    } else {
        esr_class
    };
    v.el1.esr = (ec << 26) | ESR_IL | iss;
    v.el1.elr = v.frame.elr;
    v.el1.spsr = v.frame.spsr;
    v.frame.elr = v.el1.vbar
        + if from_el0 {
            VECTOR_LOWER_A64
        } else {
            VECTOR_CURRENT_SPX
        };
    v.frame.spsr = SPSR_EL1H | SPSR_DAIF;
}

/// A synchronous external abort on the data access the vCPU stopped at.
pub fn data_abort(v: &mut Vcpu, write: bool) {
    let iss = FSC_SYNC_EXTERNAL | if write { ISS_WNR } else { 0 };
    v.el1.far = v.fault_va;
    take_exception(v, EC_DABT_SAME, iss);
}

/// An undefined-instruction exception for the instruction it stopped at.
pub fn undefined(v: &mut Vcpu) {
    take_exception(v, EC_UNKNOWN, 0);
}
