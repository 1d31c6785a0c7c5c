//! SVM on this CPU: whether it can run guests, turning it on, and the
//! world switch (AMD64 APM Vol. 2, 15.4 "Enabling SVM", 15.5 "VMRUN
//! Instruction", 15.5.2 "VMSAVE and VMLOAD Instructions").
//!
//! VMRUN loads and #VMEXIT saves only part of the state (the segment
//! registers but FS, GS, TR and LDTR; the control registers; RIP, RSP,
//! RAX): the rest (FS, GS, TR, LDTR with their hidden parts,
//! KernelGSbase, the SYSCALL and SYSENTER MSRs) moves with VMSAVE and
//! VMLOAD, around VMRUN, between the host's save page and the guest's
//! VMCB. The other general-purpose registers are the backend's to switch:
//! [`GuestRegisters`].

use super::super::entry::{EFER_SVME, IA32_EFER};
use raw_cpuid::CpuId;
use x86_64::registers::model_specific::Msr;

/// VM_CR: SVMDIS (bit 4) says firmware turned SVM off.
const VM_CR: u32 = 0xC001_0114;
const VM_CR_SVMDIS: u64 = 1 << 4;
/// VM_HSAVE_PA: where VMRUN keeps the host's state.
const VM_HSAVE_PA: u32 = 0xC001_0117;

/// The general-purpose registers of a guest VMRUN does not switch (RAX
/// and RSP are in the VMCB), in the order the world switch keeps them.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct GuestRegisters {
    pub rbx: u64,
    pub rcx: u64,
    pub rdx: u64,
    pub rsi: u64,
    pub rdi: u64,
    pub rbp: u64,
    pub r8: u64,
    pub r9: u64,
    pub r10: u64,
    pub r11: u64,
    pub r12: u64,
    pub r13: u64,
    pub r14: u64,
    pub r15: u64,
}

/// The CPU has SVM with nested paging, not turned off by firmware.
pub fn available() -> bool {
    let cpuid = CpuId::new();
    let svm = cpuid
        .get_extended_processor_and_feature_identifiers()
        .is_some_and(|f| f.has_svm());
    let npt = cpuid.get_svm_info().is_some_and(|s| s.has_nested_paging());
    // SAFETY: VM_CR exists on every CPU with SVM.
    svm && npt && unsafe { Msr::new(VM_CR).read() } & VM_CR_SVMDIS == 0
}

/// Turns SVM on for this CPU with `host_save` (a 4 KiB page) as the host
/// save area.
///
/// # Safety
/// [`available`] is true; `host_save` is a page only this CPU uses for
/// this.
pub unsafe fn enable(host_save: u64) {
    // SAFETY: the caller's promise: SVM exists and is not disabled.
    unsafe {
        let mut efer = Msr::new(IA32_EFER);
        efer.write(efer.read() | EFER_SVME);
        Msr::new(VM_HSAVE_PA).write(host_save);
    }
}

/// Runs the guest of the VMCB at physical `vmcb` until its next #VMEXIT,
/// with `regs` its other registers; `host_vmcb` is this CPU's page for
/// the host's VMSAVE state.
///
/// # Safety
/// SVM is on ([`enable`]); both pages are VMCBs only this CPU uses now;
/// the guest VMCB's state passes VMRUN's checks or VMRUN exits with
/// VMEXIT_INVALID; interrupts are masked (and are again on return).
pub unsafe fn run(vmcb: u64, host_vmcb: u64, regs: &mut GuestRegisters) {
    // SAFETY: the caller's promise; RBX and RBP are saved and restored
    // around the switch, the other registers are declared clobbered, and
    // the stack is the same before and after (VMRUN's #VMEXIT restores
    // the host's RSP).
    unsafe {
        core::arch::asm!(
            "push rbp",
            "push rbx",
            "push rdi",                 // [rsp+16]: regs
            "push rsi",                 // [rsp+8]: the guest's VMCB
            "push rdx",                 // [rsp]: the host's save VMCB
            "clgi",
            "mov rax, rdx",
            "vmsave rax",
            "mov rax, [rsp + 16]",
            "mov rbx, [rax + 0]",
            "mov rcx, [rax + 8]",
            "mov rdx, [rax + 16]",
            "mov rsi, [rax + 24]",
            "mov rdi, [rax + 32]",
            "mov rbp, [rax + 40]",
            "mov r8, [rax + 48]",
            "mov r9, [rax + 56]",
            "mov r10, [rax + 64]",
            "mov r11, [rax + 72]",
            "mov r12, [rax + 80]",
            "mov r13, [rax + 88]",
            "mov r14, [rax + 96]",
            "mov r15, [rax + 104]",
            "mov rax, [rsp + 8]",
            "vmload rax",
            // IF set with GIF clear: no interrupt is taken here, and with
            // V_INTR_MASKING one arriving while the guest runs ends its
            // run (APM 15.21.1).
            "sti",
            "vmrun rax",
            "vmsave rax",
            "mov rax, [rsp + 16]",
            "mov [rax + 0], rbx",
            "mov [rax + 8], rcx",
            "mov [rax + 16], rdx",
            "mov [rax + 24], rsi",
            "mov [rax + 32], rdi",
            "mov [rax + 40], rbp",
            "mov [rax + 48], r8",
            "mov [rax + 56], r9",
            "mov [rax + 64], r10",
            "mov [rax + 72], r11",
            "mov [rax + 80], r12",
            "mov [rax + 88], r13",
            "mov [rax + 96], r14",
            "mov [rax + 104], r15",
            "mov rax, [rsp]",
            "vmload rax",
            "cli",
            "stgi",
            "pop rdx",
            "pop rsi",
            "pop rdi",
            "pop rbx",
            "pop rbp",
            inout("rdi") regs as *mut GuestRegisters => _,
            inout("rsi") vmcb => _,
            inout("rdx") host_vmcb => _,
            out("rax") _,
            out("rcx") _,
            out("r8") _,
            out("r9") _,
            out("r10") _,
            out("r11") _,
            out("r12") _,
            out("r13") _,
            out("r14") _,
            out("r15") _,
        );
    }
}
