//! Watchdogs: a timer the guest must restart ("pet", "kick") before it
//! runs out, or the machine is reset. In a VM the reset is `qvm`'s to
//! carry out as the configuration's `action` says (QNX's: end the VM).
//!
//! - [`sp805`]: [`Sp805`], the ARM PrimeCell SP805 watchdog (vdev
//!   `wdt-sp805`, ARM guests, MMIO).
//! - [`ib700`]: [`Ib700`], the IB700 single-board computer's watchdog as
//!   Linux's `ib700wdt` and QEMU's `ib700` model it (vdev `wdt-ib700`,
//!   x86 guests, I/O ports 0x441-0x444).
//!
//! Both count on the [`Clock`](crate::Clock) they were made with and
//! decide nothing by themselves: the owner asks [`Watchdog::bite`]
//! whether the reset output is up, and sleeps until
//! [`Watchdog::next_event_ns`] (the interrupt or the bite) so that they
//! happen on time whether or not the guest touches the device.

pub mod ib700;
pub mod sp805;

use crate::Vdev;
use core::any::Any;
use core::fmt;

pub use ib700::Ib700;
pub use sp805::Sp805;

/// What a watchdog model tells its owner besides its registers.
pub trait Watchdog: Vdev {
    /// Why the watchdog's reset output is asserted by now, if it is: the
    /// owner then carries out the configured action.
    fn bite(&self) -> Option<Bite>;

    /// The clock time at which the model next changes by itself (its
    /// interrupt rises or it bites; now if a bite is due); `None` if
    /// nothing is counting towards either.
    fn next_event_ns(&self) -> Option<u64>;
}

/// Why a watchdog bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bite {
    /// The SP805's counter reached 0 a second time with its interrupt not
    /// cleared, its reset output enabled (`WdogControl.RESEN`): `load`
    /// was `WdogLoad` then, counted at `hz`.
    Sp805Counter {
        /// `WdogLoad` at the bite.
        load: u32,
        /// The counter's clock.
        hz: u64,
    },
    /// The SP805's reset output was driven through its integration test
    /// registers (`WdogITCR` set, `WdogITOP.WDOGRES` written 1).
    Sp805TestOutput,
    /// The IB700 was not restarted within its timeout.
    Ib700 {
        /// The timeout last written to port 0x443, in seconds.
        seconds: u32,
    },
}

impl fmt::Display for Bite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Bite::Sp805Counter { load, hz } => {
                // Each count is WdogLoad + 1 clock periods.
                let ms = (u128::from(load) + 1) * 1000 / u128::from(hz.max(1));
                write!(
                    f,
                    "the SP805's counter reached 0 twice without its interrupt being cleared \
                     (WdogLoad {load:#x} at {hz} Hz: 2 x {ms} ms), its reset output enabled"
                )
            }
            Bite::Sp805TestOutput => f.write_str(
                "the SP805's reset output was set through its integration test registers \
                 (WdogITCR, WdogITOP)",
            ),
            Bite::Ib700 { seconds } => write!(
                f,
                "the IB700 was not restarted within its {seconds} s timeout (I/O port 0x443)"
            ),
        }
    }
}

/// `dev` as a watchdog, if it is one of this module's models.
pub fn as_watchdog(dev: &dyn Vdev) -> Option<&dyn Watchdog> {
    let any: &dyn Any = dev;
    if let Some(d) = any.downcast_ref::<Sp805>() {
        return Some(d);
    }
    any.downcast_ref::<Ib700>().map(|d| d as &dyn Watchdog)
}
