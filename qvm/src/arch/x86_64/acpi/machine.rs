//! What the ACPI tables describe: [`AcpiMachine`], the VM's processors,
//! interrupt controllers, fixed power-management ports and reset register,
//! and the PC's usual values for them ([`AcpiMachine::pc`]).

use alloc::vec;
use alloc::vec::Vec;

use super::devices::VirtioMmio;
use super::shmem::SharedMemory;

/// Where the local APICs are (the architectural default of
/// IA32_APIC_BASE).
pub const LAPIC_BASE: u32 = 0xFEE0_0000;
/// Where the I/O APIC is on a PC.
pub const IOAPIC_BASE: u32 = 0xFEC0_0000;
/// Input pins of the usual I/O APIC (the 82093AA's 24).
pub const IOAPIC_PINS: u32 = 24;
/// First I/O port of the PM1 register block: PM1a_EVT_BLK here, then
/// PM1a_CNT_BLK at +4 and PM_TMR_BLK at +8 ([`PmPorts::block`]), the
/// layout of `vdev::pc::acpi_pm`.
pub const PM_BASE: u16 = 0x600;
/// The PC's Reset Control Register (I/O port 0xCF9).
pub const RESET_PORT: u16 = 0xCF9;
/// What resets the machine through [`RESET_PORT`]: SYS_RST | RST_CPU.
pub const RESET_VALUE: u8 = 0x06;
/// The ISA IRQ of the System Control Interrupt on a PC.
pub const SCI_IRQ: u8 = 9;
/// The RTC's CMOS index of the century byte (what `vdev::pc::rtc` keeps
/// there), for the FADT's CENTURY field.
pub const RTC_CENTURY_INDEX: u8 = 0x32;

/// The polarity of an interrupt input: bits 1:0 of the MPS INTI flags
/// (ACPI 6.4 §5.2.12.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Polarity {
    /// As the bus specifies (ISA: active high).
    Conforming = 0b00,
    /// Active high.
    ActiveHigh = 0b01,
    /// Active low.
    ActiveLow = 0b11,
}

/// The trigger mode of an interrupt input: bits 3:2 of the MPS INTI
/// flags (ACPI 6.4 §5.2.12.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// As the bus specifies (ISA: edge).
    Conforming = 0b00,
    /// Edge-triggered.
    Edge = 0b01,
    /// Level-triggered.
    Level = 0b11,
}

/// The MPS INTI flags word of a polarity and trigger mode.
pub fn inti_flags(polarity: Polarity, trigger: Trigger) -> u16 {
    (polarity as u16) | (trigger as u16) << 2
}

/// The VM's one I/O APIC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IoApic {
    /// Its I/O APIC ID (what its IOAPICID register reads).
    pub id: u8,
    /// Guest-physical address of its registers.
    pub base: u32,
    /// The global system interrupt of its pin 0.
    pub gsi_base: u32,
    /// Its number of input pins (redirection entries), at least 1.
    pub pins: u32,
}

/// An ISA interrupt that does not reach the I/O APIC pin of the same
/// number, or not with ISA's edge/high signalling: one Interrupt Source
/// Override of the MADT (ACPI 6.4 §5.2.12.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Override {
    /// The ISA IRQ (0 to 15).
    pub irq: u8,
    /// The global system interrupt it is wired to.
    pub gsi: u32,
    /// Its polarity.
    pub polarity: Polarity,
    /// Its trigger mode.
    pub trigger: Trigger,
}

/// The fixed ACPI registers' I/O ports (ACPI 6.4 §4.8.4): the PM1a
/// event and control blocks and the optional PM timer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PmPorts {
    /// PM1a_EVT_BLK: PM1_STS then PM1_EN, 2 bytes each.
    pub pm1a_evt: u16,
    /// PM1a_CNT_BLK: PM1_CNT, 2 bytes.
    pub pm1a_cnt: u16,
    /// PM_TMR_BLK: the 32-bit PM timer, if the VM has one.
    pub pm_tmr: Option<u16>,
}

impl PmPorts {
    /// The three blocks in one run of 12 ports from `base`, as
    /// `vdev::pc::AcpiPm` lays them out: events at `base`, control at
    /// `base + 4`, the timer at `base + 8`.
    pub const fn block(base: u16) -> PmPorts {
        PmPorts {
            pm1a_evt: base,
            pm1a_cnt: base.wrapping_add(4),
            pm_tmr: Some(base.wrapping_add(8)),
        }
    }
}

/// The reset register of the FADT (ACPI 6.4 §5.2.9 RESET_REG): an I/O port and
/// the byte that resets the machine when written there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetReg {
    /// The I/O port (one byte wide).
    pub port: u16,
    /// The value to write (RESET_VALUE).
    pub value: u8,
}

