//! The records the ACPI tables yield, which [`super::X86Board`] holds:
//! generic addresses and the FADT's registers (ACPI 6.5 §5.2.3.2,
//! §5.2.9), and the MADT's I/O APICs, interrupt source overrides and NMI
//! inputs with their MPS INTI flags (§5.2.12).

/// Interrupt source override bus: ISA.
pub const BUS_ISA: u8 = 0;

/// Where a generic address points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressSpace {
    /// Physical memory (MMIO).
    Memory,
    /// An I/O port.
    Io,
    /// PCI configuration space (segment 0; bus 0; device, function and
    /// offset in the address).
    PciConfig,
    /// Another space ID.
    Other(u8),
}

/// A generic address structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gas {
    /// The space.
    pub space: AddressSpace,
    /// Register width in bits.
    pub bit_width: u8,
    /// Register's first bit.
    pub bit_offset: u8,
    /// Access size code: 0 undefined, 1 byte, 2 word, 3 dword, 4 qword.
    pub access_size: u8,
    /// The address or port.
    pub address: u64,
}

/// The reset register: write `value` to `reg` to reset the machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetRegister {
    /// The register.
    pub reg: Gas,
    /// The value to write.
    pub value: u8,
}

/// The ACPI PM timer, counting at [`PM_TIMER_HZ`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PmTimer {
    /// Its register.
    pub reg: Gas,
    /// Counter width: 24 or 32 bits.
    pub bits: u8,
}

/// Polarity of an interrupt input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Polarity {
    /// Conforms to the bus (ISA: active high). The reserved encoding is
    /// read as this too.
    Conforms,
    /// Active high.
    High,
    /// Active low.
    Low,
}

/// Trigger mode of an interrupt input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Conforms to the bus (ISA: edge). The reserved encoding is read as
    /// this too.
    Conforms,
    /// Edge-triggered.
    Edge,
    /// Level-triggered.
    Level,
}

/// An I/O APIC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoApic {
    /// Its I/O APIC ID.
    pub id: u8,
    /// Physical address of its registers.
    pub address: u32,
    /// The GSI of its first input.
    pub gsi_base: u32,
}

/// An interrupt source override: bus IRQ `source` arrives at GSI `gsi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IrqOverride {
    /// The bus (0: ISA).
    pub bus: u8,
    /// The bus-relative IRQ.
    pub source: u8,
    /// Where it arrives.
    pub gsi: u32,
    /// Its polarity.
    pub polarity: Polarity,
    /// Its trigger mode.
    pub trigger: Trigger,
}

/// A local APIC's LINT input wired to NMI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LapicNmi {
    /// The processor UID it applies to; `None`: every processor.
    pub uid: Option<u32>,
    /// LINT0 or LINT1.
    pub lint: u8,
    /// Its polarity.
    pub polarity: Polarity,
    /// Its trigger mode.
    pub trigger: Trigger,
}
