//! The virtual I/O APIC of one x86 VM, as pure logic: the Intel 82093AA
//! I/O APIC (datasheet 290566) at version 0x20, the version of later
//! chipsets that adds the EOI register at offset 0x40 (ICH9 datasheet,
//! APIC chapter).
//!
//! The VM's device models (in `qvm` or the kernel) drive its input pins
//! with [`VIoApic::set_line`], the guest programs it through its memory
//! window ([`VIoApic::read`], [`VIoApic::write`]; usually at
//! [`regs::DEFAULT_BASE`]), and the virtual local APICs hand it the EOIs
//! of level-triggered vectors ([`VIoApic::eoi`]). Whatever changes state
//! returns the interrupt messages it sends ([`Delivery`]); the caller
//! routes them to local APICs.
//!
//! Model:
//! - The input is the device's logical assertion: `true` means "the
//!   device requests an interrupt", whatever the entry's polarity bit
//!   (INTPOL) says. INTPOL is stored and read back, and changes nothing;
//!   the firmware tables the guest reads (MADT interrupt source overrides)
//!   say which polarity the wire would have. KVM and QEMU do the same.
//! - Edge-triggered entries send one message on each rising assertion
//!   while unmasked; an edge on a masked pin is lost, as the datasheet
//!   says.
//! - Level-triggered entries (Trigger Mode 1 with delivery mode Fixed or
//!   Lowest Priority) send a message whenever the line is asserted, the
//!   entry unmasked and Remote IRR clear, and set Remote IRR: when the line
//!   rises, when an EOI of the entry's vector clears Remote IRR, and when
//!   a write to the entry (an unmask, a switch to level) makes all three
//!   true. So a masked level interrupt is not lost: the line state is kept
//!   and unmasking delivers it. Remote IRR stays set until an EOI (from a
//!   local APIC or the EOI register) names the entry's current vector, or
//!   the guest writes the entry with Trigger Mode edge, which clears it
//!   (older operating systems clear it that way on I/O APICs without the
//!   EOI register; KVM and QEMU do the same).
//! - SMI, NMI, INIT and ExtINT entries are edge-triggered whatever the
//!   Trigger Mode bit says (datasheet: they require or are treated as
//!   edge). The reserved delivery modes (0b011, 0b110) send nothing and
//!   never set Remote IRR.
//! - Delivery Status (bit 12) always reads 0 (idle): messages are handed
//!   to the caller at once, so none is ever waiting for the bus.
//! - The vector is sent as programmed; refusing vectors 0-15 is the
//!   receiving local APIC's job (its illegal-vector error).
//!
//! Memory window (the datasheet defines only aligned 32-bit accesses):
//! a 4-byte access at offset 0x00 (IOREGSEL), 0x10 (IOWIN) or 0x40 (EOI)
//! works as the registers do; every other access, of another width or at
//! another offset of the window or past it, reads 0 and its writes are
//! ignored. IOREGSEL keeps bits 7:0 (31:8 read 0). Through IOWIN: ID
//! (bits 27:24 writable), version (read-only), arbitration (read-only,
//! reads the ID: there is no APIC bus to arbitrate), and the redirection
//! table; an index past the last entry, or 0x03-0x0F, reads 0 and ignores
//! writes. Reading the EOI register reads 0.
//!
//! Not modelled: the APIC bus (arbitration, Delivery Status), the Pin
//! Assertion Register of some chipsets (IOAPICVER bit 15 reads 0), the
//! Extended Destination ID some hypervisors define in bits 55:48 (they
//! read 0 like the other reserved bits), and interrupt remapping.

mod entry;
mod mmio;
pub mod regs;
#[cfg(test)]
mod tests;

use core::ops::Deref;

use entry::Entry;
pub use entry::{Delivery, DeliveryMode};
use regs::*;

/// Most input pins: the redirection table's last entry must have an
/// 8-bit IOREGSEL index (0x10 + 2 × 119 + 1 = 0xFF).
pub const MAX_PINS: usize = 120;
/// Input pins of the usual I/O APIC (the 82093AA's 24).
pub const DEFAULT_PINS: usize = 24;

/// Why a call did nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// [`VIoApic::new`]: no pins, more than [`MAX_PINS`], or an ID above
    /// 15.
    BadConfig,
    /// [`VIoApic::set_line`]: the pin does not exist.
    NoSuchPin,
}

/// The messages one call sends, at most one per pin, in pin order; a
/// slice of [`Delivery`] (`for d in &deliveries`, `deliveries.iter()`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deliveries(heapless::Vec<Delivery, MAX_PINS>);

impl Deliveries {
    /// No messages.
    pub const fn new() -> Deliveries {
        Deliveries(heapless::Vec::new())
    }

