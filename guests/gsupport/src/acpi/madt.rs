//! The MADT (ACPI 6.5, 5.2.12): the local APIC address, the enabled CPUs'
//! APIC IDs (boot CPU first, as the table lists it), the first I/O APIC
//! and the interrupt source overrides.

use super::{le16, le32, le64};
use crate::MAX_CPUS;

/// Interrupt controller structure types (5.2.12, table 5.21).
const PROCESSOR_LOCAL_APIC: u8 = 0;
const IO_APIC: u8 = 1;
const INTERRUPT_SOURCE_OVERRIDE: u8 = 2;
const LOCAL_APIC_ADDRESS_OVERRIDE: u8 = 5;
const PROCESSOR_LOCAL_X2APIC: u8 = 9;
/// Local APIC flags: Enabled, Online Capable (5.2.12.2, table 5.23).
const LAPIC_ENABLED: u32 = 1 << 0;
/// Most interrupt source overrides kept.
pub const MAX_OVERRIDES: usize = 16;

/// An I/O APIC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoApic {
    /// Its registers' physical address.
    pub addr: u64,
    /// The first global system interrupt it handles.
    pub gsi_base: u32,
}

/// An ISA interrupt routed to another GSI (5.2.12.5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SourceOverride {
    /// The ISA IRQ.
    pub source: u8,
    /// The GSI it arrives at.
    pub gsi: u32,
    /// MPS INTI flags (polarity, trigger mode).
    pub flags: u16,
}

/// What the MADT says.
#[derive(Clone, Copy, Debug)]
pub struct Madt {
    /// The local APIC's physical address.
    pub lapic: u64,
    /// APIC IDs of the enabled CPUs.
    pub apic_ids: [u32; MAX_CPUS],
    /// How many of `apic_ids` are valid.
    pub cpus: usize,
    /// The first I/O APIC.
    pub ioapic: Option<IoApic>,
    /// Interrupt source overrides.
    pub overrides: [SourceOverride; MAX_OVERRIDES],
    /// How many of `overrides` are valid.
    pub override_count: usize,
}

impl Madt {
    /// The enabled CPUs' APIC IDs.
    pub fn apic_ids(&self) -> &[u32] {
        &self.apic_ids[..self.cpus]
    }

    /// The interrupt source overrides.
    pub fn overrides(&self) -> &[SourceOverride] {
        &self.overrides[..self.override_count]
    }

    fn add_cpu(&mut self, apic_id: u32, flags: u32) {
        if flags & LAPIC_ENABLED != 0 && self.cpus < MAX_CPUS && !self.apic_ids().contains(&apic_id)
        {
            self.apic_ids[self.cpus] = apic_id;
            self.cpus += 1;
        }
    }
}

/// Reads a MADT's body (the bytes after its header). A structure
/// running past the table ends the walk.
pub fn parse(body: &[u8]) -> Option<Madt> {
    let mut madt = Madt {
        lapic: u64::from(le32(body, 0)?),
        apic_ids: [0; MAX_CPUS],
        cpus: 0,
        ioapic: None,
        overrides: [SourceOverride::default(); MAX_OVERRIDES],
        override_count: 0,
    };
    let mut at = 8;
    while at + 2 <= body.len() {
        let (kind, len) = (body[at], usize::from(body[at + 1]));
        let Some(s) = body.get(at..at + len).filter(|_| len >= 2) else {
            break;
        };
        match kind {
            PROCESSOR_LOCAL_APIC if len >= 8 => madt.add_cpu(u32::from(s[3]), le32(s, 4)?),
            PROCESSOR_LOCAL_X2APIC if len >= 16 => madt.add_cpu(le32(s, 4)?, le32(s, 8)?),
            IO_APIC if len >= 12 && madt.ioapic.is_none() => {
                madt.ioapic = Some(IoApic {
                    addr: u64::from(le32(s, 4)?),
                    gsi_base: le32(s, 8)?,
                });
            }
            INTERRUPT_SOURCE_OVERRIDE if len >= 10 && madt.override_count < MAX_OVERRIDES => {
                madt.overrides[madt.override_count] = SourceOverride {
                    source: s[3],
                    gsi: le32(s, 4)?,
                    flags: le16(s, 8)?,
                };
                madt.override_count += 1;
            }
            LOCAL_APIC_ADDRESS_OVERRIDE if len >= 12 => madt.lapic = le64(s, 4)?,
            _ => {}
        }
        at += len;
    }
    Some(madt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cpus_ioapic_and_overrides() {
        let mut body = Vec::new();
        body.extend(0xFEE0_0000u32.to_le_bytes());
        body.extend(1u32.to_le_bytes());
        body.extend([0, 8, 0, 0, 1, 0, 0, 0]); // CPU, APIC ID 0, enabled
        body.extend([0, 8, 1, 1, 0, 0, 0, 0]); // APIC ID 1, disabled
        body.extend([0, 8, 2, 2, 1, 0, 0, 0]); // APIC ID 2, enabled
        body.extend([1, 12, 0, 0, 0, 0, 0xC0, 0xFE, 0, 0, 0, 0]);
        body.extend([2, 10, 0, 0, 2, 0, 0, 0, 0, 0]); // IRQ 0 -> GSI 2
        body.extend([9, 16, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
        body.extend([0, 8, 3, 3, 1]); // cut short: ignored
        let madt = parse(&body).unwrap();
        assert_eq!(madt.lapic, 0xFEE0_0000);
        assert_eq!(madt.apic_ids(), [0, 2, 7]);
        assert_eq!(
            madt.ioapic,
            Some(IoApic {
                addr: 0xFEC0_0000,
                gsi_base: 0
            })
        );
        assert_eq!(
            madt.overrides(),
            [SourceOverride {
                source: 0,
                gsi: 2,
                flags: 0
            }]
        );
        let mut moved = body.clone();
        moved.truncate(8);
        moved.extend([5, 12, 0, 0, 0, 0, 0xE0, 0xFE, 1, 0, 0, 0]);
        assert_eq!(parse(&moved).unwrap().lapic, 0x1_FEE0_0000);
        assert!(parse(&[1, 2]).is_none());
    }
}
