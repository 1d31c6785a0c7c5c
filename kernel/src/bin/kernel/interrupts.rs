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
    /// The interrupt controller version VMs get (that of the hardware's
    /// virtual CPU interface); 0 when there is none.
    pub fn guest_version(&self) -> u64 {
        self.virt_if
            .as_ref()
            .map_or(0, |v| u64::from(v.guest_version()))
    }
}
