//! The ACPI tables of an x86 VM (ACPI 6.4), built from an
//! [`AcpiMachine`] and laid out by [`build`] in a window of the BIOS
//! area (the caller picks it, e.g. 0xE0000, at most 128 KiB), where a
//! BIOS-booted guest scanning for "RSD PTR " finds the RSDP:
//!
//! - the RSDP (revision 2: RSDT and XSDT addresses, both checksums) at
//!   the window's base, which must be 16-byte aligned inside
//!   0xE0000-0xFFFFF ([`check`]);
//! - the RSDT and XSDT, listing the FADT and the MADT;
//! - the FADT, revision 6 (not HW-reduced: PM1a event and control blocks,
//!   the PM timer, SCI_INT, the reset register) and the FACS it points to
//!   ([`fadt`]);
//! - the MADT: local APICs, the I/O APIC, interrupt source overrides,
//!   LINT1 as NMI ([`madt`]);
//! - the DSDT ([`dsdt`]), whose AML defines `\_S0_` and `\_S5_` ([`aml`]; the S5
//!   SLP_TYP is [`SLP_TYP_S5`], which the PM1 vdev is given), the
//!   virtio-mmio devices under `\_SB` ([`devices`]) and the `vdev shmem`
//!   devices ([`shmem`]).
//!
//! [`vm::machine_of`] makes the [`AcpiMachine`] of a placed VM.
//!
//! Every table has its header (§5.2.6) with checksum, OEM fields from the
//! machine and creator "QHVM" ([`sdt`]). Pure: no guest memory is
//! touched; `qvm` copies [`AcpiImage::bytes`] to [`AcpiImage::base`].

pub mod aml;
pub mod build;
pub mod check;
pub mod devices;
pub mod dsdt;
pub mod fadt;
pub mod keyboard;
pub mod machine;
pub mod madt;
pub mod resources;
pub mod sdt;
pub mod shmem;
pub mod vm;

#[cfg(test)]
mod tests;

pub use aml::{SLP_TYP_S0, SLP_TYP_S5};
pub use build::{AcpiImage, TableAddrs, build};
pub use check::{AcpiError, BIOS_AREA_END, BIOS_AREA_START, MAX_CPUS};
pub use devices::VirtioMmio;
pub use machine::{
    AcpiMachine, IoApic, Legacy, Override, PM_BASE, PmPorts, Polarity, RESET_PORT, RESET_VALUE,
    ResetReg, SCI_IRQ, Trigger,
};
pub use shmem::SharedMemory;
