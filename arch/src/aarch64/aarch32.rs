//! A guest whose EL1 runs in AArch32 (`HCR_EL2.RW` clear): its CPSR as
//! SPSR_EL2 holds it, the condition check of a trapped conditional
//! instruction, stepping past a T32 instruction inside an IT block, and
//! the exceptions the hypervisor makes it take (Undefined, Data Abort),
//! per the ARM ARM's AArch32 chapters (G1.8 modes, G1.12 exception entry).
//! Pure functions of the saved frame, tested on the build host.
//!
//! The guest's banked registers need no code of their own: a trap from
//! AArch32 to EL2 leaves them in the AArch64 view (D1.20.1) that the
//! trap frame saves, x13/x14 SP_usr and LR_usr, x16..x23 LR and SP of the
//! IRQ, Supervisor, Abort and Undefined modes, x24..x30 R8..R14 of FIQ.

use super::trap_frame::TrapFrame;

/// CPSR.M[4]: the AArch32 execution state (in SPSR_EL2: the trap came
/// from AArch32).
pub const PSR_AARCH32: u64 = 1 << 4;
/// CPSR.M[4:0].
pub const PSR_MODE_MASK: u64 = 0b1_1111;
/// CPSR.T: the T32 instruction set.
pub const PSR_T: u64 = 1 << 5;
/// CPSR.F, I, A: FIQ, IRQ and asynchronous aborts masked.
pub const PSR_F: u64 = 1 << 6;
/// CPSR.I.
pub const PSR_I: u64 = 1 << 7;
/// CPSR.A.
pub const PSR_A: u64 = 1 << 8;
/// CPSR.E: big-endian data.
pub const PSR_E: u64 = 1 << 9;
/// CPSR.IT[7:2], at bits 15:10.
pub const PSR_IT_HIGH: u64 = 0x3f << 10;
/// CPSR.IT[1:0], at bits 26:25.
pub const PSR_IT_LOW: u64 = 0b11 << 25;
/// CPSR.GE at 19:16.
pub const PSR_GE: u64 = 0xf << 16;
/// CPSR.N, Z, C, V, Q at 31:27.
pub const PSR_NZCVQ: u64 = 0x1f << 27;

/// The modes (CPSR.M) a guest's EL0 and EL1 have (G1.8.1; Monitor and
/// Hyp are not a guest's): User.
pub const MODE_USR: u64 = 0x10;
/// FIQ mode.
pub const MODE_FIQ: u64 = 0x11;
/// IRQ mode.
pub const MODE_IRQ: u64 = 0x12;
/// Supervisor mode.
pub const MODE_SVC: u64 = 0x13;
/// Abort mode.
pub const MODE_ABT: u64 = 0x17;
/// Undefined mode.
pub const MODE_UND: u64 = 0x1b;
/// System mode.
pub const MODE_SYS: u64 = 0x1f;
const GUEST_MODES: [u64; 7] = [
    MODE_USR, MODE_FIQ, MODE_IRQ, MODE_SVC, MODE_ABT, MODE_UND, MODE_SYS,
];

/// The CPSR bits `vcpu_set_regs` may set for an AArch32 vCPU.
const PSR_ALLOWED: u64 = PSR_NZCVQ
    | PSR_IT_LOW
    | PSR_GE
    | PSR_IT_HIGH
    | PSR_E
    | PSR_A
    | PSR_I
    | PSR_F
    | PSR_T
    | PSR_MODE_MASK;

/// The CPSR a vCPU starts with (Linux's ARM boot protocol: Supervisor
/// mode, IRQs and FIQs masked; asynchronous aborts masked as at reset).
pub const PSR_RESET: u64 = MODE_SVC | PSR_A | PSR_I | PSR_F;

