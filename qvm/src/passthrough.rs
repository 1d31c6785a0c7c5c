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

use crate::config::{Config, ConfigError, MemKind, PassKind};
use crate::fdt::{PassedDevice, PassedIrq};
use crate::layout::Region;

/// Pages the kernel maps.
const PAGE: u64 = 4096;

/// A host device region as the device list shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostRegion {
    /// Its number (what `vm_map_device` takes).
    pub index: u32,
    /// Physical base address.
    pub base: u64,
    /// Size in bytes, as the host's device tree says.
    pub size: u64,
    /// The node's interrupts (INTIDs).
    pub irqs: Vec<u32>,
    /// Which of them are edge-triggered (same order).
    pub edge: Vec<bool>,
    /// The node's path (`/pl031@9010000`).
    pub path: String,
    /// Its first `compatible` string.
    pub compatible: String,
    /// Host RAM set aside at boot (`[reserve]`), not a device.
    pub ram: bool,
    /// A DMA master (the host's node is `dma-coherent`).
    pub dma: bool,
}

/// One region to map: host region `index` at guest-physical `gpa`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapStep {
    /// The host region's number.
    pub index: u32,
    /// Where the guest finds it.
    pub gpa: u64,
    /// Its size in bytes.
    pub size: u64,
    /// Host RAM (`m`): guest memory, which `qvm` maps too, to load the
    /// guest into it.
    pub ram: bool,
    /// The `pass` line, for messages.
    pub what: String,
    /// Where it was written.
    pub origin: crate::config::Origin,
}

/// One interrupt to bind: host INTID `host` raises guest INTID `guest`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IrqStep {
    /// Host INTID.
    pub host: u32,
    /// Guest INTID.
    pub guest: u32,
    /// The `pass` line, for messages.
    pub what: String,
    /// Where it was written.
    pub origin: crate::config::Origin,
}

/// What `qvm` does for the `pass` entries of a configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    /// Regions to map.
    pub maps: Vec<MapStep>,
    /// Interrupts to bind.
    pub irqs: Vec<IrqStep>,
    /// The guest's device-tree nodes of the regions.
    pub nodes: Vec<PassedDevice>,
    /// What the user should know: a device passed without one of its
    /// interrupts (its guest node does not list it).
    pub notes: Vec<ConfigError>,
}

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
    check_dma(config, regions, &plan)?;
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

