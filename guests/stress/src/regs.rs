//! Device register accesses of exactly one instruction each (`ldrb`,
//! `strb`, `ldr`, `str`, 64-bit `ldr`), so that a hypervisor trapping them
//! gets a syndrome it can decode, whatever the width.

/// Reads the byte register at `addr` with one `ldrb`.
///
/// # Safety
/// `addr` must be mapped as a device and reading it harmless.
#[inline(always)]
pub unsafe fn read8(addr: usize) -> u8 {
    let value: u32;
    // SAFETY: the caller guarantees the address may be read.
    unsafe {
        core::arch::asm!("ldrb {v:w}, [{a}]", v = out(reg) value, a = in(reg) addr, options(nostack))
    };
    value as u8
}

/// Writes the byte register at `addr` with one `strb`.
///
/// # Safety
/// `addr` must be mapped as a device and writing `value` there harmless.
#[inline(always)]
pub unsafe fn write8(addr: usize, value: u8) {
    // SAFETY: the caller guarantees the address may be written.
    unsafe {
        core::arch::asm!("strb {v:w}, [{a}]", v = in(reg) u32::from(value), a = in(reg) addr, options(nostack))
    };
}

/// Reads the 32-bit register at `addr` with one `ldr`.
///
/// # Safety
/// `addr` must be 4-byte aligned, mapped as a device, and reading it
/// harmless.
#[inline(always)]
pub unsafe fn read32(addr: usize) -> u32 {
    // SAFETY: passed on to the caller.
    unsafe { gsupport::mmio::read32(addr) }
}

/// Writes the 32-bit register at `addr` with one `str`.
///
/// # Safety
/// `addr` must be 4-byte aligned, mapped as a device, and writing `value`
/// there harmless.
#[inline(always)]
pub unsafe fn write32(addr: usize, value: u32) {
    // SAFETY: passed on to the caller.
    unsafe { gsupport::mmio::write32(addr, value) }
}

/// Reads the 64-bit register at `addr` with one `ldr` of an X register.
///
/// # Safety
/// `addr` must be 8-byte aligned, mapped as a device, and reading it
/// harmless.
#[inline(always)]
pub unsafe fn read64(addr: usize) -> u64 {
    let value: u64;
    // SAFETY: the caller guarantees the address may be read.
    unsafe {
        core::arch::asm!("ldr {v}, [{a}]", v = out(reg) value, a = in(reg) addr, options(nostack))
    };
    value
}
