//! What every CPU needs to know for the run, set by the boot CPU once all
//! CPUs are up, and the go signal.

use crate::gicregs::Gic;
use core::sync::atomic::{AtomicBool, Ordering};
use gsupport::sync::IrqMutex;

/// The run's parameters (counter ticks where a time).
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// CPUs taking part (numbers 0 to `cpus - 1`).
    pub cpus: usize,
    /// The counter value at which the CPUs stop.
    pub deadline: u64,
    /// The virtual timer's period.
    pub period: u64,
    /// How long an awaited answer may take before it counts as lost.
    pub lost: u64,
    /// The PL011's base address, if there is one.
    pub uart: Option<usize>,
    /// The GIC and its known answers.
    pub gic: Gic,
}

static CONFIG: IrqMutex<Option<Config>> = IrqMutex::new(None);
static GO: AtomicBool = AtomicBool::new(false);

/// Publishes `config` and lets the CPUs go (boot CPU).
pub fn go(config: Config) {
    CONFIG.with(|c| *c = Some(config));
    GO.store(true, Ordering::SeqCst);
}

/// Waits for [`go`] and returns the configuration.
pub fn wait() -> Config {
    while !GO.load(Ordering::SeqCst) {
        core::hint::spin_loop();
    }
    CONFIG
        .with(|c| *c)
        .expect("the configuration is set before GO")
}
