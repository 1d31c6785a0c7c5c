//! The first Rust code on the boot CPU: what the 32-bit entry
//! (`entry.rs`) found, handed to the kernel's `__kernel_main` as a
//! [`BootInfo`]. The kernel is linked where it runs, so the image is one
//! range and the bootfs comes as a boot module, not after the image.

use super::entry::HANDOFF_PVH;
use crate::platform::{BootInfo, Handoff};

unsafe extern "C" {
    static __image_start: u8;
    static __image_end: u8;
    static __boot_stack_top: u8;
}

unsafe extern "Rust" {
    fn __kernel_main(boot: BootInfo) -> !;
}

/// Top of the boot CPU's stack (its kernel stack from then on).
pub fn boot_stack_top() -> usize {
    &raw const __boot_stack_top as usize
}

/// The CPU can run VMs as the backends need: SVM with nested paging, or
/// VMX with EPT and unrestricted guest.
pub fn has_virtualization() -> bool {
    super::svm::run::available() || super::vmx::run::available()
}

/// Called in long mode, on the boot map and stack, with the hand-off kind
/// and its (32-bit) physical address.
#[unsafe(no_mangle)]
extern "C" fn __arch_x86_primary(kind: u32, info: u32) -> ! {
    let handoff = if kind == HANDOFF_PVH {
        Handoff::Pvh
    } else {
        Handoff::Multiboot2
    };
    let image_start = &raw const __image_start as usize;
    let image_end = &raw const __image_end as usize;
    // SAFETY: the kernel defines `__kernel_main`.
    unsafe {
        __kernel_main(BootInfo {
            handoff,
            firmware_table: info as usize,
            image_start,
            kernel_end: image_end,
            image_end,
            level: 0,
            hypervisor_level: has_virtualization(),
        })
    }
}
