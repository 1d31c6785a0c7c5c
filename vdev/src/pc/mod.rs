//! PC platform devices that `qvm` offers as vdevs on the I/O port bus
//! (offsets from the base port; registers are one byte wide, so only
//! 1-byte accesses are taken, but for the PM1 block's):
//!
//! - [`rtc`]: [`Mc146818`], the MC146818A real-time clock and CMOS RAM
//!   (vdev `mc146818`, ports 0x70-0x71, line 8).
//! - [`i8042`]: [`I8042`], the keyboard controller as far as guests probe
//!   it and reset the machine through it (vdev `pckeyboard`, ports
//!   0x60-0x64, line 1).
//! - [`pic`]: [`Pic8259`], one 8259A interrupt controller (vdev `8259`, a
//!   master at 0x20 and a slave at 0xA0), which guests program and mask:
//!   interrupts reach the vCPUs through the I/O APIC.
//! - [`acpi_pm`]: [`AcpiPm`], the ACPI PM1 registers and PM timer (vdev
//!   `acpipm`, 12 ports from the FADT's PM1a_EVT_BLK, the SCI), through
//!   which guests power off, and [`ResetControl`], the reset register at
//!   port 0xCF9 (vdev `cf9reset`). `AcpiPm` also takes 2- and 4-byte
//!   accesses where its registers are that wide.

pub mod acpi_pm;
pub mod i8042;
pub mod pic;
pub mod rtc;

pub use acpi_pm::{AcpiPm, ResetControl};
pub use i8042::I8042;
pub use pic::Pic8259;
pub use rtc::Mc146818;
