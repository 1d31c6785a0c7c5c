//! A trapped guest's registers as the decoders use them: the syndrome
//! registers of the trap, the general-purpose registers of the saved
//! frame, stepping the PC past the trapped instruction (AArch64 or
//! AArch32), and the conduits of a hypercall.

use super::aarch32;
use super::esr;
use super::trap_frame::TrapFrame;

/// [`crate::exit::Hypercall::conduit`] of an HVC.
pub const CONDUIT_HVC: u8 = 0;
/// [`crate::exit::Hypercall::conduit`] of a trapped SMC.
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

/// Steps the guest past the trapped instruction of `len` bytes (from
/// AArch32: within 32 bits, and through an IT block).
#[inline]
pub fn step(frame: &mut TrapFrame, len: u64) {
    if aarch32::from_aarch32(frame.spsr) {
        aarch32::advance(frame, len);
    } else {
        frame.elr += len;
    }
}
