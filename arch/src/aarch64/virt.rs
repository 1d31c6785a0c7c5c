//! The EL2 virtualization backend: a vCPU's EL1 and FP/SIMD state, its
//! switch onto and off the CPU, exits decoded by `exit_decode.rs`, and the
//! exceptions the kernel makes a guest take (ARM ARM D1.10).

use super::Aarch64;
use super::aarch32::{self, EntryRegs, Exception};
use super::el1::{self, CNTV_ENABLE, CNTV_IMASK, El1State, El1State32};
use super::esr::{EC_DABT_CURRENT, EC_DABT_LOWER, EC_UNKNOWN, ESR_IL, FSC_SYNC_EXTERNAL, ISS_WNR};
use super::exit_decode::{self, Syndrome};
use super::exit_decode32;
use super::fpsimd::FpState;
use super::trap_frame::{SPSR_DAIF, SPSR_EL1H, TrapFrame};
use super::{cpu, id_regs};
use crate::exit::{GuestExit, MmioAccess, RegisterAccess};
use crate::virt::{BadRegisters, Virtualization};
use abi::aarch64::{ExitDetail, VcpuRegs};
use core::arch::asm;

/// Vector offsets: synchronous exception from the current EL with SP_ELx,
/// and from a lower EL in AArch64 or AArch32.
const VECTOR_CURRENT_SPX: u64 = 0x200;
const VECTOR_LOWER_A64: u64 = 0x400;
const VECTOR_LOWER_A32: u64 = 0x600;
/// An AArch32 register's half of an X register.
const LOW_WORD: u64 = 0xffff_ffff;
/// SPSR.M[3:0] of EL0t.
const MODE_EL0: u64 = 0b0000;
/// SPSR.M[4]: AArch32.
const MODE_MASK: u64 = 0b1_1111;
/// SPSR bits `vcpu_set_regs` may set: N, Z, C, V, D, A, I, F and M.
const PSTATE_ALLOWED: u64 = 0b1111_0000_0000_0000_0000_0011_1100_0000 | MODE_MASK;
/// The modes a guest may start in: EL0t, EL1t, EL1h (AArch64).
const MODES_ALLOWED: [u64; 3] = [0b00000, 0b00100, 0b00101];
/// Vector kinds (`vectors.rs`): 0 synchronous, 1 IRQ (2, 3: FIQ, SError),
/// from AArch64; the same plus 4 from AArch32.
const KIND_SYNC: u64 = 0;
const KIND_IRQ: u64 = 1;
const KIND_AARCH32_SYNC: u64 = 4;
const KIND_AARCH32_IRQ: u64 = 5;

/// A vCPU's state beyond its frame.
pub struct VcpuState {
    /// EL1 system registers while off the CPU.
    pub el1: El1State,
    /// An AArch32 EL1's own registers while off the CPU.
    pub el1_32: El1State32,
    /// The VM's EL1 runs in AArch32 ([`abi::VM_FLAG_AARCH32`]).
    pub aarch32: bool,
    /// HCR_EL2 while it runs (RW clear for AArch32).
    pub hcr: cpu::Hcr,
    /// FP/SIMD registers while off the CPU.
    pub fp: FpState,
    /// The syndrome of the last exit as decoded (for a trap from AArch32,
    /// the AArch64 trap it amounts to: `exit_decode32.rs`).
    pub last: Syndrome,
    /// ESR_EL2 of the last exit as the CPU gave it, for the exit record.
    pub trap_esr: u64,
}

impl Virtualization for Aarch64 {
    type Frame = TrapFrame;
    type VcpuState = VcpuState;
    type Regs = VcpuRegs;
    const FIRMWARE_CALLS: bool = true;

    fn emulated_irq_chip() -> Option<u64> {
        None
    }

    fn guest_flags_supported(flags: u64) -> bool {
        flags & abi::VM_FLAG_AARCH32 == 0 || id_regs::aarch32_el1()
    }

    fn new_state(_index: usize, _vcpus: usize, flags: u64) -> VcpuState {
        let aarch32 = flags & abi::VM_FLAG_AARCH32 != 0;
        VcpuState {
            el1: El1State::reset(aarch32),
            el1_32: El1State32::default(),
            aarch32,
            hcr: if aarch32 {
                cpu::HCR_GUEST.difference(cpu::Hcr::RW)
            } else {
                cpu::HCR_GUEST
            },
            fp: FpState::default(),
            last: Syndrome {
                esr: ESR_IL,
                ..Default::default()
            },
            trap_esr: ESR_IL,
        }
    }

    fn power_on(frame: &mut TrapFrame, state: &mut VcpuState, pc: u64, arg: u64) {
        let (elr, spsr) = if state.aarch32 {
            aarch32::reset_state(pc)
        } else {
            (pc, SPSR_EL1H | SPSR_DAIF)
        };
        *frame = TrapFrame {
            elr,
            spsr,
            ..Default::default()
        };
        frame.x[0] = arg;
        state.el1 = El1State::reset(state.aarch32);
        state.el1_32 = El1State32::default();
    }

