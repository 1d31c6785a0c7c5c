//! The table of device regions, and who has taken each: a host process
//! (mapped in its own space, a host driver) or a VM (mapped in its stage
//! 2, pass-through). A region
//! is taken by one holder at a time, and so is every page it touches:
//! regions that share a page (QEMU's virtio-mmio slots, 512 bytes each)
//! cannot go to two holders, since a page is the smallest thing a
//! translation table maps. A process that maps a region into its own
//! space and into one of its VMs is two holders: refused.

use super::device::Device;
use super::irqs::{IrqLines, check_irq};
use crate::slab::Id;
use abi::{DEVICE_COMPAT_MAX, DeviceInfo};
use abi::{Error, Grants};
use alloc::vec::Vec;

/// A holder of device regions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    /// Mapped in this host process's own space.
    Process(Id),
    /// Mapped in this VM's stage 2.
    Vm(Id),
}

/// The board's device regions, in tree order, with who holds each.
#[derive(Debug, Default)]
pub struct Devices {
    /// The regions; a region's index is its number in system calls.
    pub list: Vec<Device>,
    /// Who has taken each region (same order).
    holders: Vec<Option<Holder>>,
    /// INTIDs the kernel uses besides SGIs and PPIs (its UART's).
    pub kernel_irqs: heapless::Vec<u32, 8>,
    /// Interrupts attached by host drivers.
    pub lines: IrqLines,
}

impl Devices {
    /// A table of `list` with nothing taken.
    pub fn new(list: Vec<Device>, kernel_irqs: heapless::Vec<u32, 8>) -> Devices {
        let holders = alloc::vec![None; list.len()];
        Devices {
            list,
            holders,
            kernel_irqs,
            lines: IrqLines::default(),
        }
    }

    /// Adds RAM set aside for pass-through as a region (after the device
    /// tree's: its index follows theirs); false when the table is full.
    pub fn add_reserved_ram(&mut self, base: usize, size: usize) -> bool {
        if self.list.len() >= abi::MAX_DEVICES
            || self.list.try_reserve(1).is_err()
            || self.holders.try_reserve(1).is_err()
        {
            return false;
        }
        self.list.push(Device::reserved_ram(base, size));
        self.holders.push(None);
        true
    }

    /// Everything that may be handed out: every region the kernel does not
    /// use, every INTID from 32 up that is not the kernel's (what `init`
    /// holds), and every power.
    pub fn all_grants(&self) -> Grants {
        let mut g = Grants::NONE;
        g.powers = abi::POWERS_ALL;
        for (i, d) in self.list.iter().enumerate() {
            if !d.kernel {
                g.add_device(i);
            }
        }
        for intid in 0..abi::MAX_INTID as u32 {
            if check_irq(intid, &self.kernel_irqs, &Grants::NONE) == Err(abi::Error::AccessDenied) {
                g.add_irq(intid as usize);
            }
        }
        g
    }

    /// Whether interrupt `intid` is edge-triggered, as the node that lists
    /// it says (level-sensitive when no node does).
    pub fn irq_is_edge(&self, intid: u32) -> bool {
        self.list.iter().any(|d| {
            d.irqs
                .iter()
                .position(|&i| i == intid)
                .is_some_and(|n| d.edge & (1 << n) != 0)
        })
    }

    /// The `device_list` row of region `index` for a caller holding
    /// `grants`.
    pub fn info(&self, index: usize, grants: &Grants) -> Option<DeviceInfo> {
        let d = self.list.get(index)?;
        let mut row = DeviceInfo::EMPTY;
        row.index = index as u32;
        row.flags = if d.kernel { abi::DEVICE_KERNEL } else { 0 }
            | u32::from(d.edge) << abi::DEVICE_IRQ_EDGE_SHIFT
            | if d.ram { abi::DEVICE_RAM } else { 0 }
            | if d.dma { abi::DEVICE_DMA } else { 0 }
            | if grants.device(index) {
                abi::DEVICE_GRANTED
            } else {
                0
            }
            | if self.holder(index).is_some() {
                abi::DEVICE_TAKEN
            } else {
                0
            };
        row.base = d.base as u64;
        row.size = d.size as u64;
        for (slot, &irq) in row.irqs.iter_mut().zip(d.irqs.iter()) {
            *slot = irq;
        }
        let path = d.path.as_bytes();
        row.path[..path.len()].copy_from_slice(path);
        if let Some(first) = d.compatibles().next() {
            let n = first.len().min(DEVICE_COMPAT_MAX - 1);
            row.compatible[..n].copy_from_slice(&first.as_bytes()[..n]);
        }
        Some(row)
    }
}

impl Devices {
    /// Who holds region `index`.
    pub fn holder(&self, index: usize) -> Option<Holder> {
        self.holders.get(index).copied().flatten()
    }

