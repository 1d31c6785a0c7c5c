//! Port I/O: each function is one `in` or `out` instruction, so a
//! hypervisor intercepting it sees exactly that access.

/// Reads a byte from `port`.
///
/// # Safety
/// Reading `port` must be harmless (some device registers change state
/// when read).
#[inline(always)]
pub unsafe fn inb(port: u16) -> u8 {
    let value: u8;
    // SAFETY: the caller vouches for the port.
    unsafe {
        core::arch::asm!("in al, dx", out("al") value, in("dx") port, options(nomem, nostack, preserves_flags))
    };
    value
}

/// Writes a byte to `port`.
///
/// # Safety
/// Writing `value` to `port` must be what the caller means to do to that
/// device.
#[inline(always)]
pub unsafe fn outb(port: u16, value: u8) {
    // SAFETY: the caller vouches for the port and the value.
    unsafe {
        core::arch::asm!("out dx, al", in("dx") port, in("al") value, options(nomem, nostack, preserves_flags))
    };
}

/// Writes a 16-bit word to `port`.
///
/// # Safety
/// As [`outb`].
#[inline(always)]
pub unsafe fn outw(port: u16, value: u16) {
    // SAFETY: the caller vouches for the port and the value.
    unsafe {
        core::arch::asm!("out dx, ax", in("dx") port, in("ax") value, options(nomem, nostack, preserves_flags))
    };
}
