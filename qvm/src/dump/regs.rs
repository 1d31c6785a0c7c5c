//! A vCPU's registers as `vcpu_get_regs` gives them (`abi::<arch>::VcpuRegs`)
//! in the order of Linux's `pr_reg` for that machine, which `gdb` and
//! `crash` read from an `NT_PRSTATUS`.

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