/// SCTLR (AArch32) at reset: the RES1 bits 23, 22, 11, 4, 3 with nTWE,
/// nTWI and CP15BEN set, MMU and caches off (the Cortex-A57/A72 TRMs'
/// reset value of the AArch32 SCTLR).
pub const SCTLR_RESET: u64 = 0x00c5_0838;
/// SCTLR.V: high exception vectors at 0xffff0000.
const SCTLR_V: u64 = 1 << 13;
/// SCTLR.EE: exceptions taken big-endian.
const SCTLR_EE: u64 = 1 << 25;
/// SCTLR.TE: exceptions taken in T32.
const SCTLR_TE: u64 = 1 << 30;
/// The high vector base.
const HIGH_VECTORS: u64 = 0xffff_0000;
/// TTBCR.EAE (in TCR_EL1's low word): the Long-descriptor format, which
/// decides the format of DFSR.
const TTBCR_EAE: u64 = 1 << 31;

/// Vector offsets (G1.12.1, table G1-6).
const VECTOR_UNDEFINED: u64 = 0x04;
const VECTOR_DATA_ABORT: u64 = 0x10;

/// DFSR bits: WnR (11); the Long-descriptor format (LPAE, 9) with STATUS
/// 0b010000; the Short-descriptor FS 0b01000: both a synchronous external
/// abort, not on a translation table walk.
const DFSR_WNR: u64 = 1 << 11;
const DFSR_LPAE: u64 = 1 << 9;
const DFSR_LONG_SYNC_EXTERNAL: u64 = 0b01_0000;
const DFSR_SHORT_SYNC_EXTERNAL: u64 = 0b0_1000;

/// Whether a trap came from AArch32 (SPSR_EL2.M[4]).
#[inline]
pub fn from_aarch32(spsr: u64) -> bool {
    spsr & PSR_AARCH32 != 0
}

/// Whether an AArch32 register state is one a guest may be given: one of
/// its modes, no bit outside the CPSR's.
pub fn valid_psr(psr: u64) -> bool {
    psr & !PSR_ALLOWED == 0 && GUEST_MODES.contains(&(psr & PSR_MODE_MASK))
}

/// The CPSR and PC a vCPU starts with at `entry`: bit 0 of the address
/// selects T32 (PSCI CPU_ON for an AArch32 caller; an ELF entry).
pub fn reset_state(entry: u64) -> (u64, u64) {
    let thumb = if entry & 1 != 0 { PSR_T } else { 0 };
    (entry & 0xffff_fffe, PSR_RESET | thumb)
}

/// The IT state ITSTATE[7:0] of a CPSR.
fn it_state(psr: u64) -> u64 {
    ((psr >> 8) & 0xfc) | ((psr >> 25) & 0b11)
}

/// `psr` with ITSTATE replaced by `it`.
fn with_it_state(psr: u64, it: u64) -> u64 {
    (psr & !(PSR_IT_HIGH | PSR_IT_LOW)) | ((it & 0xfc) << 8) | ((it & 0b11) << 25)
}

/// Whether condition `cond` (the A32/T32 condition field; the ARM ARM's
/// ConditionHolds()) passes on the flags of `psr`.
pub fn condition_holds(cond: u64, psr: u64) -> bool {
    let (n, z, c, v) = (
        psr & (1 << 31) != 0,
        psr & (1 << 30) != 0,
        psr & (1 << 29) != 0,
        psr & (1 << 28) != 0,
    );
    let base = match cond >> 1 {
        0 => z,
        1 => c,
        2 => n,
        3 => v,
        4 => c && !z,
        5 => n == v,
        6 => !z && n == v,
        _ => true,
    };
    // Odd conditions invert, except 0b1111 ("always" as well).
    if cond & 1 == 1 && cond != 0b1111 {
        !base
    } else {
        base
    }
}

/// ESR_EL2.CV: the COND field holds the condition.
const ESR_CV: u64 = 1 << 24;

/// Whether the conditional instruction of a trap from AArch32 must take
/// effect: a trapped instruction that failed its condition is only
/// stepped over (D17.2.37: CV and COND; without CV the condition is
/// the IT block's). Out of line: only AArch32 traps get here, and the
/// AArch64 exit path stays small.
#[inline(never)]
pub fn trap_condition_passed(esr: u64, psr: u64) -> bool {
    let cond = if esr & ESR_CV != 0 {
        (esr >> 20) & 0xf
    } else {
        let it = it_state(psr);
        if it == 0 {
            return true;
        }
        it >> 4
    };
    condition_holds(cond, psr)
}

