//! What [`super::build`] refuses: an [`AcpiMachine`] the tables cannot
//! describe, or a window they cannot be laid out in ([`AcpiError`]).

use core::fmt;

use super::devices::MAX_DEVICES;
use super::machine::AcpiMachine;
use super::shmem::MAX_SHMEMS;

/// Where a BIOS-booted guest scans for the RSDP (ACPI 6.4 §5.2.5.1: the
/// BIOS read-only memory space between 0E0000h and 0FFFFFh, on 16-byte
/// boundaries).
pub const BIOS_AREA_START: u64 = 0xE_0000;
/// The end of that area (exclusive).
pub const BIOS_AREA_END: u64 = 0x10_0000;
/// The RSDP's alignment.
pub const RSDP_ALIGN: u64 = 16;
/// Bytes of a revision-2 RSDP (§5.2.5.3).
pub const RSDP_LEN: u64 = 36;
/// Most vCPUs the tables describe: Processor Local APIC structures carry
/// 8-bit APIC IDs and 0xFF is the broadcast ID (beyond it a guest needs
/// x2APIC structures, which are not written).
pub const MAX_CPUS: u32 = 255;
/// ISA IRQs are 0 to 15.
const ISA_IRQS: u8 = 16;

/// Why [`super::build`] made no tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcpiError {
    /// `cpus` is 0.
    NoCpus,
    /// More than [`MAX_CPUS`] vCPUs.
    TooManyCpus(u32),
    /// The window's base (where the RSDP goes) is not 16-byte aligned.
    Misaligned(u64),
    /// The RSDP at this address would not lie inside
    /// [`BIOS_AREA_START`]..[`BIOS_AREA_END`], where guests scan.
    RsdpOutsideBiosArea(u64),
    /// The tables need `need` bytes; the window has `window`.
    TooBig {
        /// Bytes the tables take, padding included.
        need: u64,
        /// Bytes the caller gave.
        window: u64,
    },
    /// The I/O APIC has no pins, or its GSIs run past `u32::MAX`.
    IoApicPins(u32),
    /// An override of an IRQ that is not an ISA IRQ (0 to 15).
    OverrideIrq(u8),
    /// Two overrides of the same ISA IRQ.
    DuplicateOverride(u8),
    /// An override to a GSI that is not one of the I/O APIC's pins.
    OverrideGsi {
        /// The ISA IRQ.
        irq: u8,
        /// Where the override sends it.
        gsi: u32,
    },
    /// The SCI is not an ISA IRQ, or its GSI is not an I/O APIC pin.
    SciIrq(u8),
    /// The PM1a event or control block is at port 0 ("not present"):
    /// a FADT without HW_REDUCED_ACPI must have both.
    NoPm1Block,
    /// More virtio-mmio devices than the DSDT names.
    TooManyDevices(usize),
    /// More shmem devices than the DSDT names.
    TooManyShmems(usize),
    /// A virtio-mmio or shmem device's interrupt is not one of the I/O
    /// APIC's pins.
    DeviceGsi(u32),
    /// A shmem device's region is empty or runs past the address space.
    ShmemRegion(u64),
}