/// Without an IOMMU a DMA master passed through reads and writes host
/// physical addresses: the guest hands it guest-physical ones, so all of
/// the VM's RAM must be host RAM at guest-physical = host-physical (`pass
/// loc mem:A,LEN,rwxcm=A` of RAM set aside at boot), else the device
/// writes where the guest thinks it does not. Refuses any other RAM.
fn check_dma(config: &Config, regions: &[HostRegion], plan: &Plan) -> Result<(), ConfigError> {
    let region = |m: &MapStep| regions.iter().find(|r| r.index == m.index);
    let Some((master, dev)) = plan
        .maps
        .iter()
        .find_map(|m| region(m).filter(|r| r.dma).map(|r| (m, r)))
    else {
        return Ok(());
    };
    let why = format!(
        "{}: {} masters DMA, and without an IOMMU it reaches host-physical addresses: all of \
         the VM's RAM must be host RAM at guest-physical = host-physical ('pass loc \
         mem:A,LEN,rwxcm=A' of RAM set aside at boot)",
        master.what, dev.path
    );
    if let Some(ram) = config.memory.iter().find(|m| m.kind == MemKind::Ram) {
        return Err(ram.origin.error(format!("'ram' is not: {why}")));
    }
    for m in plan.maps.iter().filter(|m| m.ram) {
        let hpa = region(m).map_or(0, |r| r.base);
        if m.gpa != hpa {
            return Err(m.origin.error(format!(
                "{} is at guest-physical {:#x}, host-physical {hpa:#x}: {why}",
                m.what, m.gpa
            )));
        }
    }
    Ok(())
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
mod tests {
    use super::*;
    use crate::config::parse_str;

    fn rtc() -> HostRegion {
        HostRegion {
            index: 3,
            base: 0x901_0000,
            size: 0x1000,
            irqs: alloc::vec![34],
            edge: alloc::vec![false],
            path: "/pl031@9010000".into(),
            compatible: "arm,pl031".into(),
            ram: false,
            dma: false,
        }
    }

    fn slot() -> HostRegion {
        HostRegion {
            index: 40,
            base: 0xa00_3e00,
            size: 0x200,
            irqs: alloc::vec![79],
            edge: alloc::vec![true],
            path: "/virtio_mmio@a003e00".into(),
            compatible: "virtio,mmio".into(),
            ram: false,
            dma: true,
        }
    }

    fn carve_out() -> HostRegion {
        HostRegion {
            index: 41,
            base: 0x7000_0000,
            size: 0x800_0000,
            path: "/reserved-ram@70000000".into(),
            compatible: "qhv,reserved-ram".into(),
            ram: true,
            ..HostRegion::default()
        }
    }

    fn plan_all(text: &str) -> Result<Plan, String> {
        let config = parse_str("t.qvmconf", text).expect("parses");
        plan(&config, &[rtc(), slot(), carve_out()]).map_err(|e| e.to_string())
    }

    #[test]
    fn a_dma_master_needs_all_ram_one_to_one() {
        let ok = plan_all(
            "pass loc mem:0x70000000,128M,rwxcm=0x70000000\n\
             pass loc mem:0x1c100e00,0x200,rw=0xa003e00\npass intr gic:79=79\n",
        )
        .unwrap();
        assert_eq!(ok.maps.len(), 2);
        assert!(ok.maps[0].ram && !ok.maps[1].ram);
        assert_eq!(ok.nodes.len(), 1, "no device node for RAM");
        assert_eq!(
            ok.nodes[0].irqs,
            [PassedIrq {
                intid: 79,
                edge: true
            }]
        );
        let e = plan_all(
            "ram 0x40000000,64M\npass loc mem:0x70000000,128M,rwxcm=0x70000000\n\
             pass loc mem:0x1c100e00,0x200,rw=0xa003e00\n",
        )
        .unwrap_err();
        assert!(
            e.starts_with("t.qvmconf:1: 'ram' is not: pass loc mem:0x1c100e00"),
            "{e}"
        );
        let e = plan_all(
            "pass loc mem:0x50000000,128M,rwxcm=0x70000000\n\
             pass loc mem:0x1c100e00,0x200,rw=0xa003e00\n",
        )
        .unwrap_err();
        assert!(e.starts_with("t.qvmconf:1: pass loc mem:0x50000000,0x8000000,rwxcm=0x70000000 is at guest-physical 0x50000000, host-physical 0x70000000"), "{e}");
        // Not a DMA master: RAM anywhere.
        plan_all("ram 0x40000000,64M\npass loc mem:0x1c0a0000,0x1000,rw=0x9010000\n").unwrap();
    }

    #[test]
    fn ram_and_devices_are_not_mixed_up() {
        let e = plan_all("pass loc mem:0x1c0a0000,0x1000,rwxcm=0x9010000\n").unwrap_err();
        assert!(e.contains("is a device, not host RAM"), "{e}");
        let e = plan_all("pass loc mem:0x70000000,128M,rw=0x70000000\n").unwrap_err();
        assert!(e.contains("is host RAM set aside at boot"), "{e}");
    }

    fn plan_of(text: &str) -> Result<Plan, ConfigError> {
        let config = parse_str("t.qvmconf", text).expect("parses");
        plan(&config, &[rtc()])
    }

    #[test]
    fn a_region_and_its_interrupt() {
        let p =
            plan_of("pass loc mem:0x1c0a0000,0x1000,rw=0x9010000\npass intr gic:40=34\n").unwrap();
        assert_eq!(p.maps.len(), 1);
        assert_eq!((p.maps[0].index, p.maps[0].gpa), (3, 0x1c0a_0000));
        assert_eq!((p.irqs[0].host, p.irqs[0].guest), (34, 40));
        assert_eq!(
            p.nodes,
            [PassedDevice {
                name: "pl031".into(),
                compatible: "arm,pl031".into(),
                region: Region {
                    base: 0x1c0a_0000,
                    size: 0x1000
                },
                irqs: alloc::vec![PassedIrq {
                    intid: 40,
                    edge: false
                }],
            }]
        );
    }

    #[test]
    fn an_interrupt_alone_and_a_region_without_one() {
        let p = plan_of("pass intr gic:41=35\n").unwrap();
        assert!(p.maps.is_empty() && p.nodes.is_empty());
        let p = plan_of("pass loc mem:0x1c0a0000,0x1000,rw=0x9010000\n").unwrap();
        assert!(p.nodes[0].irqs.is_empty(), "34 not passed: not listed");
        assert_eq!(p.notes.len(), 1);
        assert!(
            p.notes[0]
                .to_string()
                .contains("has interrupt 34 on the host"),
            "{:?}",
            p.notes
        );
    }

    #[test]
    fn regions_named_wrongly_are_refused_with_the_line() {
        let e = plan_of("pass loc mem:0x1c0a0000,0x1000,rw=0x9011000\n").unwrap_err();
        assert!(e.to_string().starts_with("t.qvmconf:1:"), "{e}");
        assert!(
            e.to_string().contains("no device region at 0x9011000"),
            "{e}"
        );
        let e = plan_of("\npass loc mem:0x1c0a0000,0x2000,rw=0x9010000\n").unwrap_err();
        assert!(e.to_string().starts_with("t.qvmconf:2:"), "{e}");
        assert!(e.to_string().contains("the length must be"), "{e}");
    }

    #[test]
    fn node_names() {
        assert_eq!(node_name("/soc/pl031@9010000"), "pl031");
        assert_eq!(node_name("/virtio_mmio@a000000"), "virtio_mmio");
        assert_eq!(node_name("/"), "device");
    }
}
