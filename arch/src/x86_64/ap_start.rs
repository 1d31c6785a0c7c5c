//! Starting the other CPUs: INIT, then start-up IPIs (Intel SDM Vol. 3A
//! 9.4.4, "MP Initialization Example"), into a trampoline copied to a
//! page below 1 MiB. A CPU woken by a start-up IPI runs in real mode at
//! that page; the trampoline loads the boot GDT, the kernel map (CR3
//! below 4 GiB), PAE, long mode and paging in one step, and far-jumps
//! into 64-bit code in the kernel image, which takes its stack and
//! argument from the page, says it has started, and calls the kernel's
//! `__kernel_secondary(argument)`.
//!
//! One page serves every CPU: [`start`] waits until the CPU has read its
//! record before it returns.

use super::lapic;
use super::trap_frame::TRAP_FRAME_SIZE;
use super::tsc;
use crate::platform::StartError;
use core::sync::atomic::{AtomicU32, Ordering};

/// Where the record sits in the trampoline page.
const RECORD: usize = 0xF00;
/// Record fields (byte offsets from [`RECORD`]): the GDT pointer (limit,
/// 32-bit base), the far pointer to the 64-bit entry (32-bit offset,
/// selector), CR3, the stack top, the argument, the EFER bits to set, and
/// the started flag.
const GDT_POINTER: usize = 0x00;
const FAR_POINTER: usize = 0x08;
const CR3: usize = 0x10;
const STACK_TOP: usize = 0x18;
const ARGUMENT: usize = 0x20;
const EFER_BITS: usize = 0x28;
const STARTED: usize = 0x2C;
/// Wait after INIT before the first start-up IPI.
const INIT_WAIT_US: u64 = 10_000;
/// Wait after each start-up IPI.
const STARTUP_WAIT_US: u64 = 200;
/// How long a started CPU may take to check in.
const CHECK_IN_US: u64 = 200_000;
/// The error when a CPU does not check in.
pub const NOT_STARTED: StartError = StartError(-1);
/// The error when the trampoline page or the map is out of reach.
pub const BAD_PAGE: StartError = StartError(-2);

core::arch::global_asm!(
    r#"
.section .rodata.trampoline, "a"
.code16
.global __x86_trampoline_start
__x86_trampoline_start:
    cli
    cld
    movw    %cs, %ax
    movw    %ax, %ds
    xorl    %esi, %esi
    movw    %ax, %si
    shll    $4, %esi                        // the page's address
    lgdtl   {record} + {gdt}
    movl    %cr4, %eax
    orl     $(1 << 5), %eax                 // CR4.PAE
    movl    %eax, %cr4
    movl    {record} + {cr3}, %eax
    movl    %eax, %cr3
    movl    $0xC0000080, %ecx               // IA32_EFER
    rdmsr
    orl     {record} + {efer}, %eax
    wrmsr
    movl    %cr0, %eax
    orl     $((1 << 31) | (1 << 16) | 1), %eax  // CR0.PG, WP, PE
    movl    %eax, %cr0
    ljmpl   *({record} + {far})
.global __x86_trampoline_end
__x86_trampoline_end:
.code64

.section .text
.global __x86_ap_entry64
__x86_ap_entry64:
    movl    $0x10, %eax
    movl    %eax, %ds
    movl    %eax, %es
    movl    %eax, %ss
    xorl    %eax, %eax
    movl    %eax, %fs
    movl    %eax, %gs
    movl    %esi, %esi
    movq    {record} + {stack}(%rsi), %rsp
    subq    ${frame}, %rsp                  // keep the top frame slot
    movq    {record} + {argument}(%rsi), %rdi
    movl    $1, {record} + {started}(%rsi)
    xorl    %ebp, %ebp
    call    __kernel_secondary
1:  cli
    hlt
    jmp     1b
"#,
    record = const RECORD,
    gdt = const GDT_POINTER,
    far = const FAR_POINTER,
    cr3 = const CR3,
    stack = const STACK_TOP,
    argument = const ARGUMENT,
    efer = const EFER_BITS,
    started = const STARTED,
    frame = const TRAP_FRAME_SIZE,
    options(att_syntax)
);

