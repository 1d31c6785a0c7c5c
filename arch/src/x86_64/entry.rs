//! Where the x86-64 kernel starts. Two boot protocols reach it, both in
//! 32-bit protected mode with paging off:
//! - **PVH** (QEMU `-kernel`, Xen, Firecracker): the ELF note
//!   `XEN_ELFNOTE_PHYS32_ENTRY` (Xen `public/elfnote.h`, number 18) names
//!   `_start_pvh`; EBX holds the physical address of `hvm_start_info`
//!   (Xen `public/arch-x86/hvm/start_info.h`).
//! - **Multiboot2** (GRUB; Bochs boots a GRUB ISO): the header below, in
//!   the first 32 KiB of the file, 8-byte aligned (Multiboot2
//!   specification 3.1), and the ELF entry point `_start_mb2`; EAX holds
//!   the magic 0x36D76289 and EBX the boot information.
//!
//! Both clear .bss, identity-map the first 4 GiB with 2 MiB pages (the
//! kernel's own map, [`crate::Boot::map_all_memory`], replaces it), turn on
//! PAE, long mode (EFER.LME) and no-execute (EFER.NXE), then paging, and
//! jump to 64-bit code, which calls `__arch_x86_primary` with the hand-off
//! kind and address in its first two argument registers (Intel SDM Vol. 3A 10.8.5, "Initializing IA-32e
//! Mode"). A CPU without long mode gets a message on COM1 and stops.

/// The multiboot2 header magic (Multiboot2 specification 3.1.1).
pub const MULTIBOOT2_HEADER_MAGIC: u32 = 0xE852_50D6;
/// What a multiboot2 loader leaves in EAX.
pub const MULTIBOOT2_BOOT_MAGIC: u32 = 0x36D7_6289;
/// `XEN_ELFNOTE_PHYS32_ENTRY`: the 32-bit entry of a PVH kernel.
pub const XEN_ELFNOTE_PHYS32_ENTRY: u32 = 18;
/// The hand-off kinds `__arch_x86_primary` receives.
pub const HANDOFF_PVH: u32 = 1;
/// See [`HANDOFF_PVH`].
pub const HANDOFF_MULTIBOOT2: u32 = 2;

/// EFER (IA32_EFER) and its bits (SDM Vol. 4, table 2-2).
pub const IA32_EFER: u32 = 0xC000_0080;
/// EFER.SCE: SYSCALL/SYSRET.
pub const EFER_SCE: u64 = 1 << 0;
/// EFER.LME: IA-32e mode enable.
pub const EFER_LME: u64 = 1 << 8;
/// EFER.NXE: execute-disable bit enable.
pub const EFER_NXE: u64 = 1 << 11;
/// EFER.SVME: SVM enable (AMD APM Vol. 2, 15.4).
pub const EFER_SVME: u64 = 1 << 12;

/// Selectors of the boot GDT below (and of the kernel's GDT, `gdt.rs`,
/// which keeps them).
pub const KERNEL_CODE_SELECTOR: u16 = 0x08;
/// See [`KERNEL_CODE_SELECTOR`].
pub const KERNEL_DATA_SELECTOR: u16 = 0x10;

