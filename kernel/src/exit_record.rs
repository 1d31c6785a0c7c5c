//! What a guest exit the kernel does not handle itself becomes for `qvm`,
//! and how `qvm`'s answer completes it: the neutral exit record's header
//! ([`Header`]), what a vCPU keeps until the answer ([`Pending`]), and
//! [`complete`], which applies the answer through any virtualization
//! backend (a load's value into its register, the PC stepped past the
//! instruction, or an exception injected instead). Pure: tested on the
//! build host against a mock backend (`exit_record/tests.rs`).

use abi::{Error, ExitKind, VcpuExit, response};
use arch::{GuestExit, Hypercall, MmioAccess, RegisterAccess, Virtualization};

/// The neutral header of an exit record (the PC and the architecture
/// words are added when the record is written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// What ended the run.
    pub kind: ExitKind,
    /// Guest-physical address; the register; the port.
    pub address: u64,
    /// Access width in bytes.
    pub size: u64,
    /// A write.
    pub write: bool,
    /// A write's value.
    pub value: u64,
    /// A hypercall's arguments.
    pub args: [u64; 4],
}

impl Header {
    /// An exit with only a kind and an address.
    pub fn bare(kind: ExitKind, address: u64) -> Header {
        Header {
            kind,
            address,
            size: 0,
            write: false,
            value: 0,
            args: [0; 4],
        }
    }

    /// The record `qvm` reads, with the guest's `pc` and the backend's
    /// architecture words.
    #[inline]
    pub fn record(&self, pc: u64, arch: [u64; abi::EXIT_ARCH_WORDS]) -> VcpuExit {
        VcpuExit {
            kind: self.kind as u64,
            address: self.address,
            size: self.size,
            write: u64::from(self.write),
            value: self.value,
            pc,
            args: self.args,
            response: response::COMPLETE,
            arch,
            lines: [0; abi::EXIT_LINES],
        }
    }
}

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

/// An MMIO access for `qvm`: its header and what stays pending.
#[inline]
pub fn mmio(access: &MmioAccess) -> (Header, Pending) {
    let header = Header {
        kind: ExitKind::Mmio,
        address: access.gpa,
        size: u64::from(access.width),
        write: access.write,
        value: access.value,
        args: [0; 4],
    };
    let pending = if access.write {
        Pending::Store
    } else {
        Pending::Load(*access)
    };
    (header, pending)
}

/// An I/O port access (x86 IN or OUT; `access.gpa` is the port) for
/// `qvm`: its header and what stays pending.
#[inline]
pub fn port_io(access: &MmioAccess) -> (Header, Pending) {
    let (header, pending) = mmio(access);
    let header = Header {
        kind: ExitKind::PortIo,
        ..header
    };
    (header, pending)
}

/// A hypercall the kernel does not answer, for `qvm`.
pub fn hypercall(call: &Hypercall) -> (Header, Pending) {
    let header = Header {
        args: call.args,
        ..Header::bare(ExitKind::Hypercall, 0)
    };
    (header, Pending::Call)
}

/// A register access for `qvm`.
pub fn register(access: &RegisterAccess) -> (Header, Pending) {
    let header = Header {
        write: access.write,
        value: access.value,
        ..Header::bare(ExitKind::Register, access.id)
    };
    (header, Pending::Register(*access))
}

/// An exit the guest cannot go past, for `qvm`, if `exit` is one.
pub fn stuck(exit: &GuestExit) -> Option<(Header, Pending)> {
    match *exit {
        GuestExit::UndecodedAccess(address) | GuestExit::Unhandled(address) => {
            Some((Header::bare(ExitKind::Unhandled, address), Pending::Stuck))
        }
        _ => None,
    }
}

/// Applies `qvm`'s answer to the exit a vCPU stopped at (its frame, state
/// and pending exit) through backend `V`; the vCPU then has nothing
/// pending. `COMPLETE` to an exit the guest cannot go past is refused.
#[inline]
pub fn complete<V: Virtualization>(
    frame: &mut V::Frame,
    state: &mut V::VcpuState,
    pending: &mut Pending,
    answer: &VcpuExit,
) -> Result<(), Error> {
    let inject = answer.response == response::INJECT_ABORT;
    match (*pending, inject) {
        (Pending::None, _) => {}
        (Pending::Load(_), true) => V::inject_data_abort(frame, state, false),
        (Pending::Store, true) => V::inject_data_abort(frame, state, true),
        (Pending::Load(access), false) => V::complete_load(frame, state, &access, answer.value),
        (Pending::Store, false) => V::step(frame, state),
        (Pending::Call, _) => V::complete_hypercall(frame, answer.args),
        (Pending::Register(_) | Pending::Stuck, true) => V::inject_undefined(frame, state),
        (Pending::Register(access), false) if access.write => V::step(frame, state),
        (Pending::Register(access), false) => {
            V::complete_register_read(frame, state, &access, answer.value)
        }
        (Pending::Stuck, false) => return Err(Error::InvalidArgument),
    }
    *pending = Pending::None;
    Ok(())
}

#[cfg(test)]
mod tests;
