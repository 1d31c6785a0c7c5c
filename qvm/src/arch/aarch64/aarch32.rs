//! AArch32 guests on the ARM host: which images make a VM one (a Linux
//! `zImage` or an ELF32 ARM image: `abi::VM_FLAG_AARCH32`, the kernel
//! clears `HCR_EL2.RW` for it), the boot vCPU of a 32-bit ARM kernel
//! (Documentation/arch/arm/booting.rst 6), the RAM such a guest can
//! start in, and what `vm_configure`'s `ENOTSUP` means for it.

use alloc::string::String;

use abi::aarch64::VcpuRegs;

use super::zimage::AARCH32_LIMIT;
use crate::config::{Config, ConfigError};
use crate::layout::VmLayout;
use crate::loader::Format;

/// AArch32 CPSR.M, Supervisor mode (ARM ARM G1.9.1, "AArch32 PE modes").
pub const CPSR_MODE_SVC: u64 = 0x13;
/// CPSR.T: the T32 (Thumb) instruction set.
pub const CPSR_T: u64 = 1 << 5;
/// CPSR.F, CPSR.I, CPSR.A: FIQs, IRQs and asynchronous aborts masked.
pub const CPSR_F: u64 = 1 << 6;
pub const CPSR_I: u64 = 1 << 7;
pub const CPSR_A: u64 = 1 << 8;
/// booting.rst 3: "For DT-only platforms ... set the machine type to all
/// ones (~0)", in r1.
pub const MACH_TYPE_DT: u64 = 0xFFFF_FFFF;

/// Whether an image of `format` runs at AArch32 EL1: a zImage or an ELF32
/// (ARM: the loader takes no other ELF32 here) image.
pub fn is_aarch32(format: Format) -> bool {
    matches!(format, Format::ZImage | Format::Elf32)
}

/// The boot vCPU of a 32-bit ARM kernel (booting.rst 6, "CPU register
/// settings", "CPU mode"): r0 = 0, r1 = ~0 (the machine is described by
/// the device tree), r2 = the device tree at `fdt`; Supervisor mode with
/// IRQs, FIQs and asynchronous aborts masked (the kernel's EL1 starts with
/// its MMU and caches off). An odd `entry` (an ELF32 entry point in Thumb
/// code) starts at `entry - 1` in T32; a zImage starts in A32, as the
/// document asks ("the entry must be made in ARM state").
pub fn boot_regs(entry: u64, fdt: u64) -> VcpuRegs {
    let thumb = entry & 1 != 0;
    let mut regs = VcpuRegs {
        pc: entry & !1,
        pstate: CPSR_MODE_SVC | CPSR_A | CPSR_I | CPSR_F | if thumb { CPSR_T } else { 0 },
        ..Default::default()
    };
    regs.x[1] = MACH_TYPE_DT;
    regs.x[2] = fdt;
    regs
}

/// Why `vm_configure` refused an AArch32 VM with `ENOTSUP`: the CPU has
/// no AArch32 at EL1 (Cortex-A76 and later cores have it at EL0 only);
/// `image` is the `load` file.
pub fn no_aarch32(image: &str) -> String {
    alloc::format!(
        "this CPU has no AArch32 at EL1: the 32-bit guest {image} cannot run here (on QEMU use \
         -cpu cortex-a57 or cortex-a72)"
    )
}

/// Refuses, naming the `ram` line, a layout a 32-bit guest (one that
/// loads an image of `format`) cannot start in: its image, device tree
/// and ramdisk go into the first RAM region, which must then start below
/// 4 GiB (a 32-bit kernel starts with the MMU off, on 32-bit addresses).
/// RAM above 4 GiB elsewhere is the kernel's to use or ignore (LPAE).
pub fn check_layout(
    config: &Config,
    layout: &VmLayout<super::gic::GicLayout>,
    format: Format,
) -> Result<(), ConfigError> {
    if !is_aarch32(format) {
        return Ok(());
    }
    let Some(first) = layout.ram().next() else {
        return Ok(());
    };
    if first.region.base < AARCH32_LIMIT {
        return Ok(());
    }
    let what = if format == Format::ZImage {
        "a 32-bit ARM zImage"
    } else {
        "an ELF32 ARM image"
    };
    let load = config
        .image()
        .map(|l| alloc::format!(" ({} at {})", l.path, l.origin))
        .unwrap_or_default();
    Err(first.origin.error(alloc::format!(
        "'ram' at {:#x}: the guest image{load} is {what}, which starts with 32-bit addresses: \
         its first RAM region must start below 4 GiB",
        first.region.base
    )))
}
