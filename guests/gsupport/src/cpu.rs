//! Small per-CPU operations at EL1: identification, the CPU number kept in
//! TPIDR_EL1, interrupt masking and waiting.

use core::arch::asm;

/// The current exception level (1 for a guest).
pub fn current_el() -> u64 {
    let v: u64;
    // SAFETY: reading CurrentEL has no side effects.
    unsafe { asm!("mrs {0}, CurrentEL", out(reg) v, options(nomem, nostack)) };
    (v >> 2) & 3
}

/// MPIDR_EL1 affinity fields (Aff3 at 39:32, Aff2..0 at 23:0).
pub fn mpidr() -> u64 {
    arch::aarch64::cpu::mpidr()
}

/// This CPU's guest number (its index in [`crate::Platform::cpus`]).
#[inline]
pub fn index() -> usize {
    let v: usize;
    // SAFETY: TPIDR_EL1 is a scratch register gsupport owns; reading it
    // has no side effects.
    unsafe { asm!("mrs {0}, tpidr_el1", out(reg) v, options(nomem, nostack, preserves_flags)) };
    v
}

/// Records this CPU's guest number.
pub(crate) fn set_index(cpu: usize) {
    // SAFETY: TPIDR_EL1 is a scratch register gsupport owns.
    unsafe { asm!("msr tpidr_el1, {0}", in(reg) cpu, options(nomem, nostack)) };
}

/// Lets IRQs in (and SErrors, so asynchronous aborts are reported).
pub fn enable_irqs() {
    // SAFETY: changes only this CPU's interrupt mask; the vectors are
    // installed before any code calls this.
    unsafe { asm!("msr daifclr, #6", options(nomem, nostack)) };
}

/// Keeps IRQs out.
pub fn disable_irqs() {
    // SAFETY: changes only this CPU's interrupt mask.
    unsafe { asm!("msr daifset, #2", options(nomem, nostack)) };
}

/// Lets SErrors in (asynchronous external aborts are then reported).
pub fn enable_serror() {
    // SAFETY: changes only this CPU's SError mask; the vectors are installed.
    unsafe { asm!("msr daifclr, #4", options(nomem, nostack)) };
}

/// Waits for an interrupt.
pub fn wfi() {
    // SAFETY: WFI only pauses the CPU.
    unsafe { asm!("dsb sy", "wfi", options(nostack)) };
}

/// Waits for an event or an interrupt.
pub fn wfe() {
    // SAFETY: WFE only pauses the CPU.
    unsafe { asm!("wfe", options(nomem, nostack)) };
}

/// Wakes CPUs waiting in [`wfe`].
pub fn sev() {
    // SAFETY: SEV only signals an event.
    unsafe { asm!("dsb ish", "sev", options(nostack)) };
}

/// Stops this CPU for good (interrupts masked).
pub fn halt() -> ! {
    disable_irqs();
    loop {
        wfi();
    }
}

/// Parks this CPU for good: interrupts masked, waiting for events (WFE)
/// that wake nothing.
pub fn park() -> ! {
    disable_irqs();
    loop {
        wfe();
    }
}
