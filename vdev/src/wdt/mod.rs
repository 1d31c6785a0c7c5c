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

mod bite;
pub mod ib700;
pub mod sp805;

use crate::Vdev;
use core::any::Any;

pub use bite::{Bite, Watchdog};
pub use ib700::Ib700;
pub use sp805::Sp805;

/// `dev` as a watchdog, if it is one of this module's models.
pub fn as_watchdog(dev: &dyn Vdev) -> Option<&dyn Watchdog> {
    let any: &dyn Any = dev;
    if let Some(d) = any.downcast_ref::<Sp805>() {
        return Some(d);
    }
    any.downcast_ref::<Ib700>().map(|d| d as &dyn Watchdog)
}
