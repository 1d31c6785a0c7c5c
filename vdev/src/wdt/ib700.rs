//! The watchdog of the IB700 single-board computer, as Linux's
//! `ib700wdt` driver (drivers/watchdog/ib700wdt.c) describes and drives
//! it and QEMU's `ib700` model (hw/watchdog/wdt_ib700.c) emulates it: two
//! write-only I/O ports.
//!
//! - Port 0x443 (offset 2): a write starts the watchdog, or restarts it,
//!   with the timeout its low 4 bits select from the board's table:
//!   value `v` gives `30 - 2v` seconds (0 gives 30 s, 0xF gives 0 s).
//!   Linux writes `15 - (timeout + 1) / 2` on open and on every ping.
//! - Port 0x441 (offset 0): a write of any value stops it.
//! - When the timeout runs out the board resets the machine: the
//!   watchdog bites ([`Watchdog::bite`]); 0 s bites at once. The board's
//!   20 % tolerance is not modelled: the timeout is exact.
//!
//! The window is 4 ports from 0x441 (0x441-0x444, as QEMU decodes it), so
//! the manual's 16-bit `OUT DX,AX` reaches either port. A write of N
//! bytes is N byte writes in address order (as QEMU splits it); bytes
//! for 0x442 and 0x444 are ignored. The board has no readable register
//! and no interrupt: a read gives all ones (nothing drives the bus).
//! Accesses of 1, 2 or 4 bytes inside the window are taken, any other is
//! [`Fault::Unsupported`].

use super::bite::{Bite, Watchdog};
use crate::{Clock, Fault, Vdev};
use alloc::boxed::Box;

/// Offset of the stop port (0x441) from the window's base.
pub const STOP: u64 = 0;
/// Offset of the start port (0x443) from the window's base.
pub const START: u64 = 2;
/// The window's first port.
pub const BASE_PORT: u64 = 0x441;

const NS_PER_S: u64 = 1_000_000_000;

/// The timeout, in seconds, that the value `v` written to the start
/// port selects (its low 4 bits).
pub fn timeout_seconds(v: u8) -> u32 {
    30 - 2 * u32::from(v & 0xF)
}

/// An IB700 watchdog counting on a [`Clock`].
pub struct Ib700 {
    clock: Box<dyn Clock>,
    /// Started: the clock time it bites at and its timeout in seconds.
    armed: Option<(u64, u32)>,
}

impl Ib700 {
    /// Ports to map from [`BASE_PORT`].
    pub const SIZE: u64 = 4;

    /// A stopped watchdog on `clock`.
    pub fn new(clock: Box<dyn Clock>) -> Self {
        Ib700 { clock, armed: None }
    }

    /// Whether it is counting, and with which timeout in seconds.
    pub fn timeout(&self) -> Option<u32> {
        self.armed.map(|(_, s)| s)
    }

    fn write_byte(&mut self, port: u64, value: u8) {
        match port {
            STOP => self.armed = None,
            START => {
                let seconds = timeout_seconds(value);
                let deadline = self
                    .clock
                    .now_ns()
                    .saturating_add(u64::from(seconds) * NS_PER_S);
                self.armed = Some((deadline, seconds));
            }
            _ => {}
        }
    }
}

/// Whether an access of `size` bytes at `offset` is one the window takes.
fn fits(offset: u64, size: usize) -> bool {
    matches!(size, 1 | 2 | 4) && offset.saturating_add(size as u64) <= Ib700::SIZE
}

impl Vdev for Ib700 {
    fn kind(&self) -> &'static str {
        "wdt-ib700"
    }

    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault> {
        if !fits(offset, size) {
            return Err(Fault::Unsupported);
        }
        Ok(u64::MAX >> (64 - 8 * size))
    }

    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault> {
        if !fits(offset, size) {
            return Err(Fault::Unsupported);
        }
        for i in 0..size as u64 {
            self.write_byte(offset + i, (value >> (8 * i)) as u8);
        }
        Ok(())
    }
}

impl Watchdog for Ib700 {
    fn bite(&self) -> Option<Bite> {
        let (deadline, seconds) = self.armed?;
        (self.clock.now_ns() >= deadline).then_some(Bite::Ib700 { seconds })
    }

    fn next_event_ns(&self) -> Option<u64> {
        self.armed.map(|(deadline, _)| deadline)
    }
}
