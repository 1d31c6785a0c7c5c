//! One home for what an exit leaves open until `qvm` answers: the
//! [`Pending`] state a vCPU keeps between the exit (decoded in
//! [`super`]) and its next `vcpu_run`, and [`complete`], which applies
//! `qvm`'s answer: a read's value into the register the instruction
//! named, the PC stepped by the instruction's length, or an exception
//! injected instead.

use super::super::Vcpu;
use abi::{Error, VcpuExit, response};
use arch::aarch64::trap_frame::TrapFrame;

/// What a vCPU's next `vcpu_run` must finish first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pending {
    /// Nothing.
    None,
    /// An MMIO read: the value goes into register `reg`.
    MmioRead {
        /// Destination register (31: none).
        reg: usize,
        /// Access size in bytes.
        size: usize,
        /// Sign-extend the value.
        sign: bool,
        /// 64-bit destination.
        wide: bool,
    },
    /// An MMIO write: just step past it.
    MmioWrite,
    /// An HVC or SMC: x0..x3 from the answer; `step` says whether the PC
    /// must move past the instruction (SMC traps leave it on the SMC).
    Call {
        /// Advance the PC by 4.
        step: bool,
    },
    /// A trapped system register read into `reg` (or a write, `reg` 31).
    SysReg {
        /// Destination register of a read (31 for writes).
        reg: usize,
    },
    /// An exit the guest cannot go past (qvm may only end the VM or inject).
    Stuck,
}

/// Applies `qvm`'s answer to the exit the vCPU stopped at.
pub fn complete(v: &mut Vcpu, answer: &VcpuExit) -> Result<(), Error> {
    let inject_abort = answer.response == response::INJECT_ABORT;
    match (v.pending, inject_abort) {
        (Pending::None, _) => {}
        (Pending::MmioRead { .. } | Pending::MmioWrite, true) => {
            super::super::inject::data_abort(v, matches!(v.pending, Pending::MmioWrite));
        }
        (
            Pending::MmioRead {
                reg,
                size,
                sign,
                wide,
            },
            false,
        ) => {
            set_reg(&mut v.frame, reg, answer.value, size, sign, wide);
            v.frame.elr += v.exit_len;
        }
        (Pending::MmioWrite, false) => v.frame.elr += v.exit_len,
        (Pending::Call { step }, _) => {
            v.frame.x[..4].copy_from_slice(&answer.args);
            if step {
                v.frame.elr += v.exit_len;
            }
        }
        (Pending::SysReg { .. }, true) | (Pending::Stuck, true) => {
            super::super::inject::undefined(v)
        }
        (Pending::SysReg { reg }, false) => {
            set_reg(&mut v.frame, reg, answer.value, 8, false, true);
            v.frame.elr += v.exit_len;
        }
        (Pending::Stuck, false) => return Err(Error::InvalidArgument),
    }
    v.pending = Pending::None;
    Ok(())
}

/// Writes an MMIO read result into guest register `n` (31: discarded), as
/// an `ldr` of `size` bytes with or without sign extension would.
pub fn set_reg(frame: &mut TrapFrame, n: usize, value: u64, size: usize, sign: bool, wide: bool) {
    if n == 31 {
        return;
    }
    let bits = 8 * size as u32;
    let mut v = if bits >= 64 {
        value
    } else {
        value & ((1u64 << bits) - 1)
    };
    if sign && bits < 64 {
        let shift = 64 - bits;
        v = (((v << shift) as i64) >> shift) as u64;
    }
    if !wide {
        v &= 0xffff_ffff;
    }
    frame.x[n] = v;
}
