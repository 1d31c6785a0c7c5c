//! The memory window (IOREGSEL, IOWIN, EOI) and the indirect registers
//! behind IOWIN (82093AA datasheet, sections 3.1 and 3.2; the EOI register
//! of the version-0x20 I/O APIC). What accesses of other widths and
//! offsets do is in the module docs.

use super::entry::Entry;
use super::regs::*;
use super::{Deliveries, VIoApic};

impl VIoApic {
    /// A guest read of `width` bytes at `offset` in the window.
    pub fn read(&self, offset: u64, width: u8) -> u64 {
        if width != 4 {
            return 0;
        }
        let v = match offset {
            IOREGSEL => u32::from(self.ioregsel),
            IOWIN => self.read_indirect(self.ioregsel),
            _ => 0,
        };
        u64::from(v)
    }

    /// A guest write of `width` bytes of `value` at `offset` in the
    /// window; returns the messages it sends (an unmask of an asserted
    /// level-triggered entry, an EOI).
    pub fn write(&mut self, offset: u64, width: u8, value: u64) -> Deliveries {
        if width != 4 {
            return Deliveries::new();
        }
        let value = value as u32;
        match offset {
            IOREGSEL => {
                self.ioregsel = (value & IOREGSEL_MASK) as u8;
                Deliveries::new()
            }
            IOWIN => self.write_indirect(self.ioregsel, value),
            EOI => self.eoi((value & EOI_VECTOR_MASK) as u8),
            _ => Deliveries::new(),
        }
    }

    /// The redirection entry and half (true: bits 63:32) IOREGSEL value
    /// `index` selects, if the pin exists.
    fn table_index(&self, index: u8) -> Option<(usize, bool)> {
        let n = index.checked_sub(IOREDTBL)?;
        let pin = usize::from(n / 2);
        (pin < self.pins).then_some((pin, n % 2 == 1))
    }

    /// The indirect register `index`, as IOWIN reads it.
    fn read_indirect(&self, index: u8) -> u32 {
        match index {
            IOAPICID => u32::from(self.id) << IOAPICID_ID_SHIFT,
            IOAPICVER => IOAPICVER_VERSION | ((self.pins - 1) as u32) << IOAPICVER_MRE_SHIFT,
            IOAPICARB => u32::from(self.id) << IOAPICARB_ID_SHIFT,
            _ => match self.table_index(index) {
                Some((pin, high)) => {
                    let e = self.table[pin].0;
                    if high { (e >> 32) as u32 } else { e as u32 }
                }
                None => 0,
            },
        }
    }

    /// A write through IOWIN to the indirect register `index`.
    fn write_indirect(&mut self, index: u8, value: u32) -> Deliveries {
        let mut out = Deliveries::new();
        if index == IOAPICID {
            self.id = ((value & IOAPICID_ID_MASK) >> IOAPICID_ID_SHIFT) as u8;
        } else if let Some((pin, high)) = self.table_index(index) {
            let old = self.table[pin];
            let new = if high {
                old.0 & 0xffff_ffff | u64::from(value) << 32
            } else {
                old.0 & !0xffff_ffff | u64::from(value)
            };
            self.table[pin] = Entry::written(old, new);
            out.add(self.service_level(pin));
        }
        out
    }
}
