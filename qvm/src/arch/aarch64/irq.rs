//! Interrupt numbers on an AArch64 guest: the GIC's INTIDs a device may
//! have (its shared peripheral interrupts, SPIs), the generic timer's PPIs,
//! and how the device tree writes an interrupt (three cells).

use alloc::format;
use core::ops::RangeInclusive;

use crate::config::{ConfigError, Origin};

/// First shared peripheral interrupt.
pub const SPI_FIRST: u32 = 32;
/// The last INTID a device may use: the last SPI the kernel's distributor
/// offers a VM.
pub const SPI_LAST: u32 = abi::VM_INTID_MAX;
/// The lines a device, `pass` or `reserve` may take: the SPIs.
pub const DEVICE_LINES: RangeInclusive<u32> = SPI_FIRST..=SPI_LAST;

/// What the report calls a device's line.
pub const LINE_NAME: &str = "intid";

/// Generic timer PPIs: secure physical, non-secure physical, virtual,
/// hypervisor physical, in the order of the `arm,armv8-timer` binding.
pub const TIMER_PPIS: [u32; 4] = [13, 14, 11, 10];

/// `interrupts` first cell: SPI or PPI.
pub const GIC_SPI: u32 = 0;
/// `interrupts` first cell of a PPI.
pub const GIC_PPI: u32 = 1;
/// `interrupts` trigger: level, active high.
pub const IRQ_LEVEL_HIGH: u32 = 4;
/// `interrupts` trigger: rising edge.
pub const IRQ_EDGE_RISING: u32 = 1;

/// Whether `intid` is a line a device may take: an SPI the VM has.
pub fn check_device_line(intid: u32, what: &str, origin: &Origin) -> Result<(), ConfigError> {
    if DEVICE_LINES.contains(&intid) {
        return Ok(());
    }
    Err(origin.error(format!(
        "{what}: INTID {intid} is not a shared peripheral interrupt a VM has ({SPI_FIRST} to {SPI_LAST})"
    )))
}

/// The `interrupts` cells of a device's SPI `intid`: level, active high.
pub fn device_interrupt(intid: u32) -> [u32; 3] {
    [GIC_SPI, intid.saturating_sub(32), IRQ_LEVEL_HIGH]
}
