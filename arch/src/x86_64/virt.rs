//! The virtualization half of [`X86_64`] until the VMX and SVM backends
//! (`vmx/`, `svm/`, issue 12) land: the platform has no virtual CPU
//! interface (`Platform::virtual_interface` is `None`), so the kernel
//! refuses `vm_create` and no vCPU exists. What is here is what a vCPU's
//! frame already says (its RIP, its registers); every exit would end the
//! VM ([`GuestExit::Unhandled`]), never the host.

use super::X86_64;
use super::trap_frame::TrapFrame;
use crate::exit::{GuestExit, MmioAccess, RegisterAccess};
use crate::virt::{BadRegisters, Virtualization};
use abi::x86_64::VcpuRegs;

/// A vCPU's state beyond its frame (the VMCB or VMCS comes with the
/// backends).
#[derive(Debug, Default)]
pub struct VcpuState {
    /// The reason of the last exit.
    pub last_reason: u64,
}

/// The frame's general-purpose register `reg`, in the instruction
/// encoding's numbering (0 RAX .. 15 R15; 4 is RSP).
fn gpr(frame: &mut TrapFrame, reg: u8) -> Option<&mut u64> {
    Some(match reg {
        0 => &mut frame.rax,
        1 => &mut frame.rcx,
        2 => &mut frame.rdx,
        3 => &mut frame.rbx,
        4 => &mut frame.rsp,
        5 => &mut frame.rbp,
        6 => &mut frame.rsi,
        7 => &mut frame.rdi,
        8 => &mut frame.r8,
        9 => &mut frame.r9,
        10 => &mut frame.r10,
        11 => &mut frame.r11,
        12 => &mut frame.r12,
        13 => &mut frame.r13,
        14 => &mut frame.r14,
        15 => &mut frame.r15,
        _ => return None,
    })
}

impl Virtualization for X86_64 {
    type Frame = TrapFrame;
    type VcpuState = VcpuState;
    type Regs = VcpuRegs;

    fn new_state() -> VcpuState {
        VcpuState::default()
    }

    fn power_on(frame: &mut TrapFrame, state: &mut VcpuState, pc: u64, arg: u64) {
        *frame = TrapFrame {
            rip: pc,
            rdi: arg,
            ..Default::default()
        };
        *state = VcpuState::default();
    }

    fn set_regs(
        _frame: &mut TrapFrame,
        _state: &mut VcpuState,
        _regs: &VcpuRegs,
    ) -> Result<(), BadRegisters> {
        // No backend to check a guest state against: refuse them all.
        Err(BadRegisters)
    }

    fn pc(frame: &TrapFrame) -> u64 {
        frame.rip
    }

    fn decode_exit(_frame: &mut TrapFrame, state: &mut VcpuState, kind: u64) -> GuestExit {
        state.last_reason = kind;
        GuestExit::Unhandled(kind)
    }

    fn exit_detail(state: &VcpuState) -> [u64; 2] {
        [state.last_reason, 0]
    }

    fn read_reg(frame: &TrapFrame, reg: u8) -> u64 {
        let mut copy = frame.clone();
        gpr(&mut copy, reg).map_or(0, |r| *r)
    }

    fn complete_load(frame: &mut TrapFrame, _state: &VcpuState, access: &MmioAccess, value: u64) {
        if let Some(r) = gpr(frame, access.reg) {
            *r = access.load_result(value);
        }
    }

    fn step(_frame: &mut TrapFrame, _state: &VcpuState) {}

    fn complete_register_read(
        frame: &mut TrapFrame,
        _state: &VcpuState,
        access: &RegisterAccess,
        value: u64,
    ) {
        if let Some(r) = gpr(frame, access.reg) {
            *r = value;
        }
    }

    fn complete_hypercall(frame: &mut TrapFrame, results: [u64; 4]) {
        [frame.rax, frame.rbx, frame.rcx, frame.rdx] = results;
    }

    fn inject_data_abort(_frame: &mut TrapFrame, _state: &mut VcpuState, _write: bool) {}

    fn inject_undefined(_frame: &mut TrapFrame, _state: &mut VcpuState) {}

    fn load(_state: &VcpuState, _index: usize, _fp_live: bool) {}

    fn save(_state: &mut VcpuState) {}

    fn host_mode() {}

    fn park(_state: &mut VcpuState) {}

    fn unpark(_state: &VcpuState) {}

    fn guest_timer_deadline() -> Option<u64> {
        None
    }
}
