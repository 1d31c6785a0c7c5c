//! Tiny guest programs for the VMs that `ktest` builds itself with the VM
//! calls (`vmcrash`, `fuzz`), assembled here and copied into guest RAM.
//! Both are position independent and never wait: every path ends in an
//! exit to the VMM within a few thousand instructions.

#[cfg(target_arch = "aarch64")]
mod aarch64;
#[cfg(target_arch = "aarch64")]
pub use aarch64::*;
#[cfg(target_arch = "x86_64")]
mod x86_64;
#[cfg(target_arch = "x86_64")]
pub use x86_64::*;

/// The bytes from `start` to `end`: a program assembled into the
/// read-only section.
fn between(start: *const u8, end: *const u8) -> &'static [u8] {
    // SAFETY: both symbols are in the read-only section, `end` after
    // `start`, and the bytes between them never change.
    unsafe { core::slice::from_raw_parts(start, end as usize - start as usize) }
}