core::arch::global_asm!(
    r#"
.section .multiboot2, "a"
.balign 8
__mb2_header:
    .long {mb2_magic}
    .long 0                                 // architecture: i386
    .long __mb2_header_end - __mb2_header
    .long 0x100000000 - ({mb2_magic} + (__mb2_header_end - __mb2_header))
    .balign 8                               // the end tag
    .short 0
    .short 0
    .long 8
__mb2_header_end:

.section .note.Xen, "a", @note
.balign 4
    .long 4                                 // name size: "Xen\0"
    .long 8                                 // descriptor size
    .long {pvh_note}
    .asciz "Xen"
    .balign 4
    .quad _start_pvh
    .balign 4

.section .text.boot32, "ax"
.code32
.global _start_pvh
_start_pvh:
    cli
    movl    ${pvh}, %ebp
    jmp     1f

.global _start_mb2
_start_mb2:
    cli
    cmpl    ${mb2_boot_magic}, %eax
    jne     9f
    movl    ${mb2}, %ebp

    // EBP: hand-off kind, ESI: its address, kept to the 64-bit call
    // (CPUID overwrites EBX).
1:  cld
    movl    %ebx, %esi
    movl    $__boot_stack_top, %esp
    // Long mode (CPUID 0x80000001 EDX bit 29)?
    movl    $0x80000000, %eax
    cpuid
    cmpl    $0x80000001, %eax
    jb      8f
    movl    $0x80000001, %eax
    cpuid
    testl   $(1 << 29), %edx
    jz      8f

    movl    $__bss_start, %edi
    movl    $__bss_end, %ecx
    subl    %edi, %ecx
    shrl    $2, %ecx
    xorl    %eax, %eax
    rep stosl

    // 2048 2 MiB pages (P, RW, PS) over the first 4 GiB.
    movl    $__boot_pd, %edi
    movl    $0x83, %eax
    xorl    %ecx, %ecx
2:  movl    %eax, (%edi,%ecx,8)
    addl    $0x200000, %eax
    incl    %ecx
    cmpl    $2048, %ecx
    jne     2b
    movl    $__boot_pdpt, %edi
    movl    $(__boot_pd + 3), %eax
    xorl    %ecx, %ecx
3:  movl    %eax, (%edi,%ecx,8)
    addl    $0x1000, %eax
    incl    %ecx
    cmpl    $4, %ecx
    jne     3b
    movl    $(__boot_pdpt + 3), %eax
    movl    %eax, __boot_pml4

    movl    %cr4, %eax
    orl     $(1 << 5), %eax                 // CR4.PAE
    movl    %eax, %cr4
    movl    $__boot_pml4, %eax
    movl    %eax, %cr3
    movl    $0x80000001, %eax               // NX: CPUID 0x80000001 EDX bit 20
    cpuid
    xorl    %edi, %edi
    testl   $(1 << 20), %edx
    jz      6f
    movl    ${nxe}, %edi
6:  movl    ${efer}, %ecx
    rdmsr
    orl     ${lme}, %eax
    orl     %edi, %eax
    wrmsr
    movl    %cr0, %eax
    orl     $((1 << 31) | (1 << 16) | 1), %eax  // CR0.PG, WP, PE
    movl    %eax, %cr0
    lgdt    __boot_gdt_pointer
    ljmp    ${code}, $4f

    // No long mode: say so on COM1 and stop.
8:  movl    $__no_long_mode, %esi
7:  movb    (%esi), %al
    testb   %al, %al
    jz      9f
    movw    $0x3f8, %dx
    outb    %al, %dx
    incl    %esi
    jmp     7b
9:  cli
    hlt
    jmp     9b

.code64
4:  movl    ${data}, %eax
    movl    %eax, %ds
    movl    %eax, %es
    movl    %eax, %ss
    xorl    %eax, %eax
    movl    %eax, %fs
    movl    %eax, %gs
    movq    $(__boot_stack_top - {frame}), %rsp   // keep the top frame slot
    movl    %ebp, %edi
    movl    %esi, %esi
    xorl    %ebp, %ebp
    call    __arch_x86_primary
5:  cli
    hlt
    jmp     5b

.section .rodata.boot32, "a"
__no_long_mode:
    .asciz "qhv: this CPU has no 64-bit mode (long mode); qhv needs an x86-64 CPU\r\n"
.balign 16
__boot_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF                // 0x08: 64-bit code, DPL 0
    .quad 0x00CF92000000FFFF                // 0x10: data, DPL 0
.global __boot_gdt_pointer
__boot_gdt_pointer:
    .short __boot_gdt_pointer - __boot_gdt - 1
    .long __boot_gdt

.section .bss.boot_tables, "aw", @nobits
.balign 4096
__boot_pml4:
    .skip 4096
__boot_pdpt:
    .skip 4096
__boot_pd:
    .skip 4 * 4096
"#,
    mb2_magic = const MULTIBOOT2_HEADER_MAGIC,
    mb2_boot_magic = const MULTIBOOT2_BOOT_MAGIC,
    pvh_note = const XEN_ELFNOTE_PHYS32_ENTRY,
    pvh = const HANDOFF_PVH,
    mb2 = const HANDOFF_MULTIBOOT2,
    efer = const IA32_EFER,
    lme = const EFER_LME,
    nxe = const EFER_NXE,
    code = const KERNEL_CODE_SELECTOR,
    data = const KERNEL_DATA_SELECTOR,
    frame = const super::trap_frame::TRAP_FRAME_SIZE,
    options(att_syntax)
);
