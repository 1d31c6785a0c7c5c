//! Interprocessor interrupts: the ICR decoded into an [`Ipi`] (SDM Vol.
//! 3A 10.6.1, "Interrupt Command Register (ICR)", Table 10-3 of the valid
//! combinations; 10.12.9 and 10.12.11 for the x2APIC ICR and SELF IPI),
//! whose destination check is in `destination.rs`.

use super::regs::*;

/// The delivery mode of an IPI or local interrupt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// The vector, to every target.
    Fixed,
    /// The vector, to the target of lowest priority (the VM layer picks).
    LowestPriority,
    /// A system management interrupt.
    Smi,
    /// A non-maskable interrupt.
    Nmi,
    /// An INIT.
    Init,
    /// A start-up IPI; the vector is the start page number.
    StartUp,
    /// The external controller (8259A) supplies the vector (LVT LINT0/1).
    ExtInt,
}

impl Delivery {
    /// The delivery mode in a 3-bit field, `None` for the reserved 011.
    pub fn from_bits(bits: u32) -> Option<Delivery> {
        Some(match bits & 7 {
            DM_FIXED => Delivery::Fixed,
            DM_LOWEST_PRIORITY => Delivery::LowestPriority,
            DM_SMI => Delivery::Smi,
            DM_NMI => Delivery::Nmi,
            DM_INIT => Delivery::Init,
            DM_STARTUP => Delivery::StartUp,
            DM_EXTINT => Delivery::ExtInt,
            _ => return None,
        })
    }

    /// Fixed or lowest priority: the modes that carry an interrupt vector.
    pub fn has_vector(self) -> bool {
        matches!(self, Delivery::Fixed | Delivery::LowestPriority)
    }
}

/// Physical or logical destination mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DestMode {
    /// The destination is an APIC ID.
    Physical,
    /// The destination is a message destination address matched against
    /// the LDR (and, in xAPIC mode, the DFR).
    Logical,
}

/// Where an IPI goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// An APIC ID (8 bits in xAPIC mode, 32 in x2APIC mode).
    Physical(u32),
    /// A message destination address.
    Logical(u32),
    /// Shorthand 01: the sender only.
    SelfOnly,
    /// Shorthand 10: every APIC, the sender included.
    AllIncludingSelf,
    /// Shorthand 11: every APIC but the sender.
    AllExcludingSelf,
}

/// The ICR's Trigger Mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// 0.
    Edge,
    /// 1.
    Level,
}

/// An IPI the guest sent, for the VM layer to deliver.
///
/// `level` and `trigger` are the ICR's flags as written. On the xAPIC and
/// x2APIC (Pentium 4 and later) they have no meaning: a level-triggered
/// IPI goes out edge-triggered (Table 10-3, note 2), so the VM layer
/// accepts fixed IPIs with `level_triggered = false`. An INIT with trigger
/// `Level` and `level == false` is the legacy "INIT level de-assert"
/// ([`Ipi::is_init_deassert`]) that only P6 and Pentium APICs act on; the
/// VM layer may ignore it, as KVM does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipi {
    /// The vector (SIPI: the start page; SMI, NMI, INIT: meaningless).
    pub vector: u8,
    pub delivery: Delivery,
    pub destination: Destination,
    /// Level flag: assert (true) or de-assert.
    pub level: bool,
    pub trigger: Trigger,
}

impl Ipi {
    /// The IPI an ICR value sends (`low`: bits 31:0; `dest`: the
    /// destination field, 8-bit xAPIC or 32-bit x2APIC), or `None` if the
    /// combination is invalid and nothing is sent: a reserved delivery
    /// mode (011, and 111 which is for LVT entries only), or a shorthand of
    /// self or all-including-self with anything but fixed delivery (Table
    /// 10-3). The illegal-vector check is the sender's ([`VLapic`]).
    pub fn decode(low: u32, dest: u32) -> Option<Ipi> {
        let delivery = Delivery::from_bits((low & ICR_DELIVERY_MODE) >> DM_SHIFT)?;
        if delivery == Delivery::ExtInt {
            return None;
        }
        let destination = match (low & ICR_SHORTHAND) >> ICR_SHORTHAND_SHIFT {
            0 if low & ICR_DEST_LOGICAL != 0 => Destination::Logical(dest),
            0 => Destination::Physical(dest),
            1 => Destination::SelfOnly,
            2 => Destination::AllIncludingSelf,
            _ => Destination::AllExcludingSelf,
        };
        let to_self = matches!(
            destination,
            Destination::SelfOnly | Destination::AllIncludingSelf
        );
        if to_self && delivery != Delivery::Fixed {
            return None;
        }
        Some(Ipi {
            vector: (low & ICR_VECTOR) as u8,
            delivery,
            destination,
            level: low & ICR_LEVEL_ASSERT != 0,
            trigger: if low & ICR_LEVEL_TRIGGER != 0 {
                Trigger::Level
            } else {
                Trigger::Edge
            },
        })
    }

    /// The x2APIC SELF IPI register's IPI: fixed, edge, to the sender.
    pub fn self_ipi(vector: u8) -> Ipi {
        Ipi {
            vector,
            delivery: Delivery::Fixed,
            destination: Destination::SelfOnly,
            level: true,
            trigger: Trigger::Edge,
        }
    }

    /// The legacy INIT level de-assert message.
    pub fn is_init_deassert(&self) -> bool {
        self.delivery == Delivery::Init && self.trigger == Trigger::Level && !self.level
    }
}
