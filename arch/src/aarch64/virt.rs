//! The EL2 virtualization backend: a vCPU's EL1 and FP/SIMD state, its
//! switch onto and off the CPU, exits decoded by `exit_decode.rs`, and the
//! exceptions the kernel makes a guest take (ARM ARM D1.10).

use super::Aarch64;
use super::el1::{self, CNTV_ENABLE, CNTV_IMASK, El1State};
use super::esr::{EC_DABT_CURRENT, EC_DABT_LOWER, EC_UNKNOWN, ESR_IL, FSC_SYNC_EXTERNAL, ISS_WNR};
use super::exit_decode::{self, Syndrome};
use super::fpsimd::FpState;
use super::trap_frame::{SPSR_DAIF, SPSR_EL1H, TrapFrame};
use super::{cpu, id_regs};
use crate::exit::{GuestExit, MmioAccess, RegisterAccess};
use crate::virt::{BadRegisters, Virtualization};
use abi::aarch64::{ExitDetail, VcpuRegs};
use core::arch::asm;

/// Vector offsets: synchronous exception from the current EL with SP_ELx,
/// and from a lower EL in AArch64.
const VECTOR_CURRENT_SPX: u64 = 0x200;
const VECTOR_LOWER_A64: u64 = 0x400;
/// SPSR.M[3:0] of EL0t.
const MODE_EL0: u64 = 0b0000;
/// SPSR.M[4]: AArch32.
const MODE_MASK: u64 = 0b1_1111;
/// SPSR bits `vcpu_set_regs` may set: N, Z, C, V, D, A, I, F and M.
const PSTATE_ALLOWED: u64 = 0b1111_0000_0000_0000_0000_0011_1100_0000 | MODE_MASK;
/// The modes a guest may start in: EL0t, EL1t, EL1h (AArch64).
const MODES_ALLOWED: [u64; 3] = [0b00000, 0b00100, 0b00101];
/// Vector kinds: 0 synchronous, 1 IRQ (the rest: FIQ, SError, AArch32).
const KIND_SYNC: u64 = 0;
const KIND_IRQ: u64 = 1;

/// A vCPU's state beyond its frame.
pub struct VcpuState {
    /// EL1 system registers while off the CPU.
    pub el1: El1State,
    /// FP/SIMD registers while off the CPU.
    pub fp: FpState,
    /// The syndrome of the last exit.
    pub last: Syndrome,
}

impl Virtualization for Aarch64 {
    type Frame = TrapFrame;
    type VcpuState = VcpuState;
    type Regs = VcpuRegs;
    const FIRMWARE_CALLS: bool = true;

    fn emulated_irq_chip() -> Option<u64> {
        None
    }

    fn new_state(_index: usize, _vcpus: usize) -> VcpuState {
        VcpuState {
            el1: El1State::reset(),
            fp: FpState::default(),
            last: Syndrome {
                esr: ESR_IL,
                ..Default::default()
            },
        }
    }

    fn power_on(frame: &mut TrapFrame, state: &mut VcpuState, pc: u64, arg: u64) {
        *frame = TrapFrame {
            elr: pc,
            spsr: SPSR_EL1H | SPSR_DAIF,
            ..Default::default()
        };
        frame.x[0] = arg;
        state.el1 = El1State::reset();
    }

    fn start_up(frame: &mut TrapFrame, state: &mut VcpuState, page: u64) {
        Self::power_on(frame, state, page, 0);
    }

    fn set_regs(
        frame: &mut TrapFrame,
        state: &mut VcpuState,
        regs: &VcpuRegs,
    ) -> Result<(), BadRegisters> {
        // Only EL1h, EL1t or EL0t in AArch64: anything else (EL2, AArch32)
        // would make the kernel return somewhere the guest must never run.
        if regs.pstate & !PSTATE_ALLOWED != 0 || !MODES_ALLOWED.contains(&(regs.pstate & MODE_MASK))
        {
            return Err(BadRegisters);
        }
        Self::power_on(frame, state, regs.pc, regs.x[0]);
        frame.x = regs.x;
        if regs.pstate != 0 {
            frame.spsr = regs.pstate;
        }
        state.el1.sp_el1 = regs.sp_el1;
        Ok(())
    }

    fn get_regs(frame: &TrapFrame, state: &VcpuState) -> VcpuRegs {
        VcpuRegs {
            x: frame.x,
            pc: frame.elr,
            pstate: frame.spsr,
            sp_el1: state.el1.sp_el1,
        }
    }

    #[inline]
    fn pc(frame: &TrapFrame) -> u64 {
        frame.elr
    }

