//! The 64-bit entry `gs_start64`, for a loader that starts the image in
//! long mode (`qvm` with an ELF64 image that has no multiboot header:
//! docs/qvmconf.md, "How an x86 guest starts"): paging on with the
//! loader's identity map, 64-bit code, interrupts off, EAX = 0x36D76289
//! (the Multiboot2 magic) and EBX = the Multiboot2 information (below
//! 4 GiB), RSP not set, and the loader's GDTR and IDTR, which are not the
//! guest's. It clears `.bss`, builds the same boot map as the 32-bit entry
//! (`boot.rs`) and switches to it, takes stack slot 0, loads its own GDT
//! and reloads CS with a far return, then joins the 32-bit entry's path at
//! `gs_long_mode` (data segments, then `gs_primary_rust`), which installs
//! the IDT before anything can fault. Only the `elf64-entry` image names
//! it as its ELF entry (`header.rs`); the other images carry it unused.

use super::boot::{BOOT_PDE, BOOT_TABLE, CODE64_SELECTOR, CR0_WP};
use crate::STACK_SIZE;

/// `gs_entry`, the ELF entry the linker script names, is `gs_start64` in
/// the image built without a multiboot header (`header.rs`).
#[cfg(feature = "elf64-entry")]
macro_rules! entry_alias {
    () => {
        ".global gs_entry\n.set gs_entry, gs_start64\n"
    };
}
#[cfg(not(feature = "elf64-entry"))]
macro_rules! entry_alias {
    () => {
        ""
    };
}

core::arch::global_asm!(
    concat!(
        entry_alias!(),
        r#"
.section .text.boot64, "ax"
.code64
.global gs_start64
gs_start64:
    cli
    cld
    movl    %eax, %r12d                 // magic and information, kept
    movl    %ebx, %r13d
    movl    $__bss_start, %edi
    movl    $__bss_end, %ecx
    subl    %edi, %ecx
    shrl    $3, %ecx
    xorl    %eax, %eax
    rep stosq

    // 2048 2 MiB pages (present, writable, large) over the first 4 GiB.
    movl    $gs_pd, %ebx
    movq    ${pde}, %rax
    xorl    %ecx, %ecx
2:  movq    %rax, (%rbx,%rcx,8)
    addq    $0x200000, %rax
    incl    %ecx
    cmpl    $2048, %ecx
    jne     2b
    movl    $gs_pdpt, %ebx
    movq    $(gs_pd + {table}), %rax
    xorl    %ecx, %ecx
3:  movq    %rax, (%rbx,%rcx,8)
    addq    $0x1000, %rax
    incl    %ecx
    cmpl    $4, %ecx
    jne     3b
    movq    $(gs_pdpt + {table}), %rax
    movq    %rax, gs_pml4(%rip)
    movl    $gs_pml4, %eax
    movq    %rax, %cr3
    movq    %cr0, %rax
    orq     ${cr0_wp}, %rax
    movq    %rax, %cr0

    movq    $(__stacks_start + {stack_size}), %rsp
    lgdt    gs_gdt_pointer64(%rip)
    pushq   ${code64}
    leaq    4f(%rip), %rax
    pushq   %rax
    lretq
4:  movl    %r12d, %edi
    movl    %r13d, %esi
    jmp     gs_long_mode
"#
    ),
    pde = const BOOT_PDE,
    table = const BOOT_TABLE,
    cr0_wp = const CR0_WP,
    stack_size = const STACK_SIZE,
    code64 = const CODE64_SELECTOR,
    options(att_syntax)
);
