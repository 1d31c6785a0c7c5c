//! The EL2 physical timer (CNTHP_*_EL2), which drives preemption and sleep
//! deadlines of the host kernel, and counter-to-time conversion.

use core::arch::asm;

/// CNTHP_CTL_EL2.ENABLE.
pub const CTL_ENABLE: u64 = 1 << 0;
/// CNTHP_CTL_EL2.IMASK.
pub const CTL_IMASK: u64 = 1 << 1;

/// Fires the timer interrupt when the counter reaches `deadline`.
pub fn set_deadline(deadline: u64) {
    // SAFETY: the EL2 timer belongs to the kernel.
    unsafe {
        asm!("msr cnthp_cval_el2, {0}", "msr cnthp_ctl_el2, {1}", "isb", in(reg) deadline, in(reg) CTL_ENABLE)
    };
}

/// Stops the timer.
pub fn stop() {
    // SAFETY: the EL2 timer belongs to the kernel.
    unsafe { asm!("msr cnthp_ctl_el2, {0}", "isb", in(reg) CTL_IMASK) };
}
