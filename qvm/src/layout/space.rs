//! Bookkeeping of the guest-physical space and the interrupt lines: what is
//! taken, by which option, and where the next free slot is. Which lines a
//! device may have is the guest architecture's (`crate::arch`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::limits::{GUEST_PA_BITS, GUEST_PA_MIN, GUEST_PA_TOP, PAGE_SIZE};
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

/// What is taken so far.
#[derive(Default)]
pub struct Space {
    regions: Vec<Used>,
    intids: Vec<(u32, String, Origin)>,
}

impl Space {
    /// Takes `[base, base + size)` for `what`, written at `origin`: page
    /// aligned, inside the guest-physical space the kernel gives a VM (above
    /// page 0, below the IPA top), overlapping nothing taken.
    pub fn claim(
        &mut self,
        base: u64,
        size: u64,
        what: &str,
        origin: &Origin,
    ) -> Result<(), ConfigError> {
        self.take(base, size, what, origin, GUEST_PA_MIN)
    }

    /// As [`Space::claim`], for a `reserve` range: it maps nothing, so it
    /// may cover page 0.
    pub fn claim_reserve(
        &mut self,
        base: u64,
        size: u64,
        origin: &Origin,
    ) -> Result<(), ConfigError> {
        self.take(base, size, "reserve", origin, 0)
    }

    fn take(
        &mut self,
        base: u64,
        size: u64,
        what: &str,
        origin: &Origin,
        lowest: u64,
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
        if base < lowest {
            return Err(origin.error(format!(
                "{what} {}: page 0 is never guest memory or a device (guest-physical addresses start at {lowest:#x})",
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
        let mut base = start.max(GUEST_PA_MIN);
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
