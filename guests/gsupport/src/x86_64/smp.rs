//! Starting the other CPUs: INIT, then two start-up IPIs (SDM Vol. 3A
//! 9.4.4.1, "Typical BSP Initialization Sequence") to a trampoline copied
//! to [`TRAMPOLINE`], below 1 MiB. A started CPU runs it in real mode,
//! loads the guest's GDT, enters 32-bit protected mode, turns on PAE, the
//! boot CPU's page tables, long mode and paging, and far-jumps into 64-bit
//! code in the image, which takes the stack and CPU number the boot CPU
//! left and calls [`gs_secondary_rust`]: it loads the IDT, enables its
//! local APIC, says it is online and runs the guest's function.
//!
//! One CPU starts at a time: [`start_cpu`] waits until the CPU is online.

use super::boot::{CODE32_SELECTOR, CODE64_SELECTOR, CR0_PE, CR0_PG, CR0_WP, CR4_PAE};
use super::boot::{DATA_SELECTOR, EFER_LME, IA32_EFER};
use super::{cpu, exceptions, lapic, platform, tsc};
use crate::MAX_CPUS;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};

/// Where the trampoline is copied: a page below 1 MiB that the guest
/// does not otherwise use (the start-up IPI's vector is its page number).
pub const TRAMPOLINE: usize = 0x8000;
/// Wait after INIT before the first start-up IPI.
const INIT_WAIT_US: u64 = 10_000;
/// Wait after each start-up IPI.
const STARTUP_WAIT_US: u64 = 200;
/// How long a started CPU may take to come online (TCG on a busy host
/// is slow).
const ONLINE_WAIT_US: u64 = 5_000_000;

core::arch::global_asm!(
    r#"
.section .rodata.gs_trampoline, "a"
.code16
.global gs_trampoline_start
gs_trampoline_start:
    cli
    cld
    movw    %cs, %ax
    movw    %ax, %ds
    lgdtl   gs_trampoline_gdt_pointer - gs_trampoline_start
    movl    %cr0, %eax
    orl     ${cr0_pe}, %eax
    movl    %eax, %cr0
    ljmpl   ${code32}, ${page} + (gs_trampoline32 - gs_trampoline_start)
.code32
gs_trampoline32:
    movl    ${data}, %eax
    movl    %eax, %ds
    movl    %eax, %es
    movl    %eax, %ss
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
    ljmp    ${code64}, $gs_ap_entry64
.balign 8
gs_trampoline_gdt_pointer:
    .short 4 * 8 - 1
    .long gs_gdt
.global gs_trampoline_end
gs_trampoline_end:

.section .text
.code64
gs_ap_entry64:
    movl    ${data}, %eax
    movl    %eax, %ds
    movl    %eax, %es
    movl    %eax, %ss
    xorl    %eax, %eax
    movl    %eax, %fs
    movl    %eax, %gs
    movq    gs_ap_stack(%rip), %rsp
    movq    gs_ap_cpu(%rip), %rdi
    xorl    %ebp, %ebp
    call    gs_secondary_rust
1:  cli
    hlt
    jmp     1b
"#,
    cr0_pe = const CR0_PE,
    code32 = const CODE32_SELECTOR,
    page = const TRAMPOLINE,
    data = const DATA_SELECTOR,
    cr4_pae = const CR4_PAE,
    efer = const IA32_EFER,
    lme = const EFER_LME,
    cr0_bits = const CR0_PG | CR0_WP | CR0_PE,
    code64 = const CODE64_SELECTOR,
    options(att_syntax)
);

unsafe extern "C" {
    static gs_trampoline_start: u8;
    static gs_trampoline_end: u8;
}

/// The stack top and number of the CPU being started (read by
/// `gs_ap_entry64`).
#[unsafe(no_mangle)]
static gs_ap_stack: AtomicU64 = AtomicU64::new(0);
/// See [`gs_ap_stack`].
#[unsafe(no_mangle)]
static gs_ap_cpu: AtomicU64 = AtomicU64::new(0);

static ONLINE: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];
static MAIN: [AtomicPtr<()>; MAX_CPUS] =
    [const { AtomicPtr::new(core::ptr::null_mut()) }; MAX_CPUS];

/// Why a CPU did not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartError {
    /// No such CPU (beyond the MADT's, or the boot CPU).
    NoSuchCpu,
    /// It did not come online in time.
    NotStarted,
}

/// How many CPUs the MADT lists (enabled ones).
pub fn cpu_count() -> usize {
    platform::get().map_or(1, |p| p.cpus().len())
}

/// Whether CPU `cpu` runs guest code (the boot CPU always does).
pub fn is_online(cpu: usize) -> bool {
    cpu == 0 || ONLINE.get(cpu).is_some_and(|o| o.load(Ordering::SeqCst))
}

/// Starts CPU `cpu` (an index into [`super::Platform::cpus`], not 0) on
/// its stack slot; it runs `main(cpu)`. Returns once it is online.
pub fn start_cpu(cpu: usize, main: fn(usize) -> !) -> Result<(), StartError> {
    let platform = platform::get().ok_or(StartError::NoSuchCpu)?;
    if cpu == 0 || cpu >= MAX_CPUS {
        return Err(StartError::NoSuchCpu);
    }
    let apic_id = *platform.cpus().get(cpu).ok_or(StartError::NoSuchCpu)?;
    let start = &raw const gs_trampoline_start as usize;
    let len = &raw const gs_trampoline_end as usize - start;
    // SAFETY: the trampoline page below 1 MiB is RAM the guest leaves to
    // this code; the trampoline is shorter than a page.
    unsafe { core::ptr::copy_nonoverlapping(start as *const u8, TRAMPOLINE as *mut u8, len) };
    MAIN[cpu].store(main as *mut (), Ordering::SeqCst);
    gs_ap_stack.store(cpu::stack_top(cpu) as u64, Ordering::SeqCst);
    gs_ap_cpu.store(cpu as u64, Ordering::SeqCst);
    lapic::send_init(apic_id);
    tsc::delay_us(INIT_WAIT_US);
    for _ in 0..2 {
        lapic::send_startup(apic_id, (TRAMPOLINE >> 12) as u8);
        tsc::delay_us(STARTUP_WAIT_US);
    }
    let deadline = tsc::now() + tsc::us_to_ticks(ONLINE_WAIT_US);
    while tsc::now() < deadline {
        if is_online(cpu) {
            return Ok(());
        }
        core::hint::spin_loop();
    }
    Err(StartError::NotStarted)
}

/// A started CPU in long mode on its own stack.
#[unsafe(no_mangle)]
extern "C" fn gs_secondary_rust(cpu: usize) -> ! {
    exceptions::install();
    if let Some(p) = platform::get() {
        lapic::init_this_cpu(p.lapic);
    }
    let main = MAIN[cpu].load(Ordering::SeqCst);
    ONLINE[cpu].store(true, Ordering::SeqCst);
    // SAFETY: only `start_cpu` stores here, a `fn(usize) -> !`, before
    // it starts this CPU.
    let main: fn(usize) -> ! = unsafe { core::mem::transmute(main) };
    main(cpu)
}
