//! The Multiple APIC Description Table (ACPI 6.4 §5.2.12): the local
//! APICs' address, PCAT_COMPAT, then one Processor Local APIC structure
//! per vCPU (§5.2.12.2), the I/O APIC (§5.2.12.3), the Interrupt Source
//! Overrides (§5.2.12.5) and one Local APIC NMI structure (§5.2.12.7)
//! for LINT1 of every processor.

use alloc::vec::Vec;

use super::machine::{AcpiMachine, Polarity, Trigger, inti_flags};
use super::sdt::{HEADER_LEN, Oem, Sdt};

/// MADT revision of ACPI 6.4.
pub const MADT_REVISION: u8 = 5;
/// MADT Flags bit 0: the PC's dual 8259s are present (and must be masked
/// by an OS that uses the APICs).
pub const PCAT_COMPAT: u32 = 1 << 0;

/// Structure type: Processor Local APIC.
pub const TYPE_LOCAL_APIC: u8 = 0;
/// Structure type: I/O APIC.
pub const TYPE_IOAPIC: u8 = 1;
/// Structure type: Interrupt Source Override.
pub const TYPE_OVERRIDE: u8 = 2;
/// Structure type: Local APIC NMI.
pub const TYPE_LAPIC_NMI: u8 = 4;

/// Length of a Processor Local APIC structure.
pub const LOCAL_APIC_LEN: usize = 8;
/// Length of an I/O APIC structure.
pub const IOAPIC_LEN: usize = 12;
/// Length of an Interrupt Source Override structure.
pub const OVERRIDE_LEN: usize = 10;
/// Length of a Local APIC NMI structure.
pub const LAPIC_NMI_LEN: usize = 6;

/// Local APIC Flags bit 0: the processor is usable.
pub const LAPIC_ENABLED: u32 = 1 << 0;
/// Interrupt Source Override Bus: ISA.
const BUS_ISA: u8 = 0;
/// ACPI Processor UID meaning "all processors" (Local APIC NMI).
pub const ALL_PROCESSORS: u8 = 0xFF;
/// The local APIC input the NMI is wired to, as on a PC: LINT1.
pub const NMI_LINT: u8 = 1;

/// The MADT's length for `cpus` processors and `overrides` overrides.
pub fn madt_len(cpus: u32, overrides: usize) -> u64 {
    (HEADER_LEN + 8 + IOAPIC_LEN + LAPIC_NMI_LEN) as u64
        + u64::from(cpus) * LOCAL_APIC_LEN as u64
        + overrides as u64 * OVERRIDE_LEN as u64
}

/// The MADT of `m` (already checked: at most 255 vCPUs, so every UID
/// and APIC ID fits a byte).
pub fn madt(m: &AcpiMachine, oem: &Oem) -> Vec<u8> {
    let mut t = Sdt::new(b"APIC", MADT_REVISION, oem);
    let b = t.body();
    b.u32(m.lapic_base).u32(PCAT_COMPAT);
    for cpu in 0..m.cpus {
        // ACPI Processor UID and APIC ID: the vCPU's index.
        let id = cpu as u8;
        b.u8(TYPE_LOCAL_APIC)
            .u8(LOCAL_APIC_LEN as u8)
            .u8(id)
            .u8(id)
            .u32(LAPIC_ENABLED);
    }
    b.u8(TYPE_IOAPIC)
        .u8(IOAPIC_LEN as u8)
        .u8(m.ioapic.id)
        .u8(0)
        .u32(m.ioapic.base)
        .u32(m.ioapic.gsi_base);
    for o in &m.overrides {
        b.u8(TYPE_OVERRIDE)
            .u8(OVERRIDE_LEN as u8)
            .u8(BUS_ISA)
            .u8(o.irq)
            .u32(o.gsi)
            .u16(inti_flags(o.polarity, o.trigger));
    }
    // NMI through LINT1 on every processor: edge-triggered, active high,
    // as the PC wires it.
    b.u8(TYPE_LAPIC_NMI)
        .u8(LAPIC_NMI_LEN as u8)
        .u8(ALL_PROCESSORS)
        .u16(inti_flags(Polarity::ActiveHigh, Trigger::Edge))
        .u8(NMI_LINT);
    t.finish()
}
