//! A redirection table entry's fields (82093AA datasheet, section 3.2.4,
//! "IOREDTBL[23:0]—I/O Redirection Table Registers") and the interrupt
//! message a delivery sends.

use super::regs::*;

/// The Delivery Mode field's defined encodings. 0b011 and 0b110 are
/// reserved: an entry programmed with them delivers nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum DeliveryMode {
    /// The vector, to the destination's local APIC(s).
    Fixed = 0b000,
    /// The vector, to the lowest-priority processor of the destination.
    LowestPriority = 0b001,
    /// A System Management Interrupt; edge only.
    Smi = 0b010,
    /// A Non-Maskable Interrupt; edge only.
    Nmi = 0b100,
    /// An INIT; edge only.
    Init = 0b101,
    /// An interrupt whose vector an 8259A supplies; edge only.
    ExtInt = 0b111,
}

impl DeliveryMode {
    /// The mode a DELMOD value (bits 2:0) encodes; `None` if reserved.
    pub const fn from_bits(bits: u64) -> Option<DeliveryMode> {
        Some(match bits & 7 {
            DELMOD_FIXED => DeliveryMode::Fixed,
            DELMOD_LOWEST_PRIORITY => DeliveryMode::LowestPriority,
            DELMOD_SMI => DeliveryMode::Smi,
            DELMOD_NMI => DeliveryMode::Nmi,
            DELMOD_INIT => DeliveryMode::Init,
            DELMOD_EXTINT => DeliveryMode::ExtInt,
            _ => return None,
        })
    }

    /// Whether the mode carries a vector and may be level-triggered
    /// (Fixed and Lowest Priority). The datasheet treats SMI, NMI, INIT
    /// and ExtINT as edge-triggered whatever the Trigger Mode bit says.
    pub const fn allows_level(self) -> bool {
        matches!(self, DeliveryMode::Fixed | DeliveryMode::LowestPriority)
    }
}

/// The interrupt message one input sends to the local APICs. The caller
/// routes it: `destination` is an APIC ID (physical) or a logical
/// destination (`logical`), as the local APIC's LDR and DFR decode it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The input pin it came from (below [`super::MAX_PINS`]).
    pub pin: u8,
    /// The entry's vector (INTVEC), also for the modes that ignore it.
    pub vector: u8,
    /// What the destination does with it.
    pub delivery_mode: DeliveryMode,
    /// Destination Mode: logical (else physical).
    pub logical: bool,
    /// The Destination Field, bits 63:56 of the entry.
    pub destination: u8,
    /// Level-triggered: the local APIC sets its TMR bit and broadcasts its
    /// EOI for this vector, which must reach [`super::VIoApic::eoi`].
    /// Always false for SMI, NMI, INIT and ExtINT.
    pub level_triggered: bool,
}

/// A redirection table entry, as stored: the guest-writable bits and
/// Remote IRR (Delivery Status is always 0, see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Entry(pub u64);

impl Entry {
    /// Interrupt Mask set.
    pub fn masked(self) -> bool {
        self.0 & IOREDTBL_MASK != 0
    }

    /// Trigger Mode is level.
    pub fn level_bit(self) -> bool {
        self.0 & IOREDTBL_TRIGGER_MODE != 0
    }

    /// Remote IRR set.
    pub fn remote_irr(self) -> bool {
        self.0 & IOREDTBL_REMOTE_IRR != 0
    }

    /// INTVEC.
    pub fn vector(self) -> u8 {
        (self.0 & IOREDTBL_INTVEC_MASK) as u8
    }

    /// The delivery mode; `None` if reserved.
    pub fn mode(self) -> Option<DeliveryMode> {
        DeliveryMode::from_bits(self.0 >> IOREDTBL_DELMOD_SHIFT)
    }

    /// Whether the input is sampled as a level: Trigger Mode level and a
    /// mode that allows it (a reserved mode counts as edge: it delivers
    /// nothing either way).
    pub fn level(self) -> bool {
        self.level_bit() && self.mode().is_some_and(DeliveryMode::allows_level)
    }

    /// The message this entry sends for `pin`; `None` for a reserved
    /// delivery mode.
    pub fn message(self, pin: usize) -> Option<Delivery> {
        let mode = self.mode()?;
        Some(Delivery {
            pin: pin as u8,
            vector: self.vector(),
            delivery_mode: mode,
            logical: self.0 & IOREDTBL_DESTMOD != 0,
            destination: (self.0 >> IOREDTBL_DEST_SHIFT) as u8,
            level_triggered: self.level(),
        })
    }

    /// The entry after a guest write of `value` to its writable bits; the
    /// read-only Remote IRR is kept unless the new Trigger Mode is edge
    /// (see the module docs).
    pub fn written(self, value: u64) -> Entry {
        let mut irr = self.0 & IOREDTBL_REMOTE_IRR;
        if value & IOREDTBL_TRIGGER_MODE == 0 {
            irr = 0;
        }
        Entry(value & IOREDTBL_WRITABLE | irr)
    }
}