impl fmt::Display for AcpiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            AcpiError::NoCpus => f.write_str("ACPI tables for no vCPUs"),
            AcpiError::TooManyCpus(n) => {
                write!(f, "{n} vCPUs: the MADT describes at most {MAX_CPUS}")
            }
            AcpiError::Misaligned(a) => write!(f, "ACPI tables at {a:#x}: not 16-byte aligned"),
            AcpiError::RsdpOutsideBiosArea(a) => write!(
                f,
                "an RSDP at {a:#x} is outside {BIOS_AREA_START:#x}-{:#x}",
                BIOS_AREA_END - 1
            ),
            AcpiError::TooBig { need, window } => write!(
                f,
                "the ACPI tables need {need:#x} bytes, the window has {window:#x}"
            ),
            AcpiError::IoApicPins(n) => write!(f, "an I/O APIC with {n} pins"),
            AcpiError::OverrideIrq(irq) => write!(f, "an override of IRQ {irq}, not an ISA IRQ"),
            AcpiError::DuplicateOverride(irq) => write!(f, "two overrides of ISA IRQ {irq}"),
            AcpiError::OverrideGsi { irq, gsi } => {
                write!(f, "ISA IRQ {irq} overridden to GSI {gsi}: no I/O APIC pin")
            }
            AcpiError::SciIrq(irq) => write!(f, "SCI on IRQ {irq}: not an I/O APIC pin"),
            AcpiError::NoPm1Block => f.write_str("no PM1a event or control block"),
            AcpiError::TooManyDevices(n) => {
                write!(
                    f,
                    "{n} virtio devices: the DSDT names at most {MAX_DEVICES}"
                )
            }
            AcpiError::TooManyShmems(n) => {
                write!(f, "{n} shmem devices: the DSDT names at most {MAX_SHMEMS}")
            }
            AcpiError::DeviceGsi(gsi) => {
                write!(f, "a device on GSI {gsi}: no I/O APIC pin")
            }
            AcpiError::ShmemRegion(at) => {
                write!(
                    f,
                    "a shmem region at {at:#x}: empty or past the address space"
                )
            }
        }
    }
}

/// Whether `m` can be described.
pub fn check_machine(m: &AcpiMachine) -> Result<(), AcpiError> {
    match m.cpus {
        0 => return Err(AcpiError::NoCpus),
        n if n > MAX_CPUS => return Err(AcpiError::TooManyCpus(n)),
        _ => {}
    }
    let io = &m.ioapic;
    let gsi_end = io.gsi_base.checked_add(io.pins).filter(|_| io.pins > 0);
    let gsi_end = gsi_end.ok_or(AcpiError::IoApicPins(io.pins))?;
    let pin = |gsi: u32| (io.gsi_base..gsi_end).contains(&gsi);
    for (i, o) in m.overrides.iter().enumerate() {
        if o.irq >= ISA_IRQS {
            return Err(AcpiError::OverrideIrq(o.irq));
        }
        if m.overrides[..i].iter().any(|p| p.irq == o.irq) {
            return Err(AcpiError::DuplicateOverride(o.irq));
        }
        if !pin(o.gsi) {
            let (irq, gsi) = (o.irq, o.gsi);
            return Err(AcpiError::OverrideGsi { irq, gsi });
        }
    }
    if m.sci_irq >= ISA_IRQS || !pin(m.isa_gsi(m.sci_irq)) {
        return Err(AcpiError::SciIrq(m.sci_irq));
    }
    if m.pm.pm1a_evt == 0 || m.pm.pm1a_cnt == 0 {
        return Err(AcpiError::NoPm1Block);
    }
    if m.virtio.len() > MAX_DEVICES {
        return Err(AcpiError::TooManyDevices(m.virtio.len()));
    }
    if let Some(d) = m.virtio.iter().find(|d| !pin(d.gsi)) {
        return Err(AcpiError::DeviceGsi(d.gsi));
    }
    if m.shmem.len() > MAX_SHMEMS {
        return Err(AcpiError::TooManyShmems(m.shmem.len()));
    }
    if let Some(d) = m.shmem.iter().find(|d| !pin(d.gsi)) {
        return Err(AcpiError::DeviceGsi(d.gsi));
    }
    if let Some(d) = m
        .shmem
        .iter()
        .find(|d| d.size == 0 || d.region.checked_add(d.size).is_none())
    {
        return Err(AcpiError::ShmemRegion(d.region));
    }
    Ok(())
}

/// Whether an RSDP at `base` is where guests look for it: 16-byte
/// aligned, all of its bytes inside the BIOS area.
pub fn check_base(base: u64) -> Result<(), AcpiError> {
    if !base.is_multiple_of(RSDP_ALIGN) {
        return Err(AcpiError::Misaligned(base));
    }
    if !(BIOS_AREA_START..=BIOS_AREA_END - RSDP_LEN).contains(&base) {
        return Err(AcpiError::RsdpOutsideBiosArea(base));
    }
    Ok(())
}

/// Whether `need` bytes of tables fit a window of `window` bytes.
pub fn check_fits(need: u64, window: u64) -> Result<(), AcpiError> {
    if need > window {
        return Err(AcpiError::TooBig { need, window });
    }
    Ok(())
}
