//! The 256 interrupt and exception stubs and the code that saves a
//! [`TrapFrame`] on the CPU's kernel stack, calls the kernel, and restores
//! a frame (Intel SDM Vol. 3A 7.14, "Exception and Interrupt Handling in
//! 64-bit Mode").
//!
//! Each stub pushes a zero where the processor pushes no error code (all
//! but #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC and #SX), then its
//! vector. From ring 3, the kernel's `__kernel_trap(frame, vector)` runs,
//! as for a lower exception level on ARM (a TLB shootdown request is
//! handled here without it: the kernel may be holding its lock while it
//! waits for this CPU, `shootdown.rs`). In ring 0, an exception is a
//! kernel bug (`__kernel_fault(frame, vector)`, which does not return);
//! an interrupt there can only arrive while the kernel waits for one
//! (`sti; hlt`), and `__arch_x86_kernel_interrupt(vector)` notes it for
//! the kernel to take on its way out. When the kernel has loaded a vCPU
//! to run (`vcpu_run`), the frame is its guest's and the CPU goes on into
//! the guest (`guest_entry.rs`) instead of back to ring 3.
//!
//! [`TrapFrame`]: super::trap_frame::TrapFrame

use super::shootdown;
use super::trap_frame::TrapFrame;

/// IA32_FS_BASE: a thread's FS base (its thread pointer), switched with
/// its frame.
pub const IA32_FS_BASE: u32 = 0xC000_0100;
/// Bytes between two stubs.
pub const STUB_SIZE: usize = 16;
/// The first vector that is an interrupt rather than an exception.
pub const FIRST_INTERRUPT_VECTOR: u64 = 32;

core::arch::global_asm!(
    r#"
.section .text.vectors, "ax"
.balign 16
.global __x86_vectors
__x86_vectors:
.set vector, 0
.rept 256
    .balign 16
    .if (vector == 8) | ((vector >= 10) & (vector <= 14)) | (vector == 17) | (vector == 21) | (vector == 29) | (vector == 30)
    .else
    pushq   $0
    .endif
    pushq   $vector
    jmp     __x86_trap_common
    .set vector, vector + 1
.endr

__x86_trap_common:
    pushq   %rax
    pushq   %rbx
    pushq   %rcx
    pushq   %rdx
    pushq   %rsi
    pushq   %rdi
    pushq   %rbp
    pushq   %r8
    pushq   %r9
    pushq   %r10
    pushq   %r11
    pushq   %r12
    pushq   %r13
    pushq   %r14
    pushq   %r15
    subq    $16, %rsp
    cld
    testb   $3, 160(%rsp)           // CS: from ring 3?
    jz      2f
    movl    ${fs_base}, %ecx
    rdmsr
    shlq    $32, %rdx
    orq     %rdx, %rax
    movq    %rax, (%rsp)
    movq    %rsp, %rdi
    movq    136(%rsp), %rsi         // the vector
    xorl    %ebp, %ebp
    call    __arch_x86_user_trap
    jmp     __x86_restore_frame

2:  cmpq    ${first_interrupt}, 136(%rsp)
    jb      3f
    movq    136(%rsp), %rdi
    call    __arch_x86_kernel_interrupt
    jmp     4f
3:  movq    %rsp, %rdi
    movq    136(%rsp), %rsi
    call    __kernel_fault
5:  cli
    hlt
    jmp     5b

// RSP: a ring-3 frame; back to ring 3 with it.
.global __x86_restore_frame
__x86_restore_frame:
    movq    (%rsp), %rax
    movq    %rax, %rdx
    shrq    $32, %rdx
    movl    ${fs_base}, %ecx
    wrmsr
4:  addq    $16, %rsp
    popq    %r15
    popq    %r14
    popq    %r13
    popq    %r12
    popq    %r11
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rbp
    popq    %rdi
    popq    %rsi
    popq    %rdx
    popq    %rcx
    popq    %rbx
    popq    %rax
    addq    $16, %rsp               // vector and error code
    iretq

// __x86_enter_frame(frame): the frame sits at the top of this CPU's kernel
// stack; restore it and leave for ring 3.
.global __x86_enter_frame
__x86_enter_frame:
    movq    %rdi, %rsp
    jmp     __x86_restore_frame
"#,
    fs_base = const IA32_FS_BASE,
    first_interrupt = const FIRST_INTERRUPT_VECTOR,
    options(att_syntax)
);

unsafe extern "C" {
    /// The first stub; vector `n`'s is [`STUB_SIZE`] × `n` bytes on.
    static __x86_vectors: u8;
    fn __x86_enter_frame(frame: *mut TrapFrame) -> !;
}

unsafe extern "C" {
    fn __kernel_trap(frame: &mut TrapFrame, vector: u64);
    /// The guest loop's entry (`guest_entry.rs`).
    fn __x86_enter_guest(frame: *mut TrapFrame) -> !;
}

/// A trap from ring 3: the shootdown bookkeeping around the kernel's
/// handler.
#[unsafe(no_mangle)]
extern "C" fn __arch_x86_user_trap(frame: &mut TrapFrame, vector: u64) {
    let cpu = super::cpu::index();
    shootdown::enter_kernel(cpu);
    if vector == u64::from(shootdown::SHOOTDOWN_VECTOR) {
        shootdown::handle(cpu);
    } else {
        // SAFETY: the kernel defines `__kernel_trap` for exactly this.
        unsafe { __kernel_trap(frame, vector) };
    }
    // `vcpu_run` loaded a vCPU: the frame is now its guest's, which runs
    // instead of going back to ring 3.
    if super::guest_cpu::guest_next() {
        // SAFETY: a trap from ring 3 left the frame in the slot at the top
        // of this CPU's stack; nothing below it is needed any more.
        unsafe { __x86_enter_guest(frame) }
    }
    // The kernel stack is this CPU's: the trap returns on the CPU it
    // came in on.
    shootdown::leave_kernel(cpu);
}

/// The address of vector `vector`'s stub.
pub fn stub(vector: u8) -> u64 {
    &raw const __x86_vectors as u64 + (vector as usize * STUB_SIZE) as u64
}

/// Leaves the kernel for the ring-3 `frame`, which must be the frame slot
/// at the top of this CPU's kernel stack.
///
/// # Safety
/// Nothing on the kernel stack is live any more: the stack is reset.
pub unsafe fn enter(frame: *mut TrapFrame) -> ! {
    shootdown::leave_kernel(super::cpu::index());
    // SAFETY: the caller guarantees the frame slot is at the stack top and
    // that nothing below it is still needed.
    unsafe { __x86_enter_frame(frame) }
}