    /// Takes region `index` for `who`, whose policy is `grants` (a VM's are
    /// its owning process's): `InvalidArgument` (no such region),
    /// `Reserved` (the kernel's), `AccessDenied` (not granted), `Busy`
    /// (it, or a region sharing one of its pages, is another holder's).
    /// Taking a region already `who`'s again succeeds.
    pub fn take(&mut self, index: usize, who: Holder, grants: &Grants) -> Result<(), Error> {
        let d = self.list.get(index).ok_or(Error::InvalidArgument)?;
        if d.kernel {
            return Err(Error::Reserved);
        }
        if !grants.device(index) {
            return Err(Error::AccessDenied);
        }
        let clash = self
            .list
            .iter()
            .zip(&self.holders)
            .any(|(other, h)| h.is_some_and(|h| h != who) && other.shares_page(d));
        if clash {
            return Err(Error::Busy);
        }
        self.holders[index] = Some(who);
        Ok(())
    }

    /// Gives back region `index` if `who` holds it (a mapping that failed
    /// after [`Self::take`]).
    pub fn untake(&mut self, index: usize, who: Holder) {
        if let Some(h) = self.holders.get_mut(index).filter(|h| **h == Some(who)) {
            *h = None;
        }
    }

    /// Gives back every region `who` holds (it ended, after its TLB
    /// entries were flushed); how many.
    /// The RAM regions (`[reserve]`) `who` holds, `[start, end)` in whole
    /// pages: what must be wiped before they go to another holder.
    pub fn held_ram(&self, who: Holder) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.list
            .iter()
            .zip(&self.holders)
            .filter(move |(d, h)| d.ram && **h == Some(who))
            .map(|(d, _)| d.pages())
    }

    pub fn release(&mut self, who: Holder) -> usize {
        let mut n = 0;
        for h in self.holders.iter_mut().filter(|h| **h == Some(who)) {
            *h = None;
            n += 1;
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::super::device::tests::device;
    use super::*;

    fn id(index: u32) -> Id {
        Id {
            index,
            generation: 0,
        }
    }

    fn table() -> Devices {
        Devices::new(
            alloc::vec![
                device("/pl011@9000000", 0x900_0000, 0x1000, true),
                device("/pl031@9010000", 0x901_0000, 0x1000, false),
                device("/virtio_mmio@a000000", 0xa00_0000, 0x200, false),
                device("/virtio_mmio@a000200", 0xa00_0200, 0x200, false),
            ],
            heapless::Vec::new(),
        )
    }

    #[test]
    fn rights_and_exclusion() {
        let mut t = table();
        let all = t.all_grants();
        assert!(!all.device(0) && all.device(1) && all.device(3));
        let (p, q) = (Holder::Process(id(1)), Holder::Process(id(2)));
        assert_eq!(t.take(0, p, &all), Err(Error::Reserved));
        assert_eq!(t.take(9, p, &all), Err(Error::InvalidArgument));
        assert_eq!(t.take(1, p, &Grants::NONE), Err(Error::AccessDenied));
        assert_eq!(t.take(1, p, &all), Ok(()));
        assert_eq!(t.take(1, p, &all), Ok(()), "the holder again");
        assert_eq!(t.take(1, q, &all), Err(Error::Busy));
        assert_eq!(t.take(1, Holder::Vm(id(1)), &all), Err(Error::Busy));
        assert_eq!(t.holder(1), Some(p));
        assert_eq!(t.release(p), 1);
        assert_eq!(t.holder(1), None);
        assert_eq!(t.take(1, q, &all), Ok(()));
    }

    #[test]
    fn regions_sharing_a_page_go_to_one_holder() {
        let mut t = table();
        let all = t.all_grants();
        let (vm, p) = (Holder::Vm(id(7)), Holder::Process(id(1)));
        assert_eq!(t.take(2, vm, &all), Ok(()));
        assert_eq!(t.take(3, p, &all), Err(Error::Busy));
        assert_eq!(t.take(3, vm, &all), Ok(()));
        assert_eq!(t.release(vm), 2);
        assert_eq!(t.take(3, p, &all), Ok(()));
        t.untake(3, vm);
        assert_eq!(t.holder(3), Some(p), "not vm's to give back");
        t.untake(3, p);
        assert_eq!(t.holder(3), None);
    }

    #[test]
    fn rows_show_flags() {
        let mut t = table();
        let all = t.all_grants();
        let row = t.info(0, &all).unwrap();
        assert_eq!(row.flags, abi::DEVICE_KERNEL);
        assert_eq!(row.path(), "/pl011@9000000");
        t.take(1, Holder::Process(id(1)), &all).unwrap();
        let row = t.info(1, &all).unwrap();
        assert_eq!(row.flags, abi::DEVICE_GRANTED | abi::DEVICE_TAKEN);
        assert_eq!((row.base, row.size), (0x901_0000, 0x1000));
        assert_eq!(t.info(1, &Grants::NONE).unwrap().flags, abi::DEVICE_TAKEN);
        assert!(t.info(4, &all).is_none());
    }
}
