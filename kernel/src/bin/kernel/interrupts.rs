//! Interrupt routing: the host interrupt controller's driver, the
//! interrupts the kernel takes itself (its timer, the console UART), and
//! the controller's virtual CPU interface for VMs with the number of list
//! registers the kernel uses.

use crate::hw::{IrqChip, VirtIf};
use arch::VirtualCpuInterface;

/// The interrupt controller and where its interrupts go.
pub struct Interrupts {
    /// The host interrupt controller.
    pub chip: IrqChip,
    /// INTID of the kernel's timer.
    pub timer: u32,
    /// INTID of the console UART, if it interrupts.
    pub uart: Option<u32>,
    /// The virtual CPU interface (none: no VMs).
    pub virt_if: Option<VirtIf>,
    /// Its list registers the kernel uses.
    pub lr_count: usize,
}

impl Interrupts {
    /// The interrupt controller VMs get: the GIC version of the
    /// hardware's virtual CPU interface, else the one the kernel emulates
    /// in full (`abi::IRQ_CHIP_APIC`); 0 when the CPU runs no VMs.
    pub fn guest_version(&self) -> u64 {
        match self.virt_if.as_ref() {
            Some(v) => u64::from(v.guest_version()),
            None => <crate::hw::Arch as arch::Virtualization>::emulated_irq_chip().unwrap_or(0),
        }
    }

    /// VMs get a GIC served by the hardware's virtual CPU interface.
    pub fn guest_gic(&self) -> bool {
        self.virt_if.is_some() && self.lr_count != 0
    }
}
