//! Where an x86_64 guest starts: the 32-bit entry, the switch to long
//! mode, and the first Rust code on the boot CPU (the multiboot header is
//! `header.rs`, the 64-bit entry `boot64.rs`).
//!
//! A multiboot loader enters `gs_start32` in 32-bit protected mode, paging
//! off, with EAX = 0x2BADB002 and EBX = the multiboot information
//! (Multiboot Specification 0.6.96, 3.2 "Machine state"). The entry code
//! clears `.bss`, identity-maps the first 4 GiB with 2 MiB pages
//! ([`super::paging`] refines the caching once the memory map is known),
//! turns on PAE, EFER.LME and paging, loads its own GDT and far-jumps to
//! 64-bit code on CPU 0's stack (Intel SDM Vol. 3A 10.8.5, "Initializing
//! IA-32e Mode"). A CPU without long mode prints a line on COM1 and halts.
//! Both entries end in `gs_long_mode`, which calls `gs_primary_rust`
//! with the loader's magic and information.

use super::{acpi, console, exceptions, lapic, multiboot, paging, platform, power, tsc};
use crate::STACK_SIZE;
use crate::multiboot2::MULTIBOOT2_BOOTLOADER_MAGIC;

/// What a Multiboot v1 loader leaves in EAX (3.2).
pub const MULTIBOOT_BOOTLOADER_MAGIC: u32 = 0x2BAD_B002;

/// IA32_EFER (SDM Vol. 4, table 2-2) and EFER.LME.
pub const IA32_EFER: u32 = 0xC000_0080;
/// EFER.LME: IA-32e mode enable.
pub const EFER_LME: u32 = 1 << 8;
/// CR0.PE, CR0.WP and CR0.PG.
pub const CR0_PE: u32 = 1 << 0;
/// See [`CR0_PE`].
pub const CR0_WP: u32 = 1 << 16;
/// See [`CR0_PE`].
pub const CR0_PG: u32 = 1 << 31;
/// CR4.PAE.
pub const CR4_PAE: u32 = 1 << 5;
/// CPUID.80000001H:EDX bit 29: Intel 64 architecture (long mode).
pub const CPUID_80000001_EDX_LM: u32 = 1 << 29;
/// A boot map directory entry: present, writable, 2 MiB page.
pub const BOOT_PDE: u64 = paging::PTE_P | paging::PTE_RW | paging::PTE_PS;
/// A table entry pointing to the next level: present, writable.
pub const BOOT_TABLE: u64 = paging::PTE_P | paging::PTE_RW;

/// Selectors of the guest's GDT: 64-bit code, data, 32-bit code (the
/// secondary CPUs' trampoline passes through 32-bit mode).
pub const CODE64_SELECTOR: u16 = 0x08;
/// See [`CODE64_SELECTOR`].
pub const DATA_SELECTOR: u16 = 0x10;
/// See [`CODE64_SELECTOR`].
pub const CODE32_SELECTOR: u16 = 0x18;

/// `gs_entry`, the ELF entry the linker script names, is `gs_start32`
/// unless the image is built without a multiboot header (`header.rs`).
#[cfg(not(feature = "elf64-entry"))]
macro_rules! entry_alias {
    () => {
        ".global gs_entry\n.set gs_entry, gs_start32\n"
    };
}
#[cfg(feature = "elf64-entry")]
macro_rules! entry_alias {
    () => {
        ""
    };
}

