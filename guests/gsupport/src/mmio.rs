//! Raw device accesses of exactly one aligned 32-bit `ldr` or `str`, for
//! the probes and benchmarks that must know which instruction touches the
//! device: a hypervisor decodes it from the syndrome, and
//! [`crate::exceptions::catch`] can skip it.

/// Reads the 32-bit register at `addr` with one `ldr`. If the access is
/// skipped by [`crate::exceptions::catch`], the result is 0.
///
/// # Safety
/// `addr` must be 4-byte aligned and mapped; reading it must be harmless
/// (or the fault it raises caught).
#[inline(always)]
pub unsafe fn read32(addr: usize) -> u32 {
    let mut value: u32 = 0;
    // SAFETY: the caller guarantees the address may be read.
    unsafe {
        core::arch::asm!("ldr {v:w}, [{a}]", v = inout(reg) value, a = in(reg) addr, options(nostack))
    };
    value
}

/// Writes the 32-bit register at `addr` with one `str`.
///
/// # Safety
/// `addr` must be 4-byte aligned and mapped; writing `value` there must be
/// harmless (or the fault it raises caught).
#[inline(always)]
pub unsafe fn write32(addr: usize, value: u32) {
    // SAFETY: the caller guarantees the address may be written.
    unsafe {
        core::arch::asm!("str {v:w}, [{a}]", v = in(reg) value, a = in(reg) addr, options(nostack))
    };
}