    /// Adds `d`, if any (one per pin fits: the list holds `MAX_PINS`).
    fn add(&mut self, d: Option<Delivery>) {
        if let Some(d) = d {
            let _ = self.0.push(d);
        }
    }
}

impl Deref for Deliveries {
    type Target = [Delivery];

    fn deref(&self) -> &[Delivery] {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Deliveries {
    type Item = &'a Delivery;
    type IntoIter = core::slice::Iter<'a, Delivery>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// The virtual I/O APIC of one VM.
#[derive(Clone, Debug)]
pub struct VIoApic {
    /// The ID it was created with, which reset restores.
    reset_id: u8,
    /// IOAPICID bits 27:24.
    id: u8,
    /// IOREGSEL bits 7:0.
    ioregsel: u8,
    /// Input pins.
    pins: usize,
    /// Redirection table, `pins` entries used.
    table: [Entry; MAX_PINS],
    /// Input line levels (logical assertion), one bit per pin.
    lines: u128,
}

impl VIoApic {
    /// An I/O APIC at reset with `pins` input pins (1 to [`MAX_PINS`],
    /// usually [`DEFAULT_PINS`]) and ID `id` (0 to 15; the ID the firmware
    /// tables give, which reset restores).
    pub fn new(id: u8, pins: usize) -> Result<VIoApic, Error> {
        if !(1..=MAX_PINS).contains(&pins) || u32::from(id) > IOAPICID_ID_MASK >> IOAPICID_ID_SHIFT
        {
            return Err(Error::BadConfig);
        }
        let mut io = VIoApic {
            reset_id: id,
            id,
            ioregsel: 0,
            pins,
            table: [Entry(IOREDTBL_RESET); MAX_PINS],
            lines: 0,
        };
        io.reset();
        Ok(io)
    }

    /// Reset (RESET# or a VM reset): every entry masked, edge, active
    /// high, fixed, physical, vector and destination 0, Remote IRR clear;
    /// IOREGSEL 0; the ID the I/O APIC was created with. Input line levels
    /// are the devices' and stay as they are.
    pub fn reset(&mut self) {
        self.id = self.reset_id;
        self.ioregsel = 0;
        self.table = [Entry(IOREDTBL_RESET); MAX_PINS];
    }

    /// Number of input pins.
    pub fn pins(&self) -> usize {
        self.pins
    }

    /// The ID (IOAPICID bits 27:24).
    pub fn id(&self) -> u8 {
        self.id
    }

    /// Redirection entry `pin` as the guest reads it; `None` past the
    /// last pin.
    pub fn entry(&self, pin: usize) -> Option<u64> {
        self.table[..self.pins].get(pin).map(|e| e.0)
    }

    /// Whether input `pin` is asserted; `None` past the last pin.
    pub fn line(&self, pin: usize) -> Option<bool> {
        (pin < self.pins).then(|| self.lines >> pin & 1 != 0)
    }

    /// A device asserts (`true`) or deasserts input `pin`. Returns the
    /// message this sends, if any (see the module docs), or
    /// [`Error::NoSuchPin`].
    pub fn set_line(&mut self, pin: usize, asserted: bool) -> Result<Option<Delivery>, Error> {
        let was = self.line(pin).ok_or(Error::NoSuchPin)?;
        let bit = 1u128 << pin;
        if !asserted {
            self.lines &= !bit;
            return Ok(None);
        }
        self.lines |= bit;
        let e = self.table[pin];
        if e.level() {
            Ok(self.service_level(pin))
        } else if !was && !e.masked() {
            Ok(e.message(pin))
        } else {
            Ok(None)
        }
    }

    /// An EOI for `vector`, broadcast by a local APIC or written to the
    /// EOI register: every entry with that vector and Remote IRR set has
    /// it cleared, and a level-triggered one whose line is still asserted
    /// (and entry unmasked) sends again.
    pub fn eoi(&mut self, vector: u8) -> Deliveries {
        let mut out = Deliveries::new();
        for pin in 0..self.pins {
            let e = &mut self.table[pin];
            if e.remote_irr() && e.vector() == vector {
                e.0 &= !IOREDTBL_REMOTE_IRR;
                out.add(self.service_level(pin));
            }
        }
        out
    }

    /// Sends level-triggered entry `pin`'s message if its line is
    /// asserted, it is unmasked and Remote IRR is clear, and sets Remote
    /// IRR. Nothing for an edge-triggered entry.
    fn service_level(&mut self, pin: usize) -> Option<Delivery> {
        let e = self.table[pin];
        let asserted = self.lines >> pin & 1 != 0;
        if !e.level() || !asserted || e.masked() || e.remote_irr() {
            return None;
        }
        self.table[pin].0 |= IOREDTBL_REMOTE_IRR;
        e.message(pin)
    }
}
