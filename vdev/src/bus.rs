//! The MMIO bus of one VM: guest-physical ranges mapped to boxed vdevs.
//!
//! Devices get a [`DeviceId`] in the order they are added (so `qvm` can keep
//! per-device facts such as the interrupt line in a `Vec` indexed by it).
//! Lookups go through a `Vec` of ranges sorted by base address and a binary
//! search: O(log n) per exit, no allocation.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::any::Any;
use core::fmt;

use crate::{Fault, Vdev};

/// Names one device on a [`Bus`]: its index in the order of [`Bus::add`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceId(u32);

impl DeviceId {
    /// The index of the device (0 for the first one added).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// [`Bus::add`] refused a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverlapError {
    /// Base of the refused range.
    pub base: u64,
    /// Size of the refused range.
    pub size: u64,
    /// The device already there, or `None` if the range itself is invalid
    /// (empty, or running past the end of the address space).
    pub with: Option<DeviceId>,
}

impl fmt::Display for OverlapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MMIO range {:#x}+{:#x} ", self.base, self.size)?;
        match self.with {
            Some(id) => write!(f, "overlaps device {}", id.index()),
            None => f.write_str("is empty or wraps the address space"),
        }
    }
}

/// Why a [`Bus::read`] or [`Bus::write`] did not reach a device model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessError {
    /// No device at that address.
    Unmapped,
    /// The device (or the bus, for an access running past the device's end)
    /// refused the access.
    Fault(DeviceId, Fault),
}

/// One device and its range.
struct Slot {
    base: u64,
    size: u64,
    dev: Box<dyn Vdev>,
    /// The interrupt level last reported by [`Bus::irq_change`].
    level: bool,
}

/// A range for the binary search: `base..=last` belongs to device `id`.
#[derive(Clone, Copy)]
struct Range {
    base: u64,
    last: u64,
    id: DeviceId,
}

/// Guest-physical ranges mapped to vdevs.
#[derive(Default)]
pub struct Bus {
    slots: Vec<Slot>,
    /// Sorted by `base`, never overlapping.
    ranges: Vec<Range>,
}

impl Bus {
    /// An empty bus.
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts `dev` at `base..base + size`; fails if the range is empty, wraps
    /// or overlaps a device already there.
    pub fn add(
        &mut self,
        base: u64,
        size: u64,
        dev: Box<dyn Vdev>,
    ) -> Result<DeviceId, OverlapError> {
        let err = |with| OverlapError { base, size, with };
        let last = size
            .checked_sub(1)
            .and_then(|s| base.checked_add(s))
            .ok_or(err(None))?;
        let at = self.ranges.partition_point(|r| r.base < base);
        if let Some(prev) = at.checked_sub(1).map(|i| self.ranges[i])
            && prev.last >= base
        {
            return Err(err(Some(prev.id)));
        }
        if let Some(next) = self.ranges.get(at)
            && next.base <= last
        {
            return Err(err(Some(next.id)));
        }
        let id = DeviceId(u32::try_from(self.slots.len()).map_err(|_| err(None))?);
        self.ranges.insert(at, Range { base, last, id });
        self.slots.push(Slot {
            base,
            size,
            dev,
            level: false,
        });
        Ok(id)
    }

    /// The device holding `gpa` and the offset of `gpa` from its base.
    pub fn find(&self, gpa: u64) -> Option<(DeviceId, u64)> {
        let at = self.ranges.partition_point(|r| r.base <= gpa);
        let r = self.ranges[at.checked_sub(1)?];
        (gpa <= r.last).then(|| (r.id, gpa - r.base))
    }

    /// Finds the device for an access of `size` bytes at `gpa`.
    fn route(
        &mut self,
        gpa: u64,
        size: usize,
    ) -> Result<(DeviceId, u64, &mut dyn Vdev), AccessError> {
        let (id, offset) = self.find(gpa).ok_or(AccessError::Unmapped)?;
        let slot = &mut self.slots[id.index()];
        if offset.saturating_add(size as u64) > slot.size {
            return Err(AccessError::Fault(id, Fault::Unsupported));
        }
        Ok((id, offset, slot.dev.as_mut()))
    }

    /// A guest read of `size` bytes at `gpa`.
    pub fn read(&mut self, gpa: u64, size: usize) -> Result<u64, AccessError> {
        let (id, offset, dev) = self.route(gpa, size)?;
        dev.read(offset, size)
            .map_err(|f| AccessError::Fault(id, f))
    }

    /// A guest write of the low `size` bytes of `value` at `gpa`.
    pub fn write(&mut self, gpa: u64, size: usize, value: u64) -> Result<(), AccessError> {
        let (id, offset, dev) = self.route(gpa, size)?;
        dev.write(offset, size, value)
            .map_err(|f| AccessError::Fault(id, f))
    }

    /// Number of devices.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether there is no device.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The range (`base`, `size`) of a device.
    pub fn region(&self, id: DeviceId) -> Option<(u64, u64)> {
        self.slots.get(id.index()).map(|s| (s.base, s.size))
    }

    /// A device.
    pub fn get(&self, id: DeviceId) -> Option<&dyn Vdev> {
        self.slots.get(id.index()).map(|s| s.dev.as_ref())
    }

    /// A device, mutably.
    pub fn get_mut(&mut self, id: DeviceId) -> Option<&mut dyn Vdev> {
        self.slots.get_mut(id.index()).map(|s| s.dev.as_mut())
    }

    /// A device as its concrete type `T`, if it is one.
    pub fn downcast_mut<T: Vdev>(&mut self, id: DeviceId) -> Option<&mut T> {
        let any: &mut dyn Any = self.get_mut(id)?;
        any.downcast_mut()
    }

    /// A device as its concrete type `T`, if it is one.
    pub fn downcast_ref<T: Vdev>(&self, id: DeviceId) -> Option<&T> {
        let any: &dyn Any = self.get(id)?;
        any.downcast_ref()
    }

    /// Every device with its id, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (DeviceId, &dyn Vdev)> {
        self.slots
            .iter()
            .enumerate()
            .map(|(i, s)| (DeviceId(i as u32), s.dev.as_ref()))
    }

    /// The device's interrupt level if it changed since the last call for
    /// this device (a device starts out deasserted): call after each access
    /// and drive the line only on `Some`.
    pub fn irq_change(&mut self, id: DeviceId) -> Option<bool> {
        let slot = self.slots.get_mut(id.index())?;
        let level = slot.dev.irq_level();
        (level != slot.level).then(|| {
            slot.level = level;
            level
        })
    }

    /// Calls `f(id, level)` for every device whose interrupt level changed
    /// since it was last reported (after host input, or a timer).
    pub fn poll_irqs(&mut self, mut f: impl FnMut(DeviceId, bool)) {
        for i in 0..self.slots.len() {
            let id = DeviceId(i as u32);
            if let Some(level) = self.irq_change(id) {
                f(id, level);
            }
        }
    }
}