unsafe extern "C" {
    static __x86_trampoline_start: u8;
    static __x86_trampoline_end: u8;
    static __x86_ap_entry64: u8;
    static __boot_gdt_pointer: u8;
}

fn wait_us(us: u64) {
    let end = tsc::now() + us * tsc::hz() / 1_000_000;
    while tsc::now() < end {
        core::hint::spin_loop();
    }
}

/// Starts the CPU with `apic_id` through the trampoline at `page` (4 KiB
/// aligned, below 1 MiB, RAM no one else uses), on the map `cr3` (below
/// 4 GiB) and the stack ending at `stack_top`; it calls the kernel's
/// `__kernel_secondary(argument)`. `efer` are the EFER bits to set (LME,
/// and NXE when the boot CPU set it).
///
/// # Safety
/// `page` must be identity-mapped RAM that nothing else uses while CPUs
/// start; `cr3` must map the kernel; `stack_top` must be the top of a
/// stack for that CPU alone.
pub unsafe fn start(
    apic_id: u32,
    page: usize,
    cr3: u64,
    stack_top: usize,
    argument: u64,
    efer: u32,
) -> Result<(), StartError> {
    if !page.is_multiple_of(4096) || page >= 0x10_0000 || cr3 >= 1 << 32 {
        return Err(BAD_PAGE);
    }
    let code_start = &raw const __x86_trampoline_start as usize;
    let code_len = &raw const __x86_trampoline_end as usize - code_start;
    let entry = &raw const __x86_ap_entry64 as usize as u32;
    // SAFETY: the caller gives the page to the trampoline; the code is
    // shorter than RECORD (its instructions address the record there);
    // the boot GDT pointer is 6 bytes in the image.
    unsafe {
        let base = page as *mut u8;
        core::ptr::copy_nonoverlapping(code_start as *const u8, base, code_len.min(RECORD));
        let record = base.add(RECORD);
        core::ptr::copy_nonoverlapping(&raw const __boot_gdt_pointer, record.add(GDT_POINTER), 6);
        record.add(FAR_POINTER).cast::<u32>().write_unaligned(entry);
        let code_selector = super::entry::KERNEL_CODE_SELECTOR;
        record
            .add(FAR_POINTER + 4)
            .cast::<u16>()
            .write_unaligned(code_selector);
        record.add(CR3).cast::<u32>().write_unaligned(cr3 as u32);
        record
            .add(STACK_TOP)
            .cast::<u64>()
            .write_unaligned(stack_top as u64);
        record.add(ARGUMENT).cast::<u64>().write_unaligned(argument);
        record.add(EFER_BITS).cast::<u32>().write_unaligned(efer);
        record.add(STARTED).cast::<u32>().write_unaligned(0);
    }
    // SAFETY: the flag is 4-byte aligned in the page the caller gave.
    let started = unsafe { AtomicU32::from_ptr((page + RECORD + STARTED) as *mut u32) };
    core::sync::atomic::fence(Ordering::SeqCst);
    lapic::send_init(apic_id);
    wait_us(INIT_WAIT_US);
    let vector = (page >> 12) as u8;
    for _ in 0..2 {
        lapic::send_startup(apic_id, vector);
        wait_us(STARTUP_WAIT_US);
        if started.load(Ordering::Acquire) != 0 {
            return Ok(());
        }
    }
    let end = tsc::now() + CHECK_IN_US * tsc::hz() / 1_000_000;
    while tsc::now() < end {
        if started.load(Ordering::Acquire) != 0 {
            return Ok(());
        }
        core::hint::spin_loop();
    }
    Err(NOT_STARTED)
}
