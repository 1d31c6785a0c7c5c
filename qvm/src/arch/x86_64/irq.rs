//! Interrupt lines of an x86 guest: the I/O APIC's pins a device may take.

use alloc::format;
use core::ops::RangeInclusive;

use super::layout::IOAPIC_PINS;
use crate::config::{ConfigError, Origin};

/// The lines a device, `pass` or `reserve` may take: the I/O APIC's pins.
pub const DEVICE_LINES: RangeInclusive<u32> = 0..=IOAPIC_PINS - 1;

/// What the report calls a device's line.
pub const LINE_NAME: &str = "pin";

/// Whether `pin` is one of the VM's I/O APIC pins.
pub fn check_device_line(pin: u32, what: &str, origin: &Origin) -> Result<(), ConfigError> {
    if DEVICE_LINES.contains(&pin) {
        return Ok(());
    }
    Err(origin.error(format!(
        "{what}: I/O APIC pin {pin} does not exist (a VM's I/O APIC has pins 0 to {})",
        IOAPIC_PINS - 1
    )))
}
