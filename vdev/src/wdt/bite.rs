//! What a watchdog model tells its owner: [`Watchdog`], and why it bit,
//! [`Bite`] (apart from `mod.rs`, which re-exports them and the models,
//! so that the models import no file that imports them).

use crate::Vdev;
use core::fmt;

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
