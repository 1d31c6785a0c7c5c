//! What placement hands out, whatever the guest's architecture: ranges of
//! the guest-physical space, RAM and ROM regions, vCPUs, placed devices.
//! Below placement itself and the architecture's part of it.

use crate::config::{CpuConfig, MemKind, Origin, VdevConfig};

/// A guest-physical range.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Region {
    /// First address.
    pub base: u64,
    /// Size in bytes.
    pub size: u64,
}

impl Region {
    /// One past the last address.
    pub fn end(&self) -> u64 {
        self.base + self.size
    }
}

/// A RAM or ROM region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemRegion {
    /// RAM or ROM.
    pub kind: MemKind,
    /// Where.
    pub region: Region,
    /// The `ram` or `rom` option.
    pub origin: Origin,
}

/// One vCPU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vcpu {
    /// 0, 1, ...: also the number the guest's architecture gives it (on
    /// AArch64 its MPIDR Aff0 and device tree `reg`).
    pub index: u32,
    /// Its `cpu` options (defaults for the implicit single vCPU).
    pub config: CpuConfig,
}

/// Which address space a device's registers are in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressSpace {
    /// Guest-physical memory (MMIO, trapped by stage 2).
    Memory,
    /// x86 I/O ports (`loc io:PORT`, trapped by IN and OUT).
    Io,
}

/// A placed device (anything but the interrupt controller).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VdevLayout {
    /// Its `vdev` options.
    pub config: VdevConfig,
    /// The address space of its slot.
    pub space: AddressSpace,
    /// Its slot: in memory a 4 KiB page, all trapped to `qvm`; in the I/O
    /// space its ports (first port, count).
    pub slot: Region,
    /// The register window the guest is told about (0x200 for virtio-mmio,
    /// else the slot's size).
    pub reg_size: u64,
    /// Its interrupt line (on AArch64 its SPI's INTID, on x86 its I/O APIC
    /// pin), if it has one.
    pub intid: Option<u32>,
    /// A `shmem`'s shared region in guest-physical memory (placed from
    /// [`super::SHMEM_BASE`] up), else `None`.
    pub shared: Option<Region>,
}
