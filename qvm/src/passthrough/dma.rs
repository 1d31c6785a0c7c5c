//! The DMA rule of pass-through: a VM given a DMA master has only host
//! RAM at guest-physical = host-physical.

use alloc::format;

use super::types::{HostRegion, MapStep, Plan};
use crate::config::{Config, ConfigError, MemKind};

/// Without an IOMMU a DMA master passed through reads and writes host
/// physical addresses: the guest hands it guest-physical ones, so all of
/// the VM's RAM must be host RAM at guest-physical = host-physical (`pass
/// loc mem:A,LEN,rwxcm=A` of RAM set aside at boot), else the device
/// writes where the guest thinks it does not. Refuses any other RAM.
pub(super) fn check(
    config: &Config,
    regions: &[HostRegion],
    plan: &Plan,
) -> Result<(), ConfigError> {
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
