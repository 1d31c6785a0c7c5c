//! The default x86 guest layout, a PC's: RAM from 0 (the BIOS area at
//! 0xA0000-0xFFFFF left out of the memory map), the local APIC at
//! 0xFEE00000 and the I/O APIC at 0xFEC00000, the legacy devices at their
//! PC ports and ISA interrupts (through the I/O APIC pins the ACPI MADT's
//! overrides give them), virtio-mmio and shmem slots below the APICs;
//! `vdev shmem` regions high above the PC's holes.

use crate::config::VdevKind;
use crate::layout::AddressSpace;

/// Where RAM starts when the first `ram` gives no address.
pub const RAM_BASE: u64 = 0;

/// The local APIC window (the kernel's default; `abi::guest`).
pub const LAPIC_BASE: u64 = abi::LAPIC_DEFAULT_BASE;
/// The I/O APIC window (the PC's).
pub const IOAPIC_BASE: u64 = 0xFEC0_0000;
/// The APIC windows' size.
pub const APIC_WINDOW: u64 = abi::APIC_WINDOW_SIZE;
/// I/O APIC pins a VM has: the 24 of an 82093AA.
pub const IOAPIC_PINS: u32 = 24;

/// Each memory-mapped device's slot: a 4 KiB page.
pub const VDEV_SLOT: u64 = 0x1000;
/// The register window of a virtio-mmio device.
pub const VIRTIO_MMIO_SIZE: u64 = 0x200;
/// Memory-mapped devices without a place of their own go from here up,
/// below the I/O APIC.
pub const MMIO_BASE: u64 = 0xD000_0000;
/// First I/O APIC pin for devices without an ISA interrupt (16-23 are
/// the PCI pins of a PC, free here).
pub const MISC_PIN: u32 = 16;

/// The PC's holes below 4 GiB: the legacy one (video memory and the BIOS
/// area, `memmap::LEGACY_HOLE`) and, from 3 GiB, the devices, the APICs
/// and the firmware's flash up to the top of the 32-bit space.
pub const PC_32BIT_HOLES_END: u64 = 1 << 32;
/// AMD's HyperTransport hole, 1012 GiB to 1 TiB: reserved on AMD
/// processors (a guest must not see RAM or devices there).
pub const AMD_HT_HOLE: core::ops::Range<u64> = 0xFD_0000_0000..0x100_0000_0000;
// `vdev shmem` regions go from `layout::SHMEM_BASE` (256 GiB) up to the
// top of the guest-physical space the kernel maps (512 GiB): clear of
// every PC hole.
const _: () = assert!(crate::layout::SHMEM_BASE >= PC_32BIT_HOLES_END);
const _: () = assert!(abi::GUEST_PA_TOP <= AMD_HT_HOLE.start);

/// COM1.
pub const COM1_PORT: u64 = 0x3F8;
/// The 8254's counters and control word.
pub const PIT_PORT: u64 = 0x40;
/// The 8042's data port (its command/status port is 4 above).
pub const I8042_DATA_PORT: u64 = 0x60;
/// The 8042's command/status port.
pub const I8042_STATUS_PORT: u64 = 0x64;
/// The RTC's index and data ports.
pub const RTC_PORT: u64 = 0x70;
/// The primary 8259's ports.
pub const PIC_MASTER_PORT: u64 = 0x20;
/// The secondary 8259's ports.
pub const PIC_SLAVE_PORT: u64 = 0xA0;
/// The IB700 watchdog's stop port (its start port is 0x443), where
/// Linux's `ib700wdt` and QEMU's model have it.
pub const IB700_PORT: u64 = 0x441;

/// Default address space, address and I/O APIC pin of a device type: the
/// PC's ports and ISA interrupts for the legacy devices (the 8254's IRQ 0
/// arrives at pin 2, as on every PC with an I/O APIC), memory slots and
/// pins from [`MISC_PIN`] for the rest; the 8259 has no pin (it is
/// masked, for guests that probe it), nor has the IB700 watchdog (its
/// bite resets the machine).
pub fn default_place(kind: VdevKind) -> (AddressSpace, u64, Option<u32>) {
    use AddressSpace::{Io, Memory};
    match kind {
        VdevKind::Ser8250 => (Io, COM1_PORT, Some(4)),
        VdevKind::Timer8254 => (Io, PIT_PORT, Some(2)),
        VdevKind::Mc146818 => (Io, RTC_PORT, Some(8)),
        VdevKind::PcKeyboard => (Io, I8042_DATA_PORT, Some(1)),
        VdevKind::I8259 => (Io, PIC_MASTER_PORT, None),
        VdevKind::WdtIb700 => (Io, IB700_PORT, None),
        _ => (Memory, MMIO_BASE, Some(MISC_PIN)),
    }
}

/// The ports or memory a device takes at its place: the legacy devices'
/// blocks (8 for a UART, 4 for the 8254, 2 for the RTC and each 8259, the
/// 8042's data port alone: its status port is a companion,
/// `rules::claim_companions`; 4 for the IB700, 0x441-0x444), a page for
/// the rest.
pub fn slot_size(kind: VdevKind) -> u64 {
    match kind {
        VdevKind::Ser8250 => 8,
        VdevKind::Timer8254 => 4,
        VdevKind::Mc146818 | VdevKind::I8259 => 2,
        VdevKind::PcKeyboard => 1,
        VdevKind::WdtIb700 => 4,
        _ => VDEV_SLOT,
    }
}

/// The register window the guest is told about.
pub fn reg_size(kind: VdevKind) -> u64 {
    if kind.is_virtio() {
        VIRTIO_MMIO_SIZE
    } else {
        slot_size(kind)
    }
}
