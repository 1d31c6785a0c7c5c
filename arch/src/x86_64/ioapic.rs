//! The host's I/O APIC (Intel 82093AA data sheet, 3.0 "Register
//! Description"): the interrupt lines of the board's devices (GSIs), each
//! routed to one CPU's local APIC at a vector the kernel picks. Reached
//! through IOREGSEL (offset 0x00) and IOWIN (0x10) in its identity-mapped
//! page.

/// IOREGSEL: which register IOWIN reaches.
const IOREGSEL: usize = 0x00;
/// IOWIN: the selected register.
const IOWIN: usize = 0x10;
/// IOAPICVER: bits 23:16 hold the highest redirection entry.
const IOAPICVER: u32 = 0x01;
/// The first redirection-table register; entry n is 0x10 + 2n (low) and
/// 0x11 + 2n (high).
const IOREDTBL: u32 = 0x10;
/// Redirection entry: the interrupt mask.
pub const RTE_MASKED: u64 = 1 << 16;
/// Redirection entry: level-triggered (else edge).
pub const RTE_LEVEL: u64 = 1 << 15;
/// Redirection entry: active low (else high).
pub const RTE_ACTIVE_LOW: u64 = 1 << 13;
/// Redirection entry: the destination APIC ID, bits 63:56.
const RTE_DESTINATION_SHIFT: u32 = 56;

/// An I/O APIC at an identity-mapped address, serving GSIs from
/// `gsi_base`.
pub struct IoApic {
    base: usize,
    gsi_base: u32,
    pins: u32,
}

impl IoApic {
    /// The I/O APIC at `base` whose first pin is GSI `gsi_base`, with every
    /// pin masked.
    ///
    /// # Safety
    /// `base` must be an I/O APIC's registers, identity-mapped uncached,
    /// used by nothing else.
    pub unsafe fn new(base: usize, gsi_base: u32) -> IoApic {
        let mut apic = IoApic {
            base,
            gsi_base,
            pins: 0,
        };
        apic.pins = ((apic.read(IOAPICVER) >> 16) & 0xFF) + 1;
        for pin in 0..apic.pins {
            apic.write_entry(pin, RTE_MASKED);
        }
        apic
    }

    fn read(&self, reg: u32) -> u32 {
        // SAFETY: `new`'s caller guarantees the registers; IOREGSEL then
        // IOWIN is the access protocol (only this driver uses them, and
        // the kernel holds it under its lock).
        unsafe {
            core::ptr::write_volatile((self.base + IOREGSEL) as *mut u32, reg);
            core::ptr::read_volatile((self.base + IOWIN) as *const u32)
        }
    }

    fn write(&mut self, reg: u32, value: u32) {
        // SAFETY: as in `read`.
        unsafe {
            core::ptr::write_volatile((self.base + IOREGSEL) as *mut u32, reg);
            core::ptr::write_volatile((self.base + IOWIN) as *mut u32, value);
        }
    }

    fn write_entry(&mut self, pin: u32, entry: u64) {
        // Mask first, so that no half-written entry fires.
        self.write(IOREDTBL + 2 * pin, RTE_MASKED as u32);
        self.write(IOREDTBL + 2 * pin + 1, (entry >> 32) as u32);
        self.write(IOREDTBL + 2 * pin, entry as u32);
    }

    fn read_entry(&self, pin: u32) -> u64 {
        let low = self.read(IOREDTBL + 2 * pin);
        let high = self.read(IOREDTBL + 2 * pin + 1);
        (u64::from(high) << 32) | u64::from(low)
    }

    /// The pin of `gsi`, if this I/O APIC has it.
    pub fn pin(&self, gsi: u32) -> Option<u32> {
        gsi.checked_sub(self.gsi_base).filter(|&p| p < self.pins)
    }

    /// How many pins it has.
    pub fn pins(&self) -> u32 {
        self.pins
    }

    /// Routes `gsi` to `vector` on the CPU with `apic_id` (fixed delivery,
    /// physical destination) with `flags` ([`RTE_LEVEL`],
    /// [`RTE_ACTIVE_LOW`]), unmasked. False if the GSI is not here.
    pub fn route(&mut self, gsi: u32, vector: u8, apic_id: u32, flags: u64) -> bool {
        let Some(pin) = self.pin(gsi) else {
            return false;
        };
        let entry = u64::from(vector)
            | (flags & (RTE_LEVEL | RTE_ACTIVE_LOW))
            | (u64::from(apic_id & 0xFF) << RTE_DESTINATION_SHIFT);
        self.write_entry(pin, entry);
        true
    }

    /// Masks (`true`) or unmasks `gsi`, its routing kept.
    pub fn set_masked(&mut self, gsi: u32, masked: bool) {
        if let Some(pin) = self.pin(gsi) {
            let entry = self.read_entry(pin);
            let entry = if masked {
                entry | RTE_MASKED
            } else {
                entry & !RTE_MASKED
            };
            self.write_entry(pin, entry);
        }
    }
}
