//! Small per-CPU operations: the CPU number (from the stack pointer: CPU
//! i runs on stack slot i, so no register or MSR is needed), interrupt
//! masking, waiting, the TSC and CPUID.

use crate::{MAX_CPUS, STACK_SIZE};
use core::arch::asm;

/// CPUID.1:ECX bit 31: a hypervisor is present (reserved 0 on hardware).
pub const CPUID_1_ECX_HYPERVISOR: u32 = 1 << 31;
/// CPUID.1:ECX bit 24: the local APIC timer has TSC-deadline mode.
pub const CPUID_1_ECX_TSC_DEADLINE: u32 = 1 << 24;
/// CPUID.1:ECX bit 21: x2APIC.
pub const CPUID_1_ECX_X2APIC: u32 = 1 << 21;
/// RFLAGS.IF.
pub const RFLAGS_IF: u64 = 1 << 9;

unsafe extern "C" {
    static __stacks_start: u8;
}

/// This CPU's guest number (its index in [`super::Platform::cpus`]).
#[inline]
pub fn index() -> usize {
    let sp: usize;
    // SAFETY: reading the stack pointer has no side effects.
    unsafe { asm!("mov {0}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    let base = &raw const __stacks_start as usize;
    (sp.wrapping_sub(base) / STACK_SIZE).min(MAX_CPUS - 1)
}

/// The top of CPU `cpu`'s stack.
pub fn stack_top(cpu: usize) -> usize {
    &raw const __stacks_start as usize + (cpu + 1) * STACK_SIZE
}

/// Lets interrupts in.
pub fn enable_irqs() {
    // SAFETY: changes only this CPU's interrupt flag; the IDT is loaded
    // before any code calls this.
    unsafe { asm!("sti", options(nomem, nostack)) };
}

/// Keeps interrupts out.
pub fn disable_irqs() {
    // SAFETY: changes only this CPU's interrupt flag.
    unsafe { asm!("cli", options(nomem, nostack)) };
}

/// Lets interrupts in and waits for one (`sti; hlt`: no interrupt can
/// come between the two, the STI shadow covers the HLT).
pub fn wait_for_interrupt() {
    // SAFETY: as `enable_irqs`; HLT only pauses the CPU.
    unsafe { asm!("sti", "hlt", options(nomem, nostack)) };
}

/// Stops this CPU for good (interrupts masked).
pub fn halt() -> ! {
    loop {
        // SAFETY: CLI and HLT only stop this CPU.
        unsafe { asm!("cli", "hlt", options(nomem, nostack)) };
    }
}

/// The time-stamp counter.
#[inline(always)]
pub fn rdtsc() -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: RDTSC reads the counter (CR4.TSD is clear: ring 0 anyway).
    unsafe {
        asm!("rdtsc", out("eax") lo, out("edx") hi, options(nomem, nostack, preserves_flags))
    };
    u64::from(hi) << 32 | u64::from(lo)
}

/// CPUID leaf `leaf`, subleaf 0: EAX, EBX, ECX, EDX.
#[inline(always)]
pub fn cpuid(leaf: u32) -> [u32; 4] {
    let r = core::arch::x86_64::__cpuid_count(leaf, 0);
    [r.eax, r.ebx, r.ecx, r.edx]
}

/// Whether CPUID says a hypervisor runs this CPU.
pub fn hypervisor_present() -> bool {
    cpuid(1)[2] & CPUID_1_ECX_HYPERVISOR != 0
}

/// Whether the CPU's vendor is AMD (`AuthenticAMD`): VMMCALL, not VMCALL.
pub fn is_amd() -> bool {
    let [_, ebx, ecx, edx] = cpuid(0);
    [ebx, edx, ecx] == [0x6874_7541, 0x6974_6e65, 0x444d_4163]
}
