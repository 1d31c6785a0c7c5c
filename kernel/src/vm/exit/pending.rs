//! One home for what an exit leaves open until `qvm` answers: the
//! [`Pending`] state a vCPU keeps between the exit (decoded in
//! [`super`]) and its next `vcpu_run`, and [`complete`], which applies
//! `qvm`'s answer through the backend: a load's value into its register,
//! the PC stepped past the instruction, or an exception injected instead.

use crate::hw::{Arch, Frame, VcpuState};
use abi::{Error, VcpuExit, response};
use arch::{MmioAccess, RegisterAccess, Virtualization};

/// What a vCPU's next `vcpu_run` must finish first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pending {
    /// Nothing.
    None,
    /// An MMIO load: the answer's value goes into its register.
    Load(MmioAccess),
    /// An MMIO store: just step past it.
    Store,
    /// A hypercall: its argument registers from the answer's `args`.
    Call,
    /// A register access: a read's value from the answer.
    Register(RegisterAccess),
    /// An exit the guest cannot go past (qvm may only end the VM or inject).
    Stuck,
}

/// Applies `qvm`'s answer to the exit a vCPU stopped at (its frame,
/// state and pending exit).
pub fn complete(
    frame: &mut Frame,
    state: &mut VcpuState,
    pending: &mut Pending,
    answer: &VcpuExit,
) -> Result<(), Error> {
    let inject = answer.response == response::INJECT_ABORT;
    match (*pending, inject) {
        (Pending::None, _) => {}
        (Pending::Load(_), true) => Arch::inject_data_abort(frame, state, false),
        (Pending::Store, true) => Arch::inject_data_abort(frame, state, true),
        (Pending::Load(access), false) => Arch::complete_load(frame, state, &access, answer.value),
        (Pending::Store, false) => Arch::step(frame, state),
        (Pending::Call, _) => Arch::complete_hypercall(frame, answer.args),
        (Pending::Register(_) | Pending::Stuck, true) => Arch::inject_undefined(frame, state),
        (Pending::Register(access), false) if access.write => Arch::step(frame, state),
        (Pending::Register(access), false) => {
            Arch::complete_register_read(frame, state, &access, answer.value)
        }
        (Pending::Stuck, false) => return Err(Error::InvalidArgument),
    }
    *pending = Pending::None;
    Ok(())
}
