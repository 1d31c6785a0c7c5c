//! How the kernel's spin locks wait: the strategy the kernel lock, the
//! console lock and the heap lock share, below everything that takes them.

use crate::hw::Arch;
use arch::Cpu;

/// How a CPU waits for the kernel lock: the architecture's spin-wait hint
/// (`YIELD`) rather than `spin`'s default (an `ISB` on aarch64), so that
/// under QEMU's one-thread `-icount` the waiting CPU hands its turn to the
/// holder instead of spinning it out (which the benchmarks would count as
/// guest time).
pub struct SpinHint;

impl spin::RelaxStrategy for SpinHint {
    fn relax() {
        Arch::spin_hint();
    }
}
