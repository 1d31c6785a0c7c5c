//! The I/O APIC (Intel 82093AA datasheet): a device's interrupt, a global
//! system interrupt (GSI) on one of its pins, routed to a vector on this
//! CPU. The line comes from the firmware: an ISA IRQ through the MADT's
//! interrupt source override if it has one ([`isa_irq`]), another device's
//! GSI with its trigger mode and polarity from its `_CRS`
//! ([`crate::acpi::crs`]). Each register is reached by writing its index
//! to IOREGSEL, then IOWIN, one aligned 32-bit `mov` each.

use super::{lapic, mmio};
use crate::acpi::crs::Interrupt;
use crate::x86_64::Platform;

/// IOREGSEL and IOWIN, from the I/O APIC's base.
const IOREGSEL: u64 = 0x00;
const IOWIN: u64 = 0x10;
/// The redirection table: two registers per pin from this index.
const IOREDTBL: u32 = 0x10;
/// Redirection entry bits: interrupt mask, trigger mode (1 level),
/// polarity (1 active low); fixed delivery and physical destination are
/// zeros; the destination APIC ID is in bits 63:56.
const REDIR_MASKED: u32 = 1 << 16;
const REDIR_LEVEL: u32 = 1 << 15;
const REDIR_ACTIVE_LOW: u32 = 1 << 13;
/// MPS INTI flags in an interrupt source override (ACPI 6.5 table 5.50):
/// polarity (bits 1:0, 11 active low) and trigger mode (bits 3:2, 11
/// level); 00 is the bus's own, for ISA edge and active high.
const INTI_POLARITY_LOW: u16 = 0b11;
const INTI_TRIGGER_LEVEL: u16 = 0b11 << 2;

/// Writes I/O APIC register `reg` at `base`.
fn write(base: u64, reg: u32, value: u32) {
    // SAFETY: the MADT's I/O APIC, in the identity-mapped first 4 GiB
    // and uncached (no RAM there); IOREGSEL selects the register, IOWIN
    // then writes it.
    unsafe {
        mmio::write32((base + IOREGSEL) as usize, reg);
        mmio::write32((base + IOWIN) as usize, value);
    }
}

/// The line ISA IRQ `irq` arrives on: its override's GSI, trigger mode
/// and polarity, else GSI `irq`, edge-triggered and active high.
pub fn isa_irq(platform: &Platform, irq: u8) -> Interrupt {
    let over = platform
        .madt
        .as_ref()
        .and_then(|m| m.overrides().iter().find(|o| o.source == irq).copied());
    let flags = over.map_or(0, |o| o.flags);
    Interrupt {
        number: over.map_or(u32::from(irq), |o| o.gsi),
        level: flags & INTI_TRIGGER_LEVEL == INTI_TRIGGER_LEVEL,
        active_low: flags & INTI_POLARITY_LOW == INTI_POLARITY_LOW,
    }
}

/// Routes `line` (its number a GSI) to `vector` on this CPU, with its
/// trigger mode and polarity, or masks it; `None` if no I/O APIC has a
/// pin for it (only the MADT's first I/O APIC is known).
pub fn route(platform: &Platform, line: Interrupt, vector: u8, masked: bool) -> Option<()> {
    let ioapic = platform.ioapic?;
    let pin = line.number.checked_sub(ioapic.gsi_base)?;
    let mut low = u32::from(vector);
    if line.active_low {
        low |= REDIR_ACTIVE_LOW;
    }
    if line.level {
        low |= REDIR_LEVEL;
    }
    if masked {
        low |= REDIR_MASKED;
    }
    write(ioapic.addr, IOREDTBL + 2 * pin + 1, lapic::id() << 24);
    write(ioapic.addr, IOREDTBL + 2 * pin, low);
    Some(())
}
