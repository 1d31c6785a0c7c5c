//! The board's devices as the kernel hands them out: every device region
//! of the firmware's device tree (one per `reg` entry, `device`), those the
//! kernel uses itself marked as never handed out (`dt`), what a selector
//! names (`select`), which process or VM has taken each region (`table`),
//! and the interrupts attached by host drivers (`irqs`). Pure logic,
//! tested on the build host; the system calls and the hardware are the
//! kernel binary's.

mod device;
mod dt;
mod irqs;
mod select;
mod table;

pub use device::Device;
pub use dt::{KernelUse, scan};
pub use irqs::{FIRST_SPI, IrqLine, IrqLines, check_irq};
pub use select::Selector;
pub use table::{Devices, Holder};