/// The legacy devices the FADT's IA-PC boot architecture flags (ACPI 6.4
/// §5.2.9.3) tell the guest about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Legacy {
    /// There are ISA/LPC devices the OS may find without ACPI (COM ports,
    /// the RTC, the PIT): LEGACY_DEVICES.
    pub isa_devices: bool,
    /// There is an 8042 keyboard controller at ports 0x60/0x64: 8042.
    pub i8042: bool,
    /// There is a VGA at its legacy addresses (if not: VGA Not Present).
    pub vga: bool,
    /// The OS may enable MSIs (if not: MSI Not Supported).
    pub msi: bool,
    /// There is an MC146818 RTC with CMOS (if not: CMOS RTC Not Present).
    pub cmos_rtc: bool,
}

/// Everything the ACPI tables of a VM describe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AcpiMachine {
    /// vCPUs, 1 to 255: one Processor Local APIC entry each, ACPI
    /// processor UID and local APIC ID both `0..cpus`.
    pub cpus: u32,
    /// Guest-physical address of the local APICs.
    pub lapic_base: u32,
    /// The I/O APIC.
    pub ioapic: IoApic,
    /// ISA interrupts routed elsewhere than their own I/O APIC pin.
    pub overrides: Vec<Override>,
    /// The fixed PM register ports.
    pub pm: PmPorts,
    /// The reset register, if the VM resets through one.
    pub reset: Option<ResetReg>,
    /// The ISA IRQ of the SCI (SCI_INT: the FADT gives the 8259 vector
    /// number since the MADT says 8259s are present; an [`Override`] for
    /// it gives its GSI and signalling).
    pub sci_irq: u8,
    /// The CMOS index of the RTC's century byte (FADT CENTURY), 0 for
    /// none.
    pub century: u8,
    /// What legacy hardware there is.
    pub legacy: Legacy,
    /// The virtio-mmio devices the DSDT lists.
    pub virtio: Vec<VirtioMmio>,
    /// The `vdev shmem` devices the DSDT lists.
    pub shmem: Vec<SharedMemory>,
    /// OEM ID of every table and of the RSDP.
    pub oem_id: [u8; 6],
    /// OEM table ID of every table.
    pub oem_table_id: [u8; 8],
    /// OEM revision of every table.
    pub oem_revision: u32,
}

impl AcpiMachine {
    /// A PC with `cpus` vCPUs as `qvm` builds it: local APICs at
    /// [`LAPIC_BASE`], I/O APIC ID 0 at [`IOAPIC_BASE`] with 24 pins from
    /// GSI 0; ISA IRQ 0 (the 8254) on GSI 2, and the SCI (IRQ 9)
    /// level-triggered active-high on GSI 9; the PM block at
    /// [`PM_BASE`] with its timer; reset by writing [`RESET_VALUE`] to
    /// port [`RESET_PORT`]; the RTC's century at [`RTC_CENTURY_INDEX`];
    /// ISA devices, an 8042 and the RTC present, no VGA, no MSIs (nothing
    /// in the VM delivers them); OEM ID "QHV   ", table ID "QHV-PC  ".
    pub fn pc(cpus: u32) -> AcpiMachine {
        AcpiMachine {
            cpus,
            lapic_base: LAPIC_BASE,
            ioapic: IoApic {
                id: 0,
                base: IOAPIC_BASE,
                gsi_base: 0,
                pins: IOAPIC_PINS,
            },
            overrides: vec![
                Override {
                    irq: 0,
                    gsi: 2,
                    polarity: Polarity::Conforming,
                    trigger: Trigger::Conforming,
                },
                Override {
                    irq: SCI_IRQ,
                    gsi: u32::from(SCI_IRQ),
                    polarity: Polarity::ActiveHigh,
                    trigger: Trigger::Level,
                },
            ],
            pm: PmPorts::block(PM_BASE),
            reset: Some(ResetReg {
                port: RESET_PORT,
                value: RESET_VALUE,
            }),
            sci_irq: SCI_IRQ,
            century: RTC_CENTURY_INDEX,
            legacy: Legacy {
                isa_devices: true,
                i8042: true,
                vga: false,
                msi: false,
                cmos_rtc: true,
            },
            virtio: Vec::new(),
            shmem: Vec::new(),
            oem_id: *b"QHV   ",
            oem_table_id: *b"QHV-PC  ",
            oem_revision: 1,
        }
    }

    /// The GSI that ISA IRQ `irq` reaches: its override's, else its own
    /// number (ACPI 6.4 §5.2.12.5: ISA IRQs without an override are
    /// identity-mapped).
    pub fn isa_gsi(&self, irq: u8) -> u32 {
        self.overrides
            .iter()
            .find(|o| o.irq == irq)
            .map_or(u32::from(irq), |o| o.gsi)
    }
}
