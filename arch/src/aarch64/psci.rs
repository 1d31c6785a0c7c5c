//! PSCI calls to the firmware (or QEMU's built-in PSCI) through the conduit
//! the device tree names.

use smccc::{Hvc, Smc, psci};

/// How PSCI is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conduit {
    /// `smc #0`.
    Smc,
    /// `hvc #0`: only valid from below EL2, so a kernel at EL2 cannot use it.
    Hvc,
}

/// Starts the CPU with affinity `mpidr` at physical address `entry` with
/// `context` in x0.
pub fn cpu_on(
    conduit: Conduit,
    mpidr: u64,
    entry: usize,
    context: usize,
) -> Result<(), psci::error::Error> {
    match conduit {
        Conduit::Smc => psci::cpu_on::<Smc>(mpidr, entry as u64, context as u64),
        Conduit::Hvc => psci::cpu_on::<Hvc>(mpidr, entry as u64, context as u64),
    }
}

/// Powers the machine off; returns only if that failed.
pub fn system_off(conduit: Conduit) {
    let _ = match conduit {
        Conduit::Smc => psci::system_off::<Smc>(),
        Conduit::Hvc => psci::system_off::<Hvc>(),
    };
}

/// Resets the machine; returns only if that failed.
pub fn system_reset(conduit: Conduit) {
    let _ = match conduit {
        Conduit::Smc => psci::system_reset::<Smc>(),
        Conduit::Hvc => psci::system_reset::<Hvc>(),
    };
}
