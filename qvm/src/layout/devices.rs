//! Placement of the vdevs, `pass` and `reserve` entries. What their `loc`
//! and `intr` mean for the guest, and where a device goes by default, is the
//! guest architecture's (`crate::arch`).

use alloc::format;
use alloc::vec::Vec;

use super::limits::PAGE_SIZE;
use super::space::Space;
use super::types::{AddressSpace, Region, VdevLayout};
use crate::arch::guest;
use crate::config::{Config, ConfigError, PassKind, ReserveKind, VdevConfig};

pub(super) fn claim_reserves(
    config: &Config,
    chip: &VdevConfig,
    space: &mut Space,
) -> Result<(), ConfigError> {
    for r in &config.reserves {
        match &r.kind {
            ReserveKind::Mem { gpa, len } => space.claim_reserve(*gpa, *len, &r.origin)?,
            ReserveKind::Intr(intr) => {
                let line = guest::irq_line(intr, chip, "reserve", &r.origin)?;
                space.claim_intid(line, "reserve", &r.origin)?;
            }
        }
    }
    Ok(())
}

/// Places every vdev but the interrupt controller, and checks the `pass`
/// entries: first what the config places itself, then the rest in the free
/// slots.
pub(super) fn place_vdevs(
    config: &Config,
    chip: &VdevConfig,
    space: &mut Space,
) -> Result<Vec<VdevLayout>, ConfigError> {
    let devs: Vec<&VdevConfig> = config
        .vdevs
        .iter()
        .filter(|d| !guest::is_irq_chip(d.kind))
        .collect();
    let mut slots: Vec<Option<(AddressSpace, u64)>> = Vec::new();
    let mut intids: Vec<Option<u32>> = Vec::new();
    for dev in &devs {
        let what = dev.describe();
        guest::check_vdev_kind(dev, &what)?;
        let slot = match &dev.loc {
            Some((loc, at)) => {
                let (kind, base) = guest::device_address(loc, &what, at)?;
                guest::check_device_space(dev, kind, &what, at)?;
                space.claim_in(kind, base, guest::slot_size(dev.kind), &what, at)?;
                guest::claim_companions(dev, base, space)?;
                Some((kind, base))
            }
            None => None,
        };
        let intid = match &dev.intr {
            Some((intr, at)) => {
                let line = guest::irq_line(intr, chip, &what, at)?;
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
                // A region smaller than a page (QEMU's virtio-mmio slots,
                // 512 bytes) goes in with its whole page: the guest
                // address keeps the host address's place in it.
                let offset = hpa % PAGE_SIZE;
                if gpa % PAGE_SIZE != offset {
                    return Err(at.error(format!(
                        "pass: the guest address {gpa:#x} and the host address {hpa:#x} must \
                         lie at the same place in their 4 KiB page (the host's page is mapped \
                         whole)"
                    )));
                }
                let size = (offset + len).next_multiple_of(PAGE_SIZE);
                space.claim(gpa - offset, size, "pass", at)?;
            }
            PassKind::Io { .. } => guest::check_pass_io(at)?,
            PassKind::Intr { intr, .. } => {
                let line = guest::irq_line(intr, chip, "pass", at)?;
                space.claim_intid(line, "pass", at)?;
            }
        }
    }
    let mut out = Vec::new();
    for ((dev, slot), intid) in devs.into_iter().zip(slots).zip(intids) {
        let what = dev.describe();
        let (default_space, default_base, default_intid) = guest::default_place(dev.kind);
        let size = guest::slot_size(dev.kind);
        let (kind, base) = match slot {
            Some(placed) => placed,
            None => {
                let base = space
                    .free_slot_in(default_space, default_base, size)
                    .ok_or_else(|| dev.origin.error(format!("{what}: no free slot")))?;
                space.claim_in(default_space, base, size, &what, &dev.origin)?;
                guest::claim_companions(dev, base, space)?;
                (default_space, base)
            }
        };
        let intid = match (intid, default_intid) {
            (Some(i), _) => Some(i),
            (None, Some(first)) => {
                let i = space
                    .free_intid(first)
                    .ok_or_else(|| dev.origin.error(format!("{what}: no free INTID")))?;
                space.claim_intid(i, &what, &dev.origin)?;
                Some(i)
            }
            (None, None) => None,
        };
        out.push(VdevLayout {
            config: (*dev).clone(),
            space: kind,
            slot: Region { base, size },
            reg_size: guest::reg_size(dev.kind),
            intid,
            shared: None,
        });
    }
    Ok(out)
}