/// Steps an AArch32 guest past an instruction of `len` bytes: the PC
/// within 32 bits, and in a T32 IT block the IT state advanced (ARM ARM
/// F1.2.4: ITAdvance). Out of line, as [`trap_condition_passed`].
#[inline(never)]
pub fn advance(frame: &mut TrapFrame, len: u64) {
    frame.elr = (frame.elr + len) & 0xffff_ffff;
    let it = it_state(frame.spsr);
    if it != 0 {
        let next = if it & 0b111 == 0 {
            0
        } else {
            (it & 0xe0) | ((it << 1) & 0x1f)
        };
        frame.spsr = with_it_state(frame.spsr, next);
    }
}

/// The exception an AArch32 guest is made to take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exception {
    /// Undefined Instruction, on the trapped instruction.
    Undefined,
    /// A synchronous external Data Abort on the trapped access.
    DataAbort {
        /// The access was a write.
        write: bool,
    },
}

/// The EL1 state an exception entry changes besides the frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EntryRegs {
    /// SCTLR (SCTLR_EL1), read.
    pub sctlr: u64,
    /// VBAR (VBAR_EL1), read.
    pub vbar: u64,
    /// TTBCR (TCR_EL1), read: the DFSR format.
    pub ttbcr: u64,
    /// SPSR_und, written by an Undefined entry.
    pub spsr_und: u64,
    /// SPSR_abt, written by an abort entry.
    pub spsr_abt: u64,
    /// DFSR (ESR_EL1), written by an abort entry.
    pub dfsr: u64,
}

/// Takes `exception` on the guest (G1.12.3, "Exception entry"): the
/// CPSR into the target mode's SPSR, the return address into its LR (in
/// the AArch64 view: LR_und x22, LR_abt x20), the new mode with IRQs
/// masked (and asynchronous aborts for an abort), IT state cleared, T and
/// E from SCTLR.TE and EE, the PC to the vector. The fault address
/// (DFAR) is the caller's.
pub fn take_exception(frame: &mut TrapFrame, regs: &mut EntryRegs, exception: Exception) {
    let cpsr = frame.spsr & 0xffff_ffff;
    let pc = frame.elr & 0xffff_ffff;
    let thumb = cpsr & PSR_T != 0;
    let (mode, vector, lr, lr_reg) = match exception {
        // The preferred return address is the instruction; the LR is it
        // plus 4 (A32) or 2 (T32), table G1-9.
        Exception::Undefined => {
            regs.spsr_und = cpsr;
            (
                MODE_UND,
                VECTOR_UNDEFINED,
                pc + if thumb { 2 } else { 4 },
                22,
            )
        }
        Exception::DataAbort { write } => {
            regs.spsr_abt = cpsr;
            let wnr = if write { DFSR_WNR } else { 0 };
            regs.dfsr = wnr
                | if regs.ttbcr & TTBCR_EAE != 0 {
                    DFSR_LPAE | DFSR_LONG_SYNC_EXTERNAL
                } else {
                    DFSR_SHORT_SYNC_EXTERNAL
                };
            (MODE_ABT, VECTOR_DATA_ABORT, pc + 8, 20)
        }
    };
    frame.x[lr_reg] = lr & 0xffff_ffff;
    let mut new = with_it_state(cpsr, 0) & !(PSR_MODE_MASK | PSR_T | PSR_E);
    new |= mode | PSR_I;
    if mode == MODE_ABT {
        new |= PSR_A;
    }
    if regs.sctlr & SCTLR_TE != 0 {
        new |= PSR_T;
    }
    if regs.sctlr & SCTLR_EE != 0 {
        new |= PSR_E;
    }
    frame.spsr = new;
    let base = if regs.sctlr & SCTLR_V != 0 {
        HIGH_VECTORS
    } else {
        regs.vbar & 0xffff_ffe0
    };
    frame.elr = base + vector;
}

#[cfg(test)]
mod tests;
