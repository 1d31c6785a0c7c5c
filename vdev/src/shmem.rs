//! `vdev shmem`: a named memory region shared by the VMs that name it,
//! with doorbell interrupts between them. QNX documents the device's
//! purpose and options but not its registers, so the register block is
//! qhv's own (`docs/vdevs.md` "shmem"):
//!
//! | offset | name | access | meaning |
//! |---|---|---|---|
//! | 0x00 | `ID` | RO | [`ID_VALUE`], "QHSM" |
//! | 0x04 | `VERSION` | RO | [`VERSION_VALUE`] |
//! | 0x08 / 0x0C | `REGION_LO` / `HI` | RO | guest-physical address of the region |
//! | 0x10 / 0x14 | `SIZE_LO` / `HI` | RO | its size in bytes |
//! | 0x18 | `INDEX` | RO | this VM's index among the connected VMs (0..32) |
//! | 0x1C | `CONNECTED` | RO | bit `i` set: VM index `i` has connected |
//! | 0x20 | `DOORBELL` | WO | bit `i` set: ring VM index `i` (this VM's own bit is ignored); `0xFFFF_FFFF` rings every other VM |
//! | 0x24 | `STATUS` | RW1C | bit `i` set: VM index `i` rang this VM; writing 1 clears |
//!
//! The interrupt line is high while `STATUS` is non-zero. Accesses are
//! 32-bit and aligned inside the 4 KiB window; anything else, and a write
//! to a read-only register, is [`Fault::Unsupported`]. Offsets with no
//! register read 0 and ignore writes; `DOORBELL` reads 0.
//!
//! The doorbells between VMs (and the connected set) belong to a
//! [`Doorbells`] back end: in `qvm`, a shared-memory page the `qvm`
//! processes of the connected VMs share; in tests, a plain struct.

use crate::{Fault, Vdev};

/// Size of the register window.
pub const WINDOW: u64 = 0x1000;
/// `ID`.
pub const ID: u64 = 0x00;
/// `VERSION`.
pub const VERSION: u64 = 0x04;
/// `REGION_LO`.
pub const REGION_LO: u64 = 0x08;
/// `REGION_HI`.
pub const REGION_HI: u64 = 0x0C;
/// `SIZE_LO`.
pub const SIZE_LO: u64 = 0x10;
/// `SIZE_HI`.
pub const SIZE_HI: u64 = 0x14;
/// `INDEX`.
pub const INDEX: u64 = 0x18;
/// `CONNECTED`.
pub const CONNECTED: u64 = 0x1C;
/// `DOORBELL`.
pub const DOORBELL: u64 = 0x20;
/// `STATUS`.
pub const STATUS: u64 = 0x24;
/// What `ID` reads: "QHSM" in ASCII.
pub const ID_VALUE: u32 = 0x5148_534D;
/// What `VERSION` reads.
pub const VERSION_VALUE: u32 = 1;
/// Most VMs on one region (one bit each in the 32-bit registers).
pub const MAX_VMS: u32 = 32;

/// The doorbells and the connected set of one region, shared by the VMs
/// on it.
pub trait Doorbells: Send {
    /// Rings the VMs whose bits `mask` sets, as VM `from`.
    fn ring(&self, from: u32, mask: u32);
    /// Takes (and clears) the doorbells rung for VM `me`: bit `i`, VM `i`
    /// rang.
    fn take(&self, me: u32) -> u32;
    /// The VMs connected (bit `i`: index `i`).
    fn connected(&self) -> u32;
}

/// One VM's shmem device.
pub struct Shmem<D: Doorbells> {
    region: u64,
    size: u64,
    index: u32,
    status: u32,
    bells: D,
}

impl<D: Doorbells> Shmem<D> {
    /// Size of the register window to map on the bus.
    pub const SIZE: u64 = WINDOW;

    /// The device of VM `index` (below [`MAX_VMS`]; taken modulo it) on
    /// a region of `size` bytes at guest-physical `region`.
    pub fn new(region: u64, size: u64, index: u32, bells: D) -> Self {
        Shmem {
            region,
            size,
            index: index % MAX_VMS,
            status: 0,
            bells,
        }
    }

    /// Gathers the doorbells rung for this VM since the last look (its
    /// owner calls it when another VM rang).
    pub fn poll(&mut self) {
        self.status |= self.bells.take(self.index);
    }

    /// The pending doorbells (`STATUS`).
    pub fn status(&self) -> u32 {
        self.status
    }

    /// The doorbell back end.
    pub fn bells(&self) -> &D {
        &self.bells
    }
}

fn check(offset: u64, size: usize) -> Result<(), Fault> {
    if size != 4 || !offset.is_multiple_of(4) || offset >= WINDOW {
        return Err(Fault::Unsupported);
    }
    Ok(())
}

impl<D: Doorbells + 'static> Vdev for Shmem<D> {
    fn kind(&self) -> &'static str {
        "shmem"
    }

    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault> {
        check(offset, size)?;
        let value = match offset {
            ID => ID_VALUE,
            VERSION => VERSION_VALUE,
            REGION_LO => self.region as u32,
            REGION_HI => (self.region >> 32) as u32,
            SIZE_LO => self.size as u32,
            SIZE_HI => (self.size >> 32) as u32,
            INDEX => self.index,
            CONNECTED => self.bells.connected(),
            STATUS => {
                self.poll();
                self.status
            }
            _ => 0,
        };
        Ok(u64::from(value))
    }

    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault> {
        check(offset, size)?;
        let value = value as u32;
        match offset {
            DOORBELL => {
                let mask = value & !(1 << self.index);
                if mask != 0 {
                    self.bells.ring(self.index, mask);
                }
            }
            STATUS => self.status &= !value,
            ID | VERSION | REGION_LO | REGION_HI | SIZE_LO | SIZE_HI | INDEX | CONNECTED => {
                return Err(Fault::Unsupported);
            }
            _ => {}
        }
        Ok(())
    }

    fn irq_level(&self) -> bool {
        self.status != 0
    }
}

#[cfg(test)]
mod tests;
