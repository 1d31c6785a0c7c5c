//! What a board description (the device tree on ARM; the boot hand-off
//! and ACPI tables on x86) says about the parts the architecture code
//! drives itself: the interrupt controller and how to call the firmware.
//! The kernel reads the rest (RAM, CPUs, the console) and hands these to
//! the platform.
//!
//! Interrupts are numbered as on the GIC on every architecture: 0-15 are
//! software-generated (IPIs), 16-31 private to a CPU, 32 and up shared
//! device lines. On x86 the platform maps these INTIDs to vectors; a
//! device line is the I/O APIC's global system interrupt (GSI)
//! [`spi_of_gsi`], and the local APIC timer is [`X86_TIMER_PPI`].

/// The private interrupt of the host timer on x86 (the local APIC
/// timer), numbered as the EL2 timer's PPI is on ARM.
pub const X86_TIMER_PPI: u32 = 26;
/// The first shared INTID.
pub const FIRST_SPI: u32 = 32;

/// The INTID of an I/O APIC input, by its global system interrupt.
pub const fn spi_of_gsi(gsi: u32) -> u32 {
    FIRST_SPI + gsi
}

/// An I/O APIC (ACPI MADT type 1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoApicInfo {
    /// Its registers' physical address.
    pub base: usize,
    /// The GSI of its first pin.
    pub gsi_base: u32,
    /// GSIs 0-63 that are active low (bit n: GSI n), from the MADT's
    /// interrupt source overrides; the rest are active high.
    pub active_low: u64,
}

/// UARTs the kernel can drive as its console.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UartKind {
    /// Arm PL011 (`arm,pl011`: QEMU `virt`, the Raspberry Pi 4).
    #[default]
    Pl011,
    /// The Cadence UART of the Zynq UltraScale+ (`cdns,uart-r1p12`,
    /// `xlnx,xuartps`: the ZCU102).
    Cadence,
    /// The mini UART of the BCM2711's auxiliary peripherals
    /// (`brcm,bcm2835-aux-uart`: the Raspberry Pi 4's `serial1` on GPIO
    /// 14/15).
    MiniUart,
    /// A 16550 at an I/O port base (the PC's COM1).
    Ns16550,
}

/// The interrupt controller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IrqControllerInfo {
    /// None found.
    #[default]
    Missing,
    /// GICv2: distributor, CPU interface, and (with the virtualization
    /// extension) the hypervisor control and virtual CPU interfaces.
    V2 {
        gicd: usize,
        gicc: usize,
        gich: Option<usize>,
        gicv: Option<usize>,
    },
    /// GICv3: distributor and the first redistributor region.
    V3 { gicd: usize, gicr: usize },
    /// x86: each CPU's local APIC (at `lapic` in xAPIC mode) and the I/O
    /// APIC of the device lines (the first the MADT lists).
    Apic {
        lapic: usize,
        ioapic: Option<IoApicInfo>,
    },
}

/// How the kernel reaches the firmware and the machine's controls for
/// starting CPUs and powering off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Firmware {
    /// ARM: the PSCI conduit.
    pub psci: PsciMethod,
    /// x86: a free 4 KiB page of RAM below 1 MiB, where other CPUs start
    /// (real mode runs there); `None` leaves them off.
    pub startup_page: Option<usize>,
    /// x86: how ACPI puts the machine in S5 (off), if the tables say.
    pub acpi_off: Option<AcpiSleep>,
}

/// An ACPI sleep state's entry: write SLP_TYP with SLP_EN to the PM1
/// control blocks (ACPI 6.5, 4.8.3.2.1 "PM1 Control Registers").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AcpiSleep {
    /// PM1a_CNT's I/O port.
    pub pm1a_control: u16,
    /// PM1b_CNT's I/O port, if there is one.
    pub pm1b_control: Option<u16>,
    /// SLP_TYPa and SLP_TYPb of the state (from its `\_Sx` object).
    pub sleep_type_a: u8,
    /// See `sleep_type_a`.
    pub sleep_type_b: u8,
}

/// How PSCI is reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PsciMethod {
    /// No PSCI node.
    #[default]
    None,
    /// `smc`.
    Smc,
    /// `hvc`.
    Hvc,
}
