//! What a board description (the device tree today; ACPI tables later)
//! says about the parts the architecture code drives itself: the interrupt
//! controller and how to call the firmware. The kernel reads the rest
//! (RAM, CPUs, the console) and hands these to the platform.

/// The interrupt controller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum GicInfo {
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
