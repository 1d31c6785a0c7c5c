//! The GIC of an AArch64 guest: its version, its windows (distributor, and
//! the GICv2 CPU interface or the GICv3 redistributors), the highest INTID
//! in use; placed before the devices.

use alloc::format;
use alloc::string::String;

use super::layout::{
    GICV2_GICC, GICV2_GICC_SIZE, GICV2_GICD, GICV2_GICD_SIZE, GICV2_MAX_VCPUS, GICV3_GICD,
    GICV3_GICD_SIZE, GICV3_GICR, GICV3_GICR_STRIDE, GICV3_MAX_VCPUS,
};
use super::rules::device_address;
use crate::config::{Config, ConfigError, DeviceOptions, GicVersion, VdevConfig};
use crate::layout::space::Space;
use crate::layout::{Region, Vcpu};

/// The placed GIC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GicLayout {
    /// 2 or 3.
    pub version: GicVersion,
    /// Distributor (GICD).
    pub gicd: Region,
    /// GICv2 CPU interface (GICC), where the virtual CPU interface is mapped.
    pub gicc: Option<Region>,
    /// GICv3 redistributors (GICR): one 128 KiB frame pair per vCPU.
    pub gicr: Option<Region>,
    /// Highest INTID a device or `pass` uses (31 if none): the distributor
    /// needs to implement at least up to here.
    pub max_intid: u32,
    /// The `vdev gic` context (for the implicit GIC, one with every option
    /// at its default and the configuration's start as its origin).
    pub config: VdevConfig,
    /// Whether the configuration names no `vdev gic` (QNX's implicit one).
    pub implicit: bool,
}

impl GicLayout {
    /// The SPIs the distributor offers (`vm_configure`'s `spis`): a
    /// multiple of 32 covering [`GicLayout::max_intid`], at least 32; at
    /// most `abi::VM_SPIS_MAX`, as placement keeps INTIDs within it.
    pub fn spis(&self) -> u64 {
        (u64::from(self.max_intid.max(63)) + 1 - 32).next_multiple_of(32)
    }
}

/// Choices placement makes when the configuration does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaceOptions {
    /// GIC version of a `vdev gic` without `version` (`qvm` passes the
    /// host's: the virtual CPU interface needs the same kind).
    pub default_gic: GicVersion,
}

impl Default for PlaceOptions {
    fn default() -> Self {
        PlaceOptions {
            default_gic: GicVersion::V3,
        }
    }
}

/// Places the GIC `gic` for `cpus`: its version, the vCPU limit of that
/// version, its windows.
pub fn place_irq_chip(
    config: &Config,
    gic: &VdevConfig,
    opts: &PlaceOptions,
    cpus: &[Vcpu],
    space: &mut Space,
) -> Result<GicLayout, ConfigError> {
    let version = match gic.options {
        DeviceOptions::Gic { version: Some(v) } => v,
        _ => opts.default_gic,
    };
    let max = match version {
        GicVersion::V2 => GICV2_MAX_VCPUS,
        GicVersion::V3 => GICV3_MAX_VCPUS,
    };
    if let Some(extra) = cpus.get(max) {
        let at = extra.config.origin.as_ref().unwrap_or(&config.start);
        return Err(at.error(format!(
            "cpu: a GICv{} VM has at most {max} vCPUs (this is vCPU {})",
            version.number(),
            max + 1
        )));
    }
    if let Some((_, at)) = &gic.intr {
        return Err(at.error("vdev gic: takes no 'intr'"));
    }
    let (base, at) = match &gic.loc {
        Some((loc, at)) => (Some(device_address(loc, "vdev gic", at)?.1), at),
        None => (None, &gic.origin),
    };
    let implicit = super::rules::irq_chip_is_implicit(config);
    // Overlap messages name the implicit GIC as such (its origin is the
    // configuration's first option, which does not name it).
    let who = if implicit {
        "the implicit vdev gic"
    } else {
        "vdev gic"
    };
    let mut layout = GicLayout {
        version,
        gicd: Region { base: 0, size: 0 },
        gicc: None,
        gicr: None,
        max_intid: 31,
        config: gic.clone(),
        implicit,
    };
    match version {
        GicVersion::V2 => {
            let gicd = base.unwrap_or(GICV2_GICD);
            let gicc = gicd.wrapping_add(GICV2_GICC - GICV2_GICD);
            space.claim(
                gicd,
                GICV2_GICD_SIZE,
                &format!("{who} (GICv2 distributor)"),
                at,
            )?;
            space.claim(
                gicc,
                GICV2_GICC_SIZE,
                &format!("{who} (GICv2 CPU interface)"),
                at,
            )?;
            layout.gicd = Region {
                base: gicd,
                size: GICV2_GICD_SIZE,
            };
            layout.gicc = Some(Region {
                base: gicc,
                size: GICV2_GICC_SIZE,
            });
        }
        GicVersion::V3 => {
            let gicd = base.unwrap_or(GICV3_GICD);
            if !gicd.is_multiple_of(GICV3_GICD_SIZE) {
                return Err(at.error(format!(
                    "vdev gic: 'loc' {gicd:#x}: a GICv3 distributor needs a 64 KiB aligned address"
                )));
            }
            let gicr = gicd.wrapping_add(GICV3_GICR - GICV3_GICD);
            let gicr_size = GICV3_GICR_STRIDE * cpus.len() as u64;
            space.claim(
                gicd,
                GICV3_GICD_SIZE,
                &format!("{who} (GICv3 distributor)"),
                at,
            )?;
            space.claim(
                gicr,
                gicr_size,
                &format!("{who} (GICv3 redistributors)"),
                at,
            )?;
            layout.gicd = Region {
                base: gicd,
                size: GICV3_GICD_SIZE,
            };
            layout.gicr = Some(Region {
                base: gicr,
                size: gicr_size,
            });
        }
    }
    Ok(layout)
}

/// Refuses a GIC whose version is not `host_version` (the host's, what
/// `SysInfo::vm_gic_version` says the kernel offers guests): the virtual
/// CPU interface is the host GIC's own hardware, and the kernel gives a VM
/// its host's kind only (a GICv3 with the GICv2 compatibility frame could
/// carry a GICv2 guest; ours does not offer it).
pub fn check_host_version(gic: &GicLayout, host_version: u64) -> Result<(), ConfigError> {
    let want = u64::from(gic.version.number());
    if want == host_version {
        return Ok(());
    }
    let hint = match host_version {
        2 | 3 => format!("leave 'version' out (the host's) or give 'version {host_version}'"),
        _ => String::from("this host offers guests no GIC"),
    };
    Err(gic.config.origin.error(format!(
        "vdev gic version {want}: the host's GIC is v{host_version} and its kernel gives a \
         VM only a GIC of its own version (no GICv{want} compatibility); {hint}"
    )))
}

/// Once every device is placed: the distributor implements INTIDs up to
/// the highest taken (31 if none).
pub fn note_lines_used(gic: &mut GicLayout, space: &Space) {
    gic.max_intid = space.max_intid().unwrap_or(31);
}
