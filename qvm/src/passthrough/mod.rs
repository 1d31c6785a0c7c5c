//! Pass-through, the planning half: which host device region each
//! `pass loc mem:GPA,LEN,ATTRS=HPA` names (from the host's device list,
//! what `device_list` returns), which host interrupt each `pass intr
//! gic:N=HOST` binds to guest INTID `N`, and the device-tree node the
//! guest gets for each region passed. The `qvm` binary carries the plan
//! out (`vm_map_device`, `vm_irq_pass`) and turns the kernel's refusals
//! into messages.
//!
//! The kernel hands out whole device regions, so a `pass loc mem` names
//! one from its base: HPA is the region's base and LEN its size (as the
//! host's tree says, or rounded up to whole pages). What the guest may do
//! with it is read and write, device memory, never executed: the
//! attributes `qvm::honour` lets through.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::config::{Config, ConfigError, PassKind};
use crate::fdt::{PassedDevice, PassedIrq};
use crate::layout::Region;

mod dma;
mod types;

pub use types::{HostRegion, IrqStep, MapStep, Plan};

/// Pages the kernel maps.
const PAGE: u64 = 4096;

/// The node name of a host path: its last component without the unit
/// address (`/soc/pl031@9010000` → `pl031`).
fn node_name(path: &str) -> &str {
    let last = path.rsplit('/').next().unwrap_or(path);
    let name = last.split('@').next().unwrap_or(last);
    if name.is_empty() { "device" } else { name }
}

/// Plans the `pass` entries of `config` against the host's `regions`.
pub fn plan(config: &Config, regions: &[HostRegion]) -> Result<Plan, ConfigError> {
    let mut plan = Plan::default();
    for pass in &config.passes {
        let what = crate::honour::describe_pass(pass);
        let at = &pass.origin;
        match &pass.kind {
            PassKind::Mem {
                gpa,
                len,
                hpa,
                attrs,
            } => {
                let region = find_region(regions, *hpa, *len)
                    .map_err(|why| at.error(format!("{what}: {why}")))?;
                match (attrs.ram, region.ram) {
                    (true, false) => {
                        return Err(at.error(format!(
                            "{what}: {} is a device, not host RAM: 'm' is for RAM the host set \
                             aside at boot (the buildfile's [reserve])",
                            region.path
                        )));
                    }
                    (false, true) => {
                        return Err(at.error(format!(
                            "{what}: {} is host RAM set aside at boot: pass it as guest memory, \
                             with 'm' ('rwxcm')",
                            region.path
                        )));
                    }
                    _ => {}
                }
                plan.maps.push(MapStep {
                    index: region.index,
                    gpa: *gpa,
                    size: region.size,
                    ram: region.ram,
                    what,
                    origin: at.clone(),
                });
                if region.ram {
                    // Guest memory: a `/memory` node (`fdt::nodes`).
                    continue;
                }
                plan.nodes.push(PassedDevice {
                    name: String::from(node_name(&region.path)),
                    compatible: region.compatible.clone(),
                    region: Region {
                        base: *gpa,
                        size: region.size,
                    },
                    irqs: Vec::new(),
                });
            }
            PassKind::Intr { intr, host } => plan.irqs.push(IrqStep {
                host: *host,
                guest: intr.line,
                what,
                origin: at.clone(),
            }),
            // Refused on every guest architecture this tree builds
            // (`check_pass_io`); nothing to plan.
            PassKind::Io { .. } => {}
        }
    }
    dma::check(config, regions, &plan)?;
    // Each node lists the guest INTIDs bound to its host node's
    // interrupts, in the host node's order.
    let devices = plan.maps.iter().filter(|m| !m.ram);
    for (node, step) in plan.nodes.iter_mut().zip(devices) {
        let Some(region) = regions.iter().find(|r| r.index == step.index) else {
            continue;
        };
        for host in &region.irqs {
            if !plan.irqs.iter().any(|i| i.host == *host) {
                plan.notes.push(step.origin.error(format!(
                    "{}: {} has interrupt {host} on the host, and no 'pass intr gic:N={host}' \
                     gives it to the guest: the guest's node lists no such interrupt",
                    step.what, region.path
                )));
            }
        }
        node.irqs = region
            .irqs
            .iter()
            .enumerate()
            .filter_map(|(n, h)| {
                let step = plan.irqs.iter().find(|i| i.host == *h)?;
                Some(PassedIrq {
                    intid: step.guest,
                    edge: region.edge.get(n).copied().unwrap_or(false),
                })
            })
            .collect();
    }
    Ok(plan)
}

/// The host region `pass loc mem:…,LEN,…=HPA` names, or why there is none.
fn find_region(regions: &[HostRegion], hpa: u64, len: u64) -> Result<&HostRegion, String> {
    let Some(region) = regions
        .iter()
        .find(|r| r.base <= hpa && hpa < r.base.saturating_add(r.size.max(1)))
    else {
        return Err(format!(
            "the host has no device region at {hpa:#x} (run `pidin syspage=asinfo` or see \
             `device_list` for the host's regions; RAM cannot be passed through yet)"
        ));
    };
    let pages = region.size.div_ceil(PAGE) * PAGE;
    if region.base != hpa {
        return Err(format!(
            "{hpa:#x} is inside the host region {} at {:#x} ({:#x} bytes): pass it whole, from \
             its base",
            region.path, region.base, region.size
        ));
    }
    if len != region.size && len != pages {
        return Err(format!(
            "the host region {} at {:#x} is {:#x} bytes ({pages:#x} in whole pages): the \
             length must be that, not {len:#x}",
            region.path, region.base, region.size
        ));
    }
    Ok(region)
}

#[cfg(test)]
mod tests;
