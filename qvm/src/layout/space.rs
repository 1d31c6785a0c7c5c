//! Bookkeeping of the guest-physical space and the interrupt lines: what is
//! taken, by which option, and where the next free slot is. Which lines a
//! device may have is the guest architecture's (`crate::arch`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::limits::{GUEST_PA_BITS, GUEST_PA_TOP, PAGE_SIZE};
use super::types::AddressSpace;
use crate::arch::guest;
use crate::config::{ConfigError, Origin};

/// `0xBASE-0xLAST` (inclusive), as the report and messages write ranges.
pub fn range(base: u64, size: u64) -> String {
    format!(
        "{base:#x}-{:#x}",
        base.saturating_add(size.saturating_sub(1))
    )
}

struct Used {
    base: u64,
    size: u64,
    what: String,
    origin: Origin,
}

/// The I/O port space (x86): 64 Ki ports.
pub const PORT_SPACE_END: u64 = 0x1_0000;

/// What is taken so far.
#[derive(Default)]
pub struct Space {
    regions: Vec<Used>,
    ports: Vec<Used>,
    intids: Vec<(u32, String, Origin)>,
}

impl Space {
    /// Takes `[base, base + size)` for `what`, written at `origin`: page
    /// aligned, inside the guest-physical space the kernel gives a VM (below
    /// the IPA top), overlapping nothing taken.
    pub fn claim(
        &mut self,
        base: u64,
        size: u64,
        what: &str,
        origin: &Origin,
    ) -> Result<(), ConfigError> {
        self.take(base, size, what, origin)
    }

    /// Takes `[base, base + size)` of `space`: memory as [`Space::claim`]
    /// does, I/O ports as [`Space::claim_ports`].
    pub fn claim_in(
        &mut self,
        space: AddressSpace,
        base: u64,
        size: u64,
        what: &str,
        origin: &Origin,
    ) -> Result<(), ConfigError> {
        match space {
            AddressSpace::Memory => self.claim(base, size, what, origin),
            AddressSpace::Io => self.claim_ports(base, size, what, origin),
        }
    }

    /// Takes the I/O ports `[base, base + size)` for `what`: inside the
    /// 64 Ki ports, overlapping no port taken.
    pub fn claim_ports(
        &mut self,
        base: u64,
        size: u64,
        what: &str,
        origin: &Origin,
    ) -> Result<(), ConfigError> {
        if size == 0
            || base
                .checked_add(size)
                .is_none_or(|end| end > PORT_SPACE_END)
        {
            return Err(origin.error(format!(
                "{what}: I/O ports {}: outside the port space (0x0-0xffff)",
                range(base, size)
            )));
        }
        if let Some(u) = self
            .ports
            .iter()
            .find(|u| base < u.base + u.size && u.base < base + size)
        {
            return Err(origin.error(format!(
                "{what} at I/O ports {} overlaps {} at ports {} ({})",
                range(base, size),
                u.what,
                range(u.base, u.size),
                u.origin
            )));
        }
        self.ports.push(Used {
            base,
            size,
            what: String::from(what),
            origin: origin.clone(),
        });
        Ok(())
    }

    /// The first free `size` ports at `start` or above, in steps of
    /// `size` (each port block of a PC device is aligned to its size).
    fn free_ports(&self, start: u64, size: u64) -> Option<u64> {
        let mut base = start;
        while base.checked_add(size)? <= PORT_SPACE_END {
            if !self
                .ports
                .iter()
                .any(|u| base < u.base + u.size && u.base < base + size)
            {
                return Some(base);
            }
            base += size.max(1);
        }
        None
    }

    /// The first free slot of `size` at `start` or above in `space`.
    pub fn free_slot_in(&self, space: AddressSpace, start: u64, size: u64) -> Option<u64> {
        match space {
            AddressSpace::Memory => self.free_slot(start, size),
            AddressSpace::Io => self.free_ports(start, size),
        }
    }

    /// As [`Space::claim`], for a `reserve` range.
    pub fn claim_reserve(
        &mut self,
        base: u64,
        size: u64,
        origin: &Origin,
    ) -> Result<(), ConfigError> {
        self.claim(base, size, "reserve", origin)
    }

    fn take(
        &mut self,
        base: u64,
        size: u64,
        what: &str,
        origin: &Origin,
    ) -> Result<(), ConfigError> {
        if !base.is_multiple_of(PAGE_SIZE) {
            return Err(origin.error(format!(
                "{what} at {base:#x}: the address is not a multiple of 4 KiB"
            )));
        }
        if size == 0 || !size.is_multiple_of(PAGE_SIZE) {
            return Err(origin.error(format!(
                "{what}: the size {size:#x} is not a multiple of 4 KiB"
            )));
        }
        if base.checked_add(size).is_none_or(|end| end > GUEST_PA_TOP) {
            return Err(origin.error(format!(
                "{what} {}: ends above the guest-physical space ({GUEST_PA_BITS}-bit addresses, below {GUEST_PA_TOP:#x})",
                range(base, size)
            )));
        }
        if let Some(u) = self.overlap(base, size) {
            return Err(origin.error(format!(
                "{what} {} overlaps {} {} at {}",
                range(base, size),
                u.what,
                range(u.base, u.size),
                u.origin
            )));
        }
        self.regions.push(Used {
            base,
            size,
            what: String::from(what),
            origin: origin.clone(),
        });
        Ok(())
    }

    fn overlap(&self, base: u64, size: u64) -> Option<&Used> {
        self.regions
            .iter()
            .find(|u| base < u.base + u.size && u.base < base + size)
    }

    /// The first free `size` bytes at `start` or above, going up past
    /// whatever is in the way.
    pub fn free_slot(&self, start: u64, size: u64) -> Option<u64> {
        let mut base = start;
        loop {
            if base.checked_add(size)? > GUEST_PA_TOP {
                return None;
            }
            match self.overlap(base, size) {
                None => return Some(base),
                Some(u) => base = (u.base + u.size).next_multiple_of(PAGE_SIZE),
            }
        }
    }

    /// Takes the device interrupt line `intid` for `what`.
    pub fn claim_intid(
        &mut self,
        intid: u32,
        what: &str,
        origin: &Origin,
    ) -> Result<(), ConfigError> {
        guest::check_device_line(intid, what, origin)?;
        if let Some((_, other, at)) = self.intids.iter().find(|(i, ..)| *i == intid) {
            return Err(origin.error(format!(
                "{what}: INTID {intid} is already taken by {other} at {at}"
            )));
        }
        self.intids
            .push((intid, String::from(what), origin.clone()));
        Ok(())
    }

    /// The first free device line at `start` or above.
    pub fn free_intid(&self, start: u32) -> Option<u32> {
        let lines = guest::DEVICE_LINES;
        (start.max(*lines.start())..=*lines.end())
            .find(|i| !self.intids.iter().any(|(t, ..)| t == i))
    }

    /// The highest line taken, if any.
    pub fn max_intid(&self) -> Option<u32> {
        self.intids.iter().map(|(i, ..)| *i).max()
    }
}