    #[inline]
    fn decode_exit(frame: &mut TrapFrame, state: &mut VcpuState, kind: u64) -> GuestExit {
        match kind {
            KIND_IRQ => GuestExit::Interrupt,
            KIND_SYNC => {
                let (esr, far, hpfar) = cpu::fault_registers();
                state.last = Syndrome { esr, far, hpfar };
                exit_decode::decode(frame, &state.last, id_regs::guest_value)
            }
            _ => {
                state.last = Syndrome {
                    esr: kind,
                    ..Default::default()
                };
                GuestExit::Unhandled(0)
            }
        }
    }

    #[inline]
    fn exit_detail(state: &VcpuState) -> [u64; abi::EXIT_ARCH_WORDS] {
        ExitDetail {
            esr: state.last.esr,
            far: state.last.far,
        }
        .to_words()
    }

    #[inline]
    fn read_reg(frame: &TrapFrame, reg: u8) -> u64 {
        exit_decode::reg(frame, reg)
    }

    #[inline]
    fn complete_load(
        frame: &mut TrapFrame,
        state: &mut VcpuState,
        access: &MmioAccess,
        value: u64,
    ) {
        exit_decode::complete_load(frame, &state.last, access, value);
    }

    #[inline]
    fn step(frame: &mut TrapFrame, state: &mut VcpuState) {
        frame.elr += state.last.instruction_length();
    }

    fn complete_register_read(
        frame: &mut TrapFrame,
        state: &mut VcpuState,
        access: &RegisterAccess,
        value: u64,
    ) {
        exit_decode::set_reg(frame, access.reg, value);
        Self::step(frame, state);
    }

    #[inline]
    fn complete_hypercall(frame: &mut TrapFrame, results: [u64; 4]) {
        frame.x[..4].copy_from_slice(&results);
    }

    fn inject_data_abort(frame: &mut TrapFrame, state: &mut VcpuState, write: bool) {
        let iss = FSC_SYNC_EXTERNAL | if write { ISS_WNR } else { 0 };
        state.el1.far = state.last.far;
        take_exception(frame, &mut state.el1, EC_DABT_CURRENT, iss);
    }

    fn inject_undefined(frame: &mut TrapFrame, state: &mut VcpuState) {
        take_exception(frame, &mut state.el1, EC_UNKNOWN, 0);
    }

    #[inline]
    fn interrupt_window_open(_frame: &TrapFrame, _state: &VcpuState) -> bool {
        false
    }

    fn inject_interrupt(_state: &mut VcpuState, _vector: u8) {}

    fn want_interrupt_window(_state: &mut VcpuState, _on: bool) {}

    fn guest_counter_offset(_state: &VcpuState) -> u64 {
        0
    }

    fn load(state: &mut VcpuState, index: usize, fp_live: bool) {
        state.el1.restore();
        el1::set_traps(cpu::HCR_GUEST, cpu::CPTR_GUEST);
        if !fp_live {
            state.fp.restore();
        }
        // Bit 31 of MPIDR is RES1; affinity 0 is the vCPU's index.
        el1::set_vmpidr(index as u64 | 1 << 31);
    }

    #[inline]
    fn save(state: &mut VcpuState) {
        state.el1.save();
        state.fp.save();
    }

    #[inline]
    fn host_mode() {
        el1::restore_host();
        el1::set_traps(cpu::HCR_HOST_PROCESS, cpu::CPTR_HOST);
    }

    #[inline]
    fn park(state: &mut VcpuState) {
        state.el1.park();
        el1::set_traps(cpu::HCR_HOST_PROCESS, cpu::CPTR_HOST);
    }

    #[inline]
    fn unpark(state: &VcpuState) {
        state.el1.unpark();
        el1::set_traps(cpu::HCR_GUEST, cpu::CPTR_GUEST);
    }

    fn guest_timer_deadline() -> Option<u64> {
        let (ctl, cval): (u64, u64);
        // SAFETY: reading the loaded guest's timer registers.
        unsafe {
            asm!("mrs {0}, cntv_ctl_el0", "mrs {1}, cntv_cval_el0", out(reg) ctl, out(reg) cval, options(nomem, nostack))
        };
        (ctl & CNTV_ENABLE != 0 && ctl & CNTV_IMASK == 0).then_some(cval)
    }
}

/// The state change of taking a synchronous exception to EL1 on the
/// saved vCPU: ESR/ELR/SPSR_EL1 set, PC to the vector, EL1h with
/// interrupts masked.
fn take_exception(frame: &mut TrapFrame, el1: &mut El1State, class: u64, iss: u64) {
    let from_el0 = frame.spsr & 0b1111 == MODE_EL0;
    let ec = if class == EC_DABT_CURRENT && from_el0 {
        EC_DABT_LOWER
    } else {
        class
    };
    el1.esr = (ec << 26) | ESR_IL | iss;
    el1.elr = frame.elr;
    el1.spsr = frame.spsr;
    frame.elr = el1.vbar
        + if from_el0 {
            VECTOR_LOWER_A64
        } else {
            VECTOR_CURRENT_SPX
        };
    frame.spsr = SPSR_EL1H | SPSR_DAIF;
}
