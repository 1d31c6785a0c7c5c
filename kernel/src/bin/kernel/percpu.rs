//! What identifies this CPU to the kernel and the software interrupt CPUs
//! send each other: the bottom layer the scheduler, the kernel state and
//! interrupt handling all use.

use crate::hw::Arch;
use arch::Cpu;

/// The software interrupt asking a CPU to look at its run queue.
pub const SGI_RESCHEDULE: u32 = 0;

/// The CPU we run on.
#[inline]
pub fn this_cpu() -> usize {
    Arch::index()
}
