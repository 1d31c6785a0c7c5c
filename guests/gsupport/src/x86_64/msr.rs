//! Model-specific registers: plain RDMSR/WRMSR, and probes that
//! [`super::exceptions::catch`] can recover from (each instruction listed
//! in the `.gs_fixups` table with the address after it).

/// Reads MSR `msr`.
///
/// # Safety
/// The MSR must exist and reading it be harmless.
pub unsafe fn rdmsr(msr: u32) -> u64 {
    let (lo, hi): (u32, u32);
    // SAFETY: the caller vouches for the MSR.
    unsafe {
        core::arch::asm!("rdmsr", in("ecx") msr, out("eax") lo, out("edx") hi, options(nostack))
    };
    u64::from(hi) << 32 | u64::from(lo)
}

/// Writes `value` to MSR `msr`.
///
/// # Safety
/// The MSR must exist and the value be what the caller means.
pub unsafe fn wrmsr(msr: u32, value: u64) {
    // SAFETY: the caller vouches for the MSR and the value.
    unsafe {
        core::arch::asm!("wrmsr", in("ecx") msr, in("eax") value as u32, in("edx") (value >> 32) as u32, options(nostack))
    };
}

/// Reads MSR `msr`, which may not exist: inside `catch`, the #GP it then
/// raises is recorded and the result is 0.
///
/// # Safety
/// Reading the MSR, if it exists, must be harmless.
pub unsafe fn probe_rdmsr(msr: u32) -> u64 {
    let (mut lo, mut hi): (u32, u32) = (0, 0);
    // SAFETY: the caller vouches for the MSR; a fault resumes after the
    // instruction (its fixup entry) with the preset outputs.
    unsafe {
        core::arch::asm!(
            "2: rdmsr",
            "3:",
            ".pushsection .gs_fixups, \"a\"",
            ".balign 8",
            ".quad 2b, 3b",
            ".popsection",
            in("ecx") msr, inout("eax") lo, inout("edx") hi, options(nostack)
        )
    };
    u64::from(hi) << 32 | u64::from(lo)
}

/// Writes `value` to MSR `msr`, which may not exist (see [`probe_rdmsr`]).
///
/// # Safety
/// Writing the value, if the MSR exists, must be harmless.
pub unsafe fn probe_wrmsr(msr: u32, value: u64) {
    // SAFETY: as `probe_rdmsr`.
    unsafe {
        core::arch::asm!(
            "2: wrmsr",
            "3:",
            ".pushsection .gs_fixups, \"a\"",
            ".balign 8",
            ".quad 2b, 3b",
            ".popsection",
            in("ecx") msr, in("eax") value as u32, in("edx") (value >> 32) as u32, options(nostack)
        )
    };
}