core::arch::global_asm!(
    concat!(
        entry_alias!(),
        r#"
.section .text.boot32, "ax"
.code32
.global gs_start32
gs_start32:
    cli
    cld
    movl    %eax, %edi                  // magic and information, kept
    movl    %ebx, %esi                  // (CPUID overwrites EBX)
    movl    $(__stacks_start + {stack_size}), %esp
    movl    $0x80000000, %eax           // long mode: CPUID 0x80000001 EDX.LM
    cpuid
    cmpl    $0x80000001, %eax
    jb      8f
    movl    $0x80000001, %eax
    cpuid
    testl   ${cpuid_lm}, %edx
    jz      8f

    movl    %edi, %ebp
    movl    $__bss_start, %edi
    movl    $__bss_end, %ecx
    subl    %edi, %ecx
    shrl    $2, %ecx
    xorl    %eax, %eax
    rep stosl
    movl    %ebp, %edi

    // 2048 2 MiB pages (present, writable, large) over the first 4 GiB.
    movl    $gs_pd, %ebx
    movl    ${pde}, %eax
    xorl    %ecx, %ecx
2:  movl    %eax, (%ebx,%ecx,8)
    addl    $0x200000, %eax
    incl    %ecx
    cmpl    $2048, %ecx
    jne     2b
    movl    $gs_pdpt, %ebx
    movl    $(gs_pd + {table}), %eax
    xorl    %ecx, %ecx
3:  movl    %eax, (%ebx,%ecx,8)
    addl    $0x1000, %eax
    incl    %ecx
    cmpl    $4, %ecx
    jne     3b
    movl    $(gs_pdpt + {table}), %eax
    movl    %eax, gs_pml4

    movl    %cr4, %eax
    orl     ${cr4_pae}, %eax
    movl    %eax, %cr4
    movl    $gs_pml4, %eax
    movl    %eax, %cr3
    movl    ${efer}, %ecx
    rdmsr
    orl     ${lme}, %eax
    wrmsr
    movl    %cr0, %eax
    orl     ${cr0_bits}, %eax
    movl    %eax, %cr0
    lgdt    gs_gdt_pointer
    ljmp    ${code64}, $4f

    // No long mode: say so on COM1 and stop.
8:  movl    $gs_no_long_mode, %esi
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
.global gs_long_mode
gs_long_mode:
4:  movl    ${data}, %eax
    movl    %eax, %ds
    movl    %eax, %es
    movl    %eax, %ss
    xorl    %eax, %eax
    movl    %eax, %fs
    movl    %eax, %gs
    movl    %edi, %edi
    movl    %esi, %esi
    movq    $(__stacks_start + {stack_size}), %rsp
    xorl    %ebp, %ebp
    call    gs_primary_rust
5:  cli
    hlt
    jmp     5b

.section .rodata.gs_boot, "a"
gs_no_long_mode:
    .asciz "gsupport: this CPU has no long mode; the guest needs an x86-64 CPU\r\n"
.balign 16
.global gs_gdt
gs_gdt:
    .quad 0
    .quad 0x00AF9A000000FFFF            // 0x08: 64-bit code, DPL 0
    .quad 0x00CF92000000FFFF            // 0x10: data, 4 GiB, DPL 0
    .quad 0x00CF9A000000FFFF            // 0x18: 32-bit code, 4 GiB, DPL 0
gs_gdt_end:
.balign 8
.global gs_gdt_pointer
gs_gdt_pointer:
    .short gs_gdt_end - gs_gdt - 1
    .long gs_gdt
.balign 8
.global gs_gdt_pointer64                // LGDT in 64-bit mode: an 8-byte base
gs_gdt_pointer64:
    .short gs_gdt_end - gs_gdt - 1
    .quad gs_gdt

.section .bss.gs_page_tables, "aw", @nobits
.balign 4096
.global gs_pml4
gs_pml4:
    .skip 4096
.global gs_pdpt
gs_pdpt:
    .skip 4096
.global gs_pd
gs_pd:
    .skip 4 * 4096
"#
    ),
    stack_size = const STACK_SIZE,
    cpuid_lm = const CPUID_80000001_EDX_LM,
    pde = const BOOT_PDE,
    table = const BOOT_TABLE,
    cr4_pae = const CR4_PAE,
    efer = const IA32_EFER,
    lme = const EFER_LME,
    cr0_bits = const CR0_PG | CR0_WP | CR0_PE,
    code64 = const CODE64_SELECTOR,
    data = const DATA_SELECTOR,
    options(att_syntax)
);

unsafe extern "Rust" {
    /// The guest's main function, named with [`crate::entry!`].
    fn __gsupport_main(platform: &'static platform::Platform) -> !;
}

/// The boot CPU in long mode, on stack slot 0: reads the multiboot
/// information (v1 from a multiboot loader, Multiboot2 from a long-mode
/// start) and the ACPI tables into a [`platform::Platform`], sets up
/// caching, exceptions, the console, the TSC and the local APIC, and calls
/// the guest's main function.
#[unsafe(no_mangle)]
extern "C" fn gs_primary_rust(magic: u32, info: u32) -> ! {
    console::init();
    exceptions::install();
    // The loader left its information at `info`, in the identity-mapped
    // first 4 GiB; it is read before anything is written above the image,
    // where QEMU and qvm put it.
    let boot = match magic {
        // SAFETY: a Multiboot v1 loader's information, as above.
        MULTIBOOT_BOOTLOADER_MAGIC => unsafe { multiboot::read(info as usize) },
        // SAFETY: Multiboot2 information, as above.
        MULTIBOOT2_BOOTLOADER_MAGIC => unsafe { multiboot::read_v2(info as usize) },
        _ => {
            crate::println!("gsupport: started with EAX {magic:#x}, not by a Multiboot loader");
            power::halt()
        }
    };
    paging::set_caching(boot.ram());
    // The RSDP the Multiboot2 information carries, else the BIOS area's.
    let tables = boot.rsdp().and_then(acpi::root_at).or_else(acpi::discover);
    let platform = platform::build(boot, tables);
    tsc::calibrate();
    lapic::init_this_cpu(platform.lapic);
    // SAFETY: the guest's main function is named by `entry!`.
    unsafe { __gsupport_main(platform) }
}
