//! What a VMX VM exit becomes: the neutral [`GuestExit`] the kernel acts
//! on, as the SVM backend's exits do (`svm/decode.rs`, whose CPUID
//! filter, port I/O, instruction fetch and MSR allow-list it shares), with
//! the exits the backend completes itself done here.
//!
//! Intel SDM Vol. 3C: 28.2.1 (exit qualifications: I/O in table 28-5,
//! control registers in 28-3, EPT violations in 28-7), 28.2.2 and 28.2.4
//! (exit interruption information, IDT-vectoring information: an event
//! the exit cut short is injected again; the instruction length of exits
//! an instruction caused), 27.6 (event injection). Pure over the VMCS
//! ([`VmcsAccess`]: the current VMCS right after the exit) and an
//! [`ExitEnv`]: tested on the build host.

use super::exit::{self, VmxExit};
use super::state::{AR_DB, AR_L, INTR_VALID, VmxVcpu};
use super::vcpu::VmcsAccess;
use crate::exit::{GuestExit, Hypercall};
use crate::x86_64::guest_paging::PagingMode;
use crate::x86_64::mmio_decode::{MAX_LEN, Mode};
use crate::x86_64::svm::decode::{self as shared, ExitEnv, VECTOR_UD};
use crate::x86_64::svm::exit::IoExit;
use crate::x86_64::svm::state::{EFER_LMA, LastExit};
use crate::x86_64::trap_frame::TrapFrame;
use x86::vmx::vmcs::{control, guest, ro};

/// [`Hypercall::conduit`] of VMCALL (VMMCALL, AMD's, comes as #UD and is
/// taken as one too: both are three bytes).
pub const CONDUIT_VMCALL: u8 = 3;
/// VMMCALL's bytes (0F 01 D9).
const VMMCALL: [u8; 3] = [0x0F, 0x01, 0xD9];
/// Exit interruption information (table 25-19): vector 7:0, type 10:8
/// (2 an NMI), valid (bit 31).
const INTR_TYPE_MASK: u64 = 7 << 8;
const INTR_TYPE_NMI: u64 = 2 << 8;
/// Event types whose injection needs an instruction length: software
/// interrupt (4), privileged (5) and other software exceptions (6).
const INTR_TYPE_SOFTWARE_FIRST: u64 = 4 << 8;
/// The bits of IDT-vectoring information an injection takes (vector,
/// type, error code valid, valid; bit 12 is undefined there and reserved
/// in the VM-entry field).
const IDT_VECTORING_REINJECT: u64 = 0xFFF | INTR_VALID;
/// EPT violation qualification bit 2: an instruction fetch.
const EPT_FETCH: u64 = 1 << 2;
/// CR4.OSXSAVE.
const CR4_OSXSAVE: u64 = 1 << 18;
/// Bytes of CPUID (0F A2).
const CPUID_LEN: u64 = 2;

/// Decodes the exit the guest of `s` just took (its registers in `frame`,
/// its VMCS in `v`).
pub fn decode_exit(
    frame: &mut TrapFrame,
    s: &mut VmxVcpu,
    v: &mut impl VmcsAccess,
    env: &impl ExitEnv,
) -> GuestExit {
    if core::mem::take(&mut s.entry_failed) {
        // The entry itself failed: the VMCS's state is refused (the
        // VM-instruction error says why), and the VM cannot go on.
        s.last = LastExit {
            code: u64::from(exit::ENTRY_FAILURE),
            info1: v.read(ro::VM_INSTRUCTION_ERROR),
            ..Default::default()
        };
        return GuestExit::Unhandled(0);
    }
    let reason = v.read(ro::EXIT_REASON);
    let qualification = v.read(ro::EXIT_QUALIFICATION);
    let len = v.read(ro::VMEXIT_INSTRUCTION_LEN);
    // An event the exit cut short is delivered at the next entry.
    let vectoring = v.read(ro::IDT_VECTORING_INFO);
    s.entry_info = 0;
    if vectoring & INTR_VALID != 0 {
        s.entry_info = vectoring & IDT_VECTORING_REINJECT;
        s.entry_error = v.read(ro::IDT_VECTORING_ERR_CODE) as u32;
        s.entry_len = len as u32;
    }
    s.last = LastExit {
        code: reason,
        info1: qualification,
        ..Default::default()
    };
    let next = frame.rip.wrapping_add(len);
    let gpa = v.read(ro::GUEST_PHYSICAL_ADDR_FULL);
    match exit::decode(reason as u32, qualification, gpa) {
        VmxExit::Interrupt | VmxExit::Init => GuestExit::Interrupt,
        VmxExit::Sipi => GuestExit::Handled,
        VmxExit::InterruptWindow => {
            s.window = false;
            GuestExit::Handled
        }
        VmxExit::ExceptionOrNmi => exception(frame, s, v, env),
        VmxExit::Cpuid => {
            let osxsave = v.read(control::CR4_READ_SHADOW) & CR4_OSXSAVE != 0;
            shared::cpuid_answer(frame, s.vcpus, s.index, osxsave, env);
            s.step_to(frame, frame.rip.wrapping_add(CPUID_LEN));
            GuestExit::Handled
        }
        VmxExit::Hlt => {
            s.step_to(frame, next);
            GuestExit::Halt
        }
        VmxExit::CacheFlush => {
            s.step_to(frame, next);
            GuestExit::Handled
        }
        VmxExit::Vmcall => hypercall(frame, s),
        VmxExit::Io(io) => {
            let io = IoExit {
                port: io.port,
                size: io.size,
                input: io.input,
                string: io.string,
                rep: io.rep,
                next_rip: next,
            };
            shared::port_io(frame, &mut s.last, &io)
        }
        VmxExit::Msr { write } => super::msr_exit::access(frame, s, v, write, env),
        VmxExit::CrAccess(q) => super::cr::access(frame, s, v, q, next, env),
        VmxExit::EptViolation { gpa, qualification }
            if qualification & EPT_FETCH == 0 && vectoring & INTR_VALID == 0 =>
        {
            mmio(frame, s, v, gpa, env)
        }
        VmxExit::EptViolation { gpa, .. } => GuestExit::Unhandled(gpa),
        VmxExit::TripleFault => GuestExit::Reset,
        VmxExit::Undefined => {
            s.inject_exception(VECTOR_UD, None);
            GuestExit::Handled
        }
        VmxExit::EntryFailed(_) | VmxExit::Other(_) => GuestExit::Unhandled(gpa),
    }
}

