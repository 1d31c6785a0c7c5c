//! The generic timer as a guest sees it: the virtual counter (CNTVCT_EL0),
//! its frequency (CNTFRQ_EL0) and the EL1 virtual timer (CNTV_*_EL0),
//! whose interrupt is the device tree's third timer PPI (usually INTID 27).

use core::arch::asm;

/// CNTV_CTL_EL0.ENABLE.
const CTL_ENABLE: u64 = 1 << 0;
/// CNTV_CTL_EL0.IMASK.
const CTL_IMASK: u64 = 1 << 1;

/// Counter frequency in Hz.
pub fn frequency() -> u64 {
    let v: u64;
    // SAFETY: reading a register.
    unsafe { asm!("mrs {0}, cntfrq_el0", out(reg) v, options(nomem, nostack)) };
    v
}

/// The virtual counter, after the instructions before it have completed.
#[inline(always)]
pub fn counter() -> u64 {
    let v: u64;
    // SAFETY: reading the counter.
    unsafe { asm!("isb", "mrs {0}, cntvct_el0", out(reg) v, options(nomem, nostack)) };
    v
}

/// The physical counter (CNTPCT_EL0), after the instructions before it
/// have completed: one time base for all the VMs of a host, whatever
/// virtual counter offset each of them gets.
#[inline(always)]
pub fn physical_counter() -> u64 {
    let v: u64;
    // SAFETY: reading the counter (EL1 may: CNTHCTL_EL2.EL1PCTEN, or no EL2).
    unsafe { asm!("isb", "mrs {0}, cntpct_el0", out(reg) v, options(nomem, nostack)) };
    v
}

/// Fires the virtual timer interrupt when the virtual counter reaches
/// `deadline`.
pub fn set_deadline(deadline: u64) {
    // SAFETY: the EL1 virtual timer belongs to the guest.
    unsafe {
        asm!("msr cntv_cval_el0, {0}", "msr cntv_ctl_el0, {1}", "isb",
            in(reg) deadline, in(reg) CTL_ENABLE, options(nomem, nostack))
    };
}

/// Fires the virtual timer interrupt `ticks` counter ticks from now.
pub fn set_timeout(ticks: u64) {
    set_deadline(counter().wrapping_add(ticks));
}

/// Stops the virtual timer (its interrupt line drops).
pub fn stop() {
    // SAFETY: the EL1 virtual timer belongs to the guest.
    unsafe { asm!("msr cntv_ctl_el0, {0}", "isb", in(reg) CTL_IMASK, options(nomem, nostack)) };
}

/// Converts counter ticks to microseconds.
pub fn ticks_to_us(ticks: u64) -> u64 {
    let hz = frequency().max(1);
    (u128::from(ticks) * 1_000_000 / u128::from(hz)) as u64
}

/// Converts microseconds to counter ticks.
pub fn us_to_ticks(us: u64) -> u64 {
    (u128::from(us) * u128::from(frequency()) / 1_000_000) as u64
}

/// Busy-waits `us` microseconds.
pub fn delay_us(us: u64) {
    let end = counter().wrapping_add(us_to_ticks(us));
    while (end.wrapping_sub(counter()) as i64) > 0 {
        core::hint::spin_loop();
    }
}
