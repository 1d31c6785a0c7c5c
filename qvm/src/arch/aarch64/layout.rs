//! The default AArch64 guest layout of `shared/qvmconf.md`: where RAM
//! starts, the GIC's windows, each device type's address and INTID, the
//! register windows, how many vCPUs each GIC version takes; and a vCPU's
//! MPIDR.

use crate::config::VdevKind;
use crate::layout::{AddressSpace, Vcpu};

pub use abi::{GICV2_GICC_SIZE, GICV2_GICD_SIZE, GICV3_GICD_SIZE, GICV3_GICR_STRIDE};

/// Where RAM starts when the first `ram` gives no address.
pub const RAM_BASE: u64 = 0x8000_0000;

// The sizes of the GIC's windows are the kernel's (`abi::guest`).

/// GICv2 distributor.
pub const GICV2_GICD: u64 = 0x2c00_1000;
/// GICv2 CPU interface, right after the distributor's window (`GICD +
/// 0x1000`) when `vdev gic` has a `loc`.
pub const GICV2_GICC: u64 = 0x2c00_2000;
/// GICv3 distributor.
pub const GICV3_GICD: u64 = 0x2f00_0000;
/// GICv3 redistributors, `GICD + 0x100000` when `vdev gic` has a `loc`.
pub const GICV3_GICR: u64 = 0x2f10_0000;

const _: () = assert!(GICV2_GICC - GICV2_GICD == GICV2_GICD_SIZE);

/// At most this many vCPUs with GICv2 (its 8-bit CPU target masks).
pub const GICV2_MAX_VCPUS: usize = 8;
/// At most this many vCPUs with GICv3: MPIDR Aff0 is the vCPU index and an
/// SGI's target list covers Aff0 0 to 15.
pub const GICV3_MAX_VCPUS: usize = 16;

// Placement's own vCPU limit is within the kernel's.
const _: () = assert!(GICV3_MAX_VCPUS as u64 <= abi::VM_VCPUS_MAX);

/// Each device's slot: a 4 KiB page (trapped as a whole by stage 2).
pub const VDEV_SLOT: u64 = 0x1000;
/// The register window of a virtio-mmio device.
pub const VIRTIO_MMIO_SIZE: u64 = 0x200;

/// Devices the spec's table gives no place go from here up, INTIDs from 45.
pub const MISC_BASE: u64 = 0x1c10_0000;
/// First INTID for devices without a default.
pub const MISC_INTID: u32 = 45;

/// Default address space, address and INTID of a device type on ARM:
/// every device in memory, with an interrupt.
pub fn default_place(kind: VdevKind) -> (AddressSpace, u64, Option<u32>) {
    let (base, intid) = match kind {
        VdevKind::Pl011 => (0x1c09_0000, 37),
        VdevKind::VirtioNet => (0x1c0c_0000, 40),
        VdevKind::VirtioBlk => (0x1c0d_0000, 41),
        VdevKind::VirtioConsole => (0x2000_0000, 42),
        VdevKind::VirtioEntropy => (0x1c0e_0000, 43),
        VdevKind::WdtSp805 => (0x1c0f_0000, 44),
        _ => (MISC_BASE, MISC_INTID),
    };
    (AddressSpace::Memory, base, Some(intid))
}

/// The slot a device takes: one page, whatever its type.
pub fn slot_size(_kind: VdevKind) -> u64 {
    VDEV_SLOT
}

/// The size of the register window the guest is told about (device tree
/// `reg`); the device still takes a whole [`VDEV_SLOT`].
pub fn reg_size(kind: VdevKind) -> u64 {
    if kind.is_virtio() {
        VIRTIO_MMIO_SIZE
    } else {
        VDEV_SLOT
    }
}

impl Vcpu {
    /// The MPIDR_EL1 affinity value the guest reads (Aff0 = index).
    pub fn mpidr(&self) -> u64 {
        u64::from(self.index)
    }
}
