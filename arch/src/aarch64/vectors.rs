//! The EL2 exception vector table and the code that saves a [`TrapFrame`]
//! on the CPU's kernel stack, calls the kernel, and restores a frame.
//!
//! The kernel calls `__kernel_trap(frame, kind)` for exceptions from a lower
//! level (kind: 0 sync, 1 IRQ, 2 FIQ, 3 SError; +4 from AArch32) and
//! `__kernel_fault(frame, kind)` for exceptions taken at EL2 itself, which
//! are kernel bugs. Both are defined by the kernel.
//!
//! [`TrapFrame`]: super::trap_frame::TrapFrame

core::arch::global_asm!(
    r#"
.macro SAVE_FRAME
    sub sp, sp, #288
    stp x0, x1, [sp, #0]
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x19, [sp, #144]
    stp x20, x21, [sp, #160]
    stp x22, x23, [sp, #176]
    stp x24, x25, [sp, #192]
    stp x26, x27, [sp, #208]
    stp x28, x29, [sp, #224]
    mrs x21, sp_el0
    stp x30, x21, [sp, #240]
    mrs x22, elr_el2
    mrs x23, spsr_el2
    stp x22, x23, [sp, #256]
    mrs x24, tpidr_el0
    str x24, [sp, #272]
.endm

.macro LOWER_ENTRY kind
    .balign 0x80
    SAVE_FRAME
    mov x0, sp
    mov x1, #\kind
    bl __kernel_trap
    b __arch_restore_frame
.endm

.macro CURRENT_ENTRY kind
    .balign 0x80
    SAVE_FRAME
    mov x0, sp
    mov x1, #\kind
    mov x29, #0
    bl __kernel_fault
1:  wfe
    b 1b
.endm

.section .text.vectors, "ax"
.balign 0x800
.global __arch_vectors
__arch_vectors:
    CURRENT_ENTRY 0
    CURRENT_ENTRY 1
    CURRENT_ENTRY 2
    CURRENT_ENTRY 3
    CURRENT_ENTRY 0
    CURRENT_ENTRY 1
    CURRENT_ENTRY 2
    CURRENT_ENTRY 3
    LOWER_ENTRY 0
    LOWER_ENTRY 1
    LOWER_ENTRY 2
    LOWER_ENTRY 3
    LOWER_ENTRY 4
    LOWER_ENTRY 5
    LOWER_ENTRY 6
    LOWER_ENTRY 7

.section .text
.global __arch_restore_frame
__arch_restore_frame:
    ldp x22, x23, [sp, #256]
    msr elr_el2, x22
    msr spsr_el2, x23
    ldr x24, [sp, #272]
    msr tpidr_el0, x24
    ldp x30, x21, [sp, #240]
    msr sp_el0, x21
    ldp x0, x1, [sp, #0]
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x19, [sp, #144]
    ldp x20, x21, [sp, #160]
    ldp x22, x23, [sp, #176]
    ldp x24, x25, [sp, #192]
    ldp x26, x27, [sp, #208]
    ldp x28, x29, [sp, #224]
    add sp, sp, #288
    eret

// __arch_enter_frame(frame_on_stack): the frame sits at the top of this
// CPU's kernel stack; restore it and leave for the lower level.
.global __arch_enter_frame
__arch_enter_frame:
    mov sp, x0
    b __arch_restore_frame
"#
);

unsafe extern "C" {
    /// Start of the vector table.
    pub static __arch_vectors: u8;
    fn __arch_enter_frame(frame: *mut super::trap_frame::TrapFrame) -> !;
}

/// Points VBAR_EL2 at the vector table.
pub fn install() {
    // SAFETY: the vector table is linked into the kernel image, 2 KiB aligned.
    unsafe {
        core::arch::asm!("msr vbar_el2, {0}", "isb", in(reg) &raw const __arch_vectors);
    }
}

/// Leaves the kernel for `frame`, which must be the frame slot at the top of
/// this CPU's kernel stack (see [`super::cpu::frame_slot`]).
///
/// # Safety
/// Nothing on the kernel stack is live any more: the stack is reset.
pub unsafe fn enter(frame: *mut super::trap_frame::TrapFrame) -> ! {
    // SAFETY: the caller guarantees the frame slot is at the stack top and
    // that nothing below it is still needed.
    unsafe { __arch_enter_frame(frame) }
}