    fn start_up(frame: &mut TrapFrame, state: &mut VcpuState, page: u64) {
        Self::power_on(frame, state, page, 0);
    }

    fn set_regs(
        frame: &mut TrapFrame,
        state: &mut VcpuState,
        regs: &VcpuRegs,
    ) -> Result<(), BadRegisters> {
        if state.aarch32 {
            return set_regs_aarch32(frame, state, regs);
        }
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
            KIND_IRQ | KIND_AARCH32_IRQ => GuestExit::Interrupt,
            KIND_SYNC | KIND_AARCH32_SYNC => {
                let (esr, far, hpfar) = cpu::fault_registers();
                state.last = Syndrome { esr, far, hpfar };
                state.trap_esr = esr;
                // A trap from AArch32 as the AArch64 one it amounts to.
                if kind == KIND_AARCH32_SYNC {
                    exit_decode32::as_aarch64(frame, &mut state.last);
                }
                exit_decode::decode(frame, &state.last, id_regs::guest_value)
            }
            _ => {
                state.last = Syndrome {
                    esr: kind,
                    ..Default::default()
                };
                state.trap_esr = kind;
                GuestExit::Unhandled(0)
            }
        }
    }

    #[inline]
    fn exit_detail(state: &VcpuState) -> [u64; abi::EXIT_ARCH_WORDS] {
        ExitDetail {
            esr: state.trap_esr,
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
        exit_decode::step(frame, state.last.instruction_length());
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
        if state.aarch32 {
            // DFAR is FAR_EL1's low word (IFAR the high one).
            state.el1.far = (state.el1.far & !LOW_WORD) | (state.last.far & LOW_WORD);
            take_exception_aarch32(frame, state, Exception::DataAbort { write });
            return;
        }
        let iss = FSC_SYNC_EXTERNAL | if write { ISS_WNR } else { 0 };
        state.el1.far = state.last.far;
        take_exception(frame, &mut state.el1, EC_DABT_CURRENT, iss);
    }

    fn inject_undefined(frame: &mut TrapFrame, state: &mut VcpuState) {
        if state.aarch32 {
            take_exception_aarch32(frame, state, Exception::Undefined);
            return;
        }
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
        el1::set_traps(state.hcr, cpu::CPTR_GUEST);
        if !fp_live {
            state.fp.restore();
        }
        if state.aarch32 {
            state.el1_32.restore();
        }
        // Bit 31 of MPIDR is RES1; affinity 0 is the vCPU's index.
        el1::set_vmpidr(index as u64 | 1 << 31);
    }

    #[inline]
    fn save(state: &mut VcpuState) {
        state.el1.save();
        state.fp.save();
        if state.aarch32 {
            state.el1_32.save();
        }
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
        el1::set_traps(state.hcr, cpu::CPTR_GUEST);
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

/// An AArch32 VM's `vcpu_set_regs`: one of its modes (0: Supervisor, as
/// at reset), a PC within 32 bits aligned for the instruction set.
fn set_regs_aarch32(
    frame: &mut TrapFrame,
    state: &mut VcpuState,
    regs: &VcpuRegs,
) -> Result<(), BadRegisters> {
    let psr = if regs.pstate == 0 {
        aarch32::PSR_RESET
    } else {
        regs.pstate
    };
    let align = if psr & aarch32::PSR_T != 0 { 2 } else { 4 };
    if !aarch32::valid_psr(psr) || regs.pc > LOW_WORD || !regs.pc.is_multiple_of(align) {
        return Err(BadRegisters);
    }
    Aarch64::power_on(frame, state, regs.pc, regs.x[0]);
    frame.x = regs.x;
    frame.spsr = psr;
    Ok(())
}

/// Makes an AArch32 EL1 take `exception` (`aarch32::take_exception`) on
/// the saved vCPU.
fn take_exception_aarch32(frame: &mut TrapFrame, state: &mut VcpuState, exception: Exception) {
    let mut regs = EntryRegs {
        sctlr: state.el1.sctlr,
        vbar: state.el1.vbar,
        ttbcr: state.el1.tcr,
        spsr_und: state.el1_32.spsr_und,
        spsr_abt: state.el1_32.spsr_abt,
        dfsr: state.el1.esr,
    };
    aarch32::take_exception(frame, &mut regs, exception);
    state.el1_32.spsr_und = regs.spsr_und;
    state.el1_32.spsr_abt = regs.spsr_abt;
    state.el1.esr = regs.dfsr;
}

/// The state change of taking a synchronous exception to an AArch64 EL1
/// on the saved vCPU: ESR/ELR/SPSR_EL1 set, PC to the vector, EL1h with
/// interrupts masked. From an AArch32 EL0, the lower-level AArch32
/// vector.
fn take_exception(frame: &mut TrapFrame, el1: &mut El1State, class: u64, iss: u64) {
    let from_aarch32 = aarch32::from_aarch32(frame.spsr);
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
        + if from_aarch32 {
            VECTOR_LOWER_A32
        } else if from_el0 {
            VECTOR_LOWER_A64
        } else {
            VECTOR_CURRENT_SPX
        };
    frame.spsr = SPSR_EL1H | SPSR_DAIF;
}
