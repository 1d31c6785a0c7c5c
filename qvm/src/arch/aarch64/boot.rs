//! Starting an AArch64 guest: the kernel's VM settings for its GIC
//! (`vm_configure`), the boot vCPU's registers (arm64 boot protocol: PC at
//! the entry, x0 the device tree, EL1h with interrupts masked), and the
//! host's GIC version as placement's default and the one a guest may have.

use alloc::string::String;

use super::gic::{GicLayout, PlaceOptions, check_host_version};
use crate::config::ConfigError;
use crate::config::GicVersion;
use crate::layout::VmLayout;

pub use abi::aarch64::VcpuRegs;

/// What `vm_configure` failing means here.
pub const VM_CONFIG_REFUSED: &str =
    "cannot set up the virtual GIC (it must be the host GIC's version)";

/// The kernel's settings of the VM: GIC version and windows, vCPUs, SPIs.
pub fn vm_config(layout: &VmLayout<GicLayout>) -> Result<abi::VmConfig, String> {
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
        flags: 0,
    })
}

/// The boot vCPU's registers: PC at `entry`, x0 the device tree at `fdt`,
/// the rest 0 (PSTATE 0: EL1h with D, A, I, F masked).
pub fn boot_regs(entry: u64, fdt: u64) -> VcpuRegs {
    let mut regs = VcpuRegs {
        pc: entry,
        ..Default::default()
    };
    regs.x[0] = fdt;
    regs
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
