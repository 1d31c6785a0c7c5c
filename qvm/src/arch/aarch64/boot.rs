//! Starting an ARM guest: the kernel's VM settings for its GIC and its
//! EL1's execution state (`vm_configure`: AArch32 for a zImage or ELF32
//! ARM image, `aarch32.rs`), the boot vCPU's registers (arm64 boot
//! protocol: PC at the entry, x0 the device tree, EL1h with interrupts
//! masked; a 32-bit kernel as `aarch32.rs` says), what a refused
//! `vm_configure` means, and the host's GIC version as placement's default
//! and the one a guest may have.

use alloc::string::String;

use super::aarch32::{self, is_aarch32};
use super::gic::{GicLayout, PlaceOptions, check_host_version};
use crate::config::GicVersion;
use crate::config::{Config, ConfigError};
use crate::layout::VmLayout;
use crate::loader::Format;

pub use abi::aarch64::VcpuRegs;

/// What `vm_configure` failing means here (but for `ENOTSUP` on an
/// AArch32 VM: [`vm_config_refused`]).
pub const VM_CONFIG_REFUSED: &str =
    "cannot set up the virtual GIC (it must be the host GIC's version)";

/// The kernel's settings of the VM: GIC version and windows, vCPUs, SPIs;
/// `VM_FLAG_AARCH32` if the guest image (of `image` format) is a 32-bit
/// ARM one.
pub fn vm_config(layout: &VmLayout<GicLayout>, image: Format) -> Result<abi::VmConfig, String> {
    let gic = &layout.gic;
    let (gic_version, cpu_if) = match (gic.version, gic.gicr, gic.gicc) {
        (GicVersion::V3, Some(gicr), _) => (3, gicr),
        (GicVersion::V2, _, Some(gicc)) => (2, gicc),
        _ => return Err("the GIC has no CPU interface region".into()),
    };
    Ok(abi::VmConfig {
        gic_version,
        gicd: gic.gicd.base,
        gicr_or_gicc: cpu_if.base,
        vcpus: layout.cpus.len() as u64,
        spis: gic.spis(),
        pm_timer_port: 0,
        flags: if is_aarch32(image) {
            abi::VM_FLAG_AARCH32
        } else {
            0
        },
    })
}

/// The message for `vm_configure` failing with `error` for a VM whose
/// image `path` is of `image` format: an AArch32 VM refused with
/// `ENOTSUP` needs a CPU with AArch32 at EL1; anything else is
/// [`VM_CONFIG_REFUSED`].
pub fn vm_config_refused(error: abi::Error, path: &str, image: Format) -> String {
    if error == abi::Error::NotSupported && is_aarch32(image) {
        aarch32::no_aarch32(path)
    } else {
        alloc::format!("{VM_CONFIG_REFUSED}: {}", error.name())
    }
}

/// The boot vCPU's registers for an image of `image` format starting at
/// `entry` with its device tree at `fdt`: a 32-bit ARM kernel's
/// ([`aarch32::boot_regs`]), else PC at `entry`, x0 the device tree, the
/// rest 0 (PSTATE 0: EL1h with D, A, I, F masked).
pub fn boot_regs(image: Format, entry: u64, fdt: u64) -> VcpuRegs {
    if is_aarch32(image) {
        return aarch32::boot_regs(entry, fdt);
    }
    let mut regs = VcpuRegs {
        pc: entry,
        ..Default::default()
    };
    regs.x[0] = fdt;
    regs
}

/// Refuses, naming the configuration's line, what the guest image of
/// `image` format cannot run with: a 32-bit image with its first RAM at
/// or above 4 GiB ([`aarch32::check_layout`]).
pub fn check_image_layout(
    config: &Config,
    layout: &VmLayout<GicLayout>,
    image: Format,
) -> Result<(), ConfigError> {
    aarch32::check_layout(config, layout, image)
}

/// Placement's choices on this host: a `vdev gic` without `version` gets
/// the host's kind (the virtual CPU interface is the host GIC's hardware).
pub fn place_options(info: &abi::SysInfo) -> PlaceOptions {
    let default_gic = match info.vm_gic_version {
        2 => GicVersion::V2,
        _ => GicVersion::V3,
    };
    PlaceOptions { default_gic }
}

/// Refuses, naming the `vdev gic` line, a GIC the host cannot give the
/// guest (`vdev gic version 2` on a GICv3 host), before `vm_configure`
/// would.
pub fn check_host_irq_chip(
    layout: &VmLayout<GicLayout>,
    info: &abi::SysInfo,
) -> Result<(), ConfigError> {
    check_host_version(&layout.gic, info.vm_gic_version)
}
