//! Raw device accesses of exactly one aligned 32-bit `mov`, for the probes
//! and benchmarks that must know which instruction touches the device: a
//! hypervisor decodes it, and [`super::exceptions::catch`] can resume
//! after it (each is listed in the `.gs_fixups` table).

/// Reads the 32-bit register at `addr` with one `mov`. If the access
/// faults inside `catch`, the result is 0.
///
/// # Safety
/// `addr` must be 4-byte aligned and mapped; reading it must be harmless
/// (or the fault it raises caught).
#[inline(always)]
pub unsafe fn read32(addr: usize) -> u32 {
    let mut value: u32 = 0;
    // SAFETY: the caller guarantees the address may be read; a fault
    // resumes after the instruction with `value` as preset.
    unsafe {
        core::arch::asm!(
            "2: mov {v:e}, dword ptr [{a}]",
            "3:",
            ".pushsection .gs_fixups, \"a\"",
            ".balign 8",
            ".quad 2b, 3b",
            ".popsection",
            v = inout(reg) value, a = in(reg) addr, options(nostack)
        )
    };
    value
}

/// Writes the 32-bit register at `addr` with one `mov`.
///
/// # Safety
/// `addr` must be 4-byte aligned and mapped; writing `value` there must be
/// harmless (or the fault it raises caught).
#[inline(always)]
pub unsafe fn write32(addr: usize, value: u32) {
    // SAFETY: the caller guarantees the address may be written.
    unsafe {
        core::arch::asm!(
            "2: mov dword ptr [{a}], {v:e}",
            "3:",
            ".pushsection .gs_fixups, \"a\"",
            ".balign 8",
            ".quad 2b, 3b",
            ".popsection",
            v = in(reg) value, a = in(reg) addr, options(nostack)
        )
    };
}
