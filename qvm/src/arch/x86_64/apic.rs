//! The interrupt controllers of an x86 guest, which the kernel emulates: a
//! local APIC per vCPU at the architectural address and the one I/O APIC
//! (`vdev ioapic`), placed before the devices.

use alloc::format;

use super::layout::{APIC_WINDOW, IOAPIC_BASE, IOAPIC_PINS, LAPIC_BASE};
use crate::config::{Config, ConfigError, Location, VdevConfig};
use crate::layout::space::Space;
use crate::layout::{Region, Vcpu};

/// The most vCPUs: xAPIC IDs are 8 bits, and the kernel's own limit.
pub const MAX_VCPUS: usize = abi::VM_VCPUS_MAX as usize;

/// The placed APICs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApicLayout {
    /// Every vCPU's local APIC window (each vCPU sees its own there).
    pub lapic: Region,
    /// The I/O APIC's window.
    pub ioapic: Region,
    /// The I/O APIC's pins.
    pub pins: u32,
    /// The `vdev ioapic` context.
    pub config: VdevConfig,
}

/// Choices placement makes when the configuration does not: none on x86.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlaceOptions {}

/// Places the APICs of `ioapic` for `cpus`.
pub fn place_irq_chip(
    config: &Config,
    ioapic: &VdevConfig,
    _opts: &PlaceOptions,
    cpus: &[Vcpu],
    space: &mut Space,
) -> Result<ApicLayout, ConfigError> {
    if let Some(extra) = cpus.get(MAX_VCPUS) {
        let at = extra.config.origin.as_ref().unwrap_or(&config.start);
        return Err(at.error(format!(
            "cpu: an x86 VM has at most {MAX_VCPUS} vCPUs (this is vCPU {})",
            MAX_VCPUS + 1
        )));
    }
    if let Some((intr, at)) = &ioapic.intr
        && (intr.controller != "apic" || intr.line != 0)
    {
        return Err(at.error(format!(
            "vdev ioapic: 'intr' {}:{}: the I/O APIC delivers to the local APICs ('intr apic')",
            intr.controller, intr.line
        )));
    }
    let (base, at) = match &ioapic.loc {
        Some((Location::Mem(addr), at)) => (*addr, at),
        Some((_, at)) => {
            return Err(at.error("vdev ioapic: 'loc' takes a memory address (e.g. 0xfec00000)"));
        }
        None => (IOAPIC_BASE, &ioapic.origin),
    };
    space.claim(base, APIC_WINDOW, "vdev ioapic", at)?;
    space.claim(LAPIC_BASE, APIC_WINDOW, "the local APICs", &ioapic.origin)?;
    Ok(ApicLayout {
        lapic: Region {
            base: LAPIC_BASE,
            size: APIC_WINDOW,
        },
        ioapic: Region {
            base,
            size: APIC_WINDOW,
        },
        pins: IOAPIC_PINS,
        config: ioapic.clone(),
    })
}

/// Once every device is placed: nothing changes (the I/O APIC has all
/// its pins whatever is used).
pub fn note_lines_used(_chip: &mut ApicLayout, _space: &Space) {}