/// A hypercall at RIP (VMCALL, or VMMCALL through #UD): for `qvm`.
fn hypercall(frame: &TrapFrame, s: &mut VmxVcpu) -> GuestExit {
    s.last.next_rip = Some(frame.rip.wrapping_add(VMMCALL.len() as u64));
    GuestExit::Hypercall(Hypercall {
        args: [frame.rax, frame.rbx, frame.rcx, frame.rdx],
        conduit: CONDUIT_VMCALL,
    })
}

/// An exception or NMI exit: an NMI is the host's; a #UD on VMMCALL is a
/// hypercall, any other goes to the guest as it came.
fn exception(
    frame: &mut TrapFrame,
    s: &mut VmxVcpu,
    v: &impl VmcsAccess,
    env: &impl ExitEnv,
) -> GuestExit {
    let info = v.read(ro::VMEXIT_INTERRUPTION_INFO);
    if info & INTR_TYPE_MASK == INTR_TYPE_NMI {
        return GuestExit::Interrupt;
    }
    let vector = info as u8;
    if vector == VECTOR_UD {
        let mut bytes = [0; MAX_LEN];
        let n = fetch(v, frame.rip, env, &mut bytes);
        if n >= VMMCALL.len() && bytes[..VMMCALL.len()] == VMMCALL {
            return hypercall(frame, s);
        }
    }
    // Only #UD is intercepted; anything else is passed on as it came.
    let error = (info & super::state::INTR_DELIVER_ERROR_CODE != 0)
        .then(|| v.read(ro::VMEXIT_INTERRUPTION_ERR_CODE) as u32);
    if info & INTR_TYPE_MASK >= INTR_TYPE_SOFTWARE_FIRST {
        return GuestExit::Unhandled(0);
    }
    s.inject_exception(vector, error);
    GuestExit::Handled
}

/// The guest is in 64-bit mode.
fn long_mode_code(v: &impl VmcsAccess) -> bool {
    v.read(guest::IA32_EFER_FULL) & EFER_LMA != 0
        && v.read(guest::CS_ACCESS_RIGHTS) as u32 & AR_L != 0
}

/// Reads up to [`MAX_LEN`] instruction bytes at the guest's RIP.
fn fetch(v: &impl VmcsAccess, rip: u64, env: &impl ExitEnv, bytes: &mut [u8; MAX_LEN]) -> usize {
    let mode = PagingMode::of(
        v.read(guest::CR0),
        v.read(guest::CR4),
        v.read(guest::IA32_EFER_FULL),
    );
    let start = if long_mode_code(v) {
        rip
    } else {
        v.read(guest::CS_BASE).wrapping_add(rip & 0xFFFF_FFFF) & 0xFFFF_FFFF
    };
    shared::fetch_linear(mode, v.read(guest::CR3), start, env, bytes)
}

/// An access to unbacked guest-physical `gpa`: the instruction decoded.
fn mmio(
    frame: &mut TrapFrame,
    s: &mut VmxVcpu,
    v: &impl VmcsAccess,
    gpa: u64,
    env: &impl ExitEnv,
) -> GuestExit {
    let mode = if long_mode_code(v) {
        Mode::Long
    } else if v.read(guest::CS_ACCESS_RIGHTS) as u32 & AR_DB != 0 {
        Mode::Protected32
    } else {
        return GuestExit::UndecodedAccess(gpa);
    };
    let mut bytes = [0; MAX_LEN];
    let n = fetch(v, frame.rip, env, &mut bytes);
    shared::decoded_access(&bytes[..n], mode, frame, gpa, &mut s.last)
}

/// Completes the last exit's load (MMIO or IN) with `value` and steps
/// past it.
pub fn complete_load(frame: &mut TrapFrame, s: &mut VmxVcpu, value: u64) {
    if let Some((load, width)) = s.last.load {
        let reg = shared::gpr_mut(frame, load.reg.index);
        *reg = load.result(width, *reg, value);
    }
    step(frame, s);
}

/// Steps past the last exit's instruction, if it has one to go past.
pub fn step(frame: &mut TrapFrame, s: &mut VmxVcpu) {
    if let Some(next) = s.last.next_rip.take() {
        s.step_to(frame, next);
    }
}

#[cfg(test)]
mod tests;
