//! Placement of the GIC, the vdevs, `pass` and `reserve` entries.

use alloc::format;
use alloc::vec::Vec;

use super::defaults::{
    GICV2_GICC, GICV2_GICD, GICV2_MAX_VCPUS, GICV3_GICD, GICV3_GICR, GICV3_MAX_VCPUS, VDEV_SLOT,
    default_place, reg_size,
};
use super::limits::{
    GICV2_GICC_SIZE, GICV2_GICD_SIZE, GICV3_GICD_SIZE, GICV3_GICR_STRIDE, PAGE_SIZE,
};
use super::space::Space;
use super::{GicLayout, PlaceOptions, Region, Vcpu, VdevLayout};
use crate::config::{
    Config, ConfigError, DeviceOptions, GicVersion, Intr, Location, Origin, PassKind, ReserveKind,
    VdevConfig, VdevKind,
};

/// The one `vdev gic`.
pub(super) fn find_gic(config: &Config) -> Result<&VdevConfig, ConfigError> {
    let mut gics = config.vdevs.iter().filter(|d| d.kind == VdevKind::Gic);
    let Some(gic) = gics.next() else {
        return Err(config
            .start
            .error("no 'vdev gic': an ARM VM needs one (e.g. 'vdev gic version 3')"));
    };
    if let Some(second) = gics.next() {
        return Err(second.origin.error(format!(
            "vdev gic: a VM has one GIC (the first is at {})",
            gic.origin
        )));
    }
    Ok(gic)
}

/// The INTID of `intr`, which must name the GIC (`gic` or its `name`).
fn gic_line(intr: &Intr, gic: &VdevConfig, what: &str, at: &Origin) -> Result<u32, ConfigError> {
    if intr.controller == "gic" || gic.name.as_deref() == Some(intr.controller.as_str()) {
        return Ok(intr.line);
    }
    Err(at.error(format!(
        "{what}: 'intr' names the controller '{}', but this VM's is 'gic' (gic:<intid>)",
        intr.controller
    )))
}

/// A `loc` on ARM: a memory address.
fn mem_loc(loc: &Location, what: &str, at: &Origin) -> Result<u64, ConfigError> {
    match *loc {
        Location::Mem(addr) => Ok(addr),
        Location::Io(port) => Err(at.error(format!(
            "{what}: 'loc' io:{port:#x} is x86 only; an ARM device takes a mem: address"
        ))),
        Location::Pci { .. } => Err(at.error(format!(
            "{what}: 'loc' pci: needs a PCI host bridge, which this VM does not have"
        ))),
    }
}

pub(super) fn claim_reserves(
    config: &Config,
    gic: &VdevConfig,
    space: &mut Space,
) -> Result<(), ConfigError> {
    for r in &config.reserves {
        match &r.kind {
            ReserveKind::Mem { gpa, len } => space.claim_reserve(*gpa, *len, &r.origin)?,
            ReserveKind::Intr(intr) => {
                let line = gic_line(intr, gic, "reserve", &r.origin)?;
                space.claim_intid(line, "reserve", &r.origin)?;
            }
        }
    }
    Ok(())
}

pub(super) fn place_gic(
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
        Some((loc, at)) => (Some(mem_loc(loc, "vdev gic", at)?), at),
        None => (None, &gic.origin),
    };
    let mut layout = GicLayout {
        version,
        gicd: Region { base: 0, size: 0 },
        gicc: None,
        gicr: None,
        max_intid: 31,
        config: gic.clone(),
    };
    match version {
        GicVersion::V2 => {
            let gicd = base.unwrap_or(GICV2_GICD);
            let gicc = gicd.wrapping_add(GICV2_GICC - GICV2_GICD);
            space.claim(gicd, GICV2_GICD_SIZE, "vdev gic (GICv2 distributor)", at)?;
            space.claim(gicc, GICV2_GICC_SIZE, "vdev gic (GICv2 CPU interface)", at)?;
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
            space.claim(gicd, GICV3_GICD_SIZE, "vdev gic (GICv3 distributor)", at)?;
            space.claim(gicr, gicr_size, "vdev gic (GICv3 redistributors)", at)?;
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

/// Places every vdev but the GIC, and checks the `pass` entries: first what
/// the config places itself, then the rest in the free slots.
pub(super) fn place_vdevs(
    config: &Config,
    gic: &VdevConfig,
    space: &mut Space,
) -> Result<Vec<VdevLayout>, ConfigError> {
    let devs: Vec<&VdevConfig> = config
        .vdevs
        .iter()
        .filter(|d| d.kind != VdevKind::Gic)
        .collect();
    let mut slots: Vec<Option<u64>> = Vec::new();
    let mut intids: Vec<Option<u32>> = Vec::new();
    for dev in &devs {
        let what = dev.describe();
        if dev.kind.is_x86_only() {
            return Err(dev
                .origin
                .error(format!("{what}: an x86 device, and this VM is ARM")));
        }
        let slot = match &dev.loc {
            Some((loc, at)) => {
                let base = mem_loc(loc, &what, at)?;
                space.claim(base, VDEV_SLOT, &what, at)?;
                Some(base)
            }
            None => None,
        };
        let intid = match &dev.intr {
            Some((intr, at)) => {
                let line = gic_line(intr, gic, &what, at)?;
                space.claim_intid(line, &what, at)?;
                Some(line)
            }
            None => None,
        };
        slots.push(slot);
        intids.push(intid);
    }
    for pass in &config.passes {
        let at = &pass.origin;
        match &pass.kind {
            PassKind::Mem { gpa, len, hpa, .. } => {
                if !hpa.is_multiple_of(PAGE_SIZE) {
                    return Err(at.error(format!(
                        "pass: the host address {hpa:#x} is not a multiple of 4 KiB"
                    )));
                }
                space.claim(*gpa, *len, "pass", at)?;
            }
            PassKind::Io { .. } => {
                return Err(at.error("pass: 'loc' io: is x86 only; on ARM pass mem: regions"));
            }
            PassKind::Intr { intr, .. } => {
                let line = gic_line(intr, gic, "pass", at)?;
                space.claim_intid(line, "pass", at)?;
            }
        }
    }
    let mut out = Vec::new();
    for ((dev, slot), intid) in devs.into_iter().zip(slots).zip(intids) {
        let what = dev.describe();
        let (default_base, default_intid) = default_place(dev.kind);
        let base = match slot {
            Some(base) => base,
            None => {
                let base = space.free_slot(default_base, VDEV_SLOT).ok_or_else(|| {
                    dev.origin
                        .error(format!("{what}: no free guest-physical slot"))
                })?;
                space.claim(base, VDEV_SLOT, &what, &dev.origin)?;
                base
            }
        };
        let intid = match intid {
            Some(i) => i,
            None => {
                let i = space
                    .free_intid(default_intid)
                    .ok_or_else(|| dev.origin.error(format!("{what}: no free INTID")))?;
                space.claim_intid(i, &what, &dev.origin)?;
                i
            }
        };
        out.push(VdevLayout {
            config: (*dev).clone(),
            slot: Region {
                base,
                size: VDEV_SLOT,
            },
            reg_size: reg_size(dev.kind),
            intid,
        });
    }
    Ok(out)
}
