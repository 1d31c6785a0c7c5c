//! A vCPU's registers as `vcpu_get_regs` gives them (`abi::<arch>::VcpuRegs`)
//! in the order of Linux's `pr_reg` for that machine, which `gdb` and
//! `crash` read from an `NT_PRSTATUS`: AArch64, x86-64, and 32-bit ARM
//! for an AArch32 VM (its registers in the AArch64 view, banked by mode).

use abi::aarch64::VcpuRegs as ArmRegs;
use abi::x86_64::VcpuRegs as X86Regs;
use alloc::vec::Vec;

/// AArch64 `struct user_pt_regs`: x0-x30, sp, pc, pstate. The guest
/// kernel's stack is SP_EL1 (EL1h), the one a dump of a guest stopped in
/// its kernel needs; a guest at EL0 shows SP_EL1 all the same.
pub fn aarch64(r: &ArmRegs) -> Vec<u64> {
    let mut words = Vec::with_capacity(34);
    words.extend_from_slice(&r.x);
    words.extend_from_slice(&[r.sp_el1, r.pc, r.pstate]);
    words
}

/// AArch32 CPSR.M values (ARM ARM G1.9.1) whose SP and LR are banked.
const MODE_FIQ: u64 = 0x11;
const MODE_IRQ: u64 = 0x12;
const MODE_SVC: u64 = 0x13;
const MODE_ABT: u64 = 0x17;
const MODE_UND: u64 = 0x1B;
/// CPSR.M's bits.
const MODE_MASK: u64 = 0x1F;
/// Where r8..r12 of FIQ mode are in the AArch64 view (x24..x28).
const FIQ_R8: usize = 24;

/// 32-bit ARM `elf_gregset_t`: r0-r15, cpsr, orig_r0 (-1: no system
/// call), the registers of the mode CPSR says, from the AArch64 view
/// (ARM ARM D1.20.1 "Mapping of AArch32 registers to AArch64"):
/// usr and sys r13, r14 in x13, x14; irq's SP and LR in x17, x16; svc's in
/// x19, x18; abt's in x21, x20; und's in x23, x22; fiq's r8-r14 in
/// x24-x30. Each word is cut to 32 bits.
pub fn arm(r: &ArmRegs) -> Vec<u64> {
    let x = |i: usize| r.x[i] & 0xFFFF_FFFF;
    let mode = r.pstate & MODE_MASK;
    let (sp, lr) = match mode {
        MODE_FIQ => (29, 30),
        MODE_IRQ => (17, 16),
        MODE_SVC => (19, 18),
        MODE_ABT => (21, 20),
        MODE_UND => (23, 22),
        _ => (13, 14),
    };
    let mut words: Vec<u64> = (0..8).map(x).collect();
    let high = if mode == MODE_FIQ { FIQ_R8 } else { 8 };
    words.extend((high..high + 5).map(x));
    words.extend_from_slice(&[x(sp), x(lr), r.pc & 0xFFFF_FFFF, r.pstate & 0xFFFF_FFFF]);
    words.push(0xFFFF_FFFF);
    words
}

/// x86-64 `struct user_regs_struct`: r15, r14, r13, r12, rbp, rbx, r11,
/// r10, r9, r8, rax, rcx, rdx, rsi, rdi, orig_rax, rip, cs, eflags, rsp,
/// ss, fs_base, gs_base, ds, es, fs, gs. The kernel's register set has
/// flat segments without selectors: the selectors read 0, `orig_rax` is
/// -1 (no system call), the bases are FS's and GS's.
pub fn x86_64(r: &X86Regs) -> Vec<u64> {
    // The encoding's numbers: rax 0, rcx 1, rdx 2, rbx 3, rsp 4, rbp 5,
    // rsi 6, rdi 7, r8-r15 8-15.
    let g = &r.gpr;
    alloc::vec![
        g[15],
        g[14],
        g[13],
        g[12],
        g[5],
        g[3],
        g[11],
        g[10],
        g[9],
        g[8],
        g[0],
        g[1],
        g[2],
        g[6],
        g[7],
        u64::MAX,
        r.rip,
        0,
        r.rflags,
        g[4],
        0,
        r.segment_base[4],
        r.segment_base[5],
        0,
        0,
        0,
        0,
    ]
}
