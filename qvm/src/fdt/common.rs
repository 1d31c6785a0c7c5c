//! What the generated nodes share, whichever architecture writes them:
//! phandle numbering and the `reg` of guest-physical regions.

use alloc::vec::Vec;

use super::tree::cells64;
use crate::layout::Region;

/// Phandles handed out to the generated nodes, from a start above every
/// phandle of the overlays.
pub struct Phandles(u32);

impl Phandles {
    /// Numbering from `first` (at least 1: 0 is not a phandle).
    pub fn new(first: u32) -> Self {
        Phandles(first.max(1))
    }

    /// The next phandle.
    pub fn next(&mut self) -> u32 {
        self.0 += 1;
        self.0 - 1
    }
}

/// `reg` of `regions`, two address and two size cells each.
pub fn reg(regions: &[Region]) -> Vec<u8> {
    let v: Vec<u64> = regions.iter().flat_map(|r| [r.base, r.size]).collect();
    cells64(&v)
}
