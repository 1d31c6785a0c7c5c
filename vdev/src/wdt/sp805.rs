//! The ARM PrimeCell watchdog module (SP805), as in the ARM Watchdog
//! Module (SP805) Technical Reference Manual, ARM DDI 0270B.
//!
//! What the model does (TRM 2.2 "Functional operation", 3.3 "Register
//! descriptions"):
//! - A 32-bit counter counts down from `WdogLoad` at the clock rate the
//!   model was made with (`WDOGCLK`; `qvm`'s `frequency`), reading the
//!   [`Clock`] when asked: it runs while `WdogControl.INTEN` is set.
//!   Setting INTEN (from 0), writing `WdogLoad` and writing `WdogIntClr`
//!   reload it from `WdogLoad`; clearing INTEN holds its value.
//! - When the counter reaches 0 the interrupt is set (`WdogRIS`) and on
//!   the next clock edge the counter reloads and counts on; each count is
//!   thus `WdogLoad + 1` clock periods. If it reaches 0 again with the
//!   interrupt still set, the reset output is asserted and the counter
//!   stops at 0; with `WdogControl.RESEN` set the watchdog bites
//!   ([`Watchdog::bite`]). The reset stays asserted (a machine reset
//!   would clear it; in a VM that is the owner's action), so setting
//!   RESEN later bites at once, and setting INTEN again restarts the
//!   counter; QEMU's CMSDK APB watchdog, which follows the same TRM text,
//!   does the same. `WdogLoad` 0 sets the interrupt at once and resets
//!   one clock period later (Linux's `sp805_wdt` restarts a machine so).
//! - The interrupt line ([`Vdev::irq_level`]) is `WdogMIS`: the
//!   interrupt with INTEN set. Linux's driver never takes it; it clears
//!   it (and so reloads the counter) on every ping.
//! - `WdogLock`: [`regs::LOCK_KEY`] allows writes to the other registers,
//!   any other value (or a part of one, in a narrow write) forbids them;
//!   it reads 1 while locked. The model starts unlocked.
//! - Integration test registers: `WdogITCR` bit 0 puts the outputs under
//!   `WdogITOP`: the line is then `WDOGINT`, and `WDOGRES` bites (a reset
//!   output set by hand resets the machine as surely as a counted one);
//!   `WdogRIS`, `WdogMIS` and the counter go on as before. `WdogITOP` is
//!   write-only and reads 0.
//! - Identification: `WdogPeriphID0..3` = 0x05, 0x18, 0x14, 0x00
//!   ([`regs::PERIPH_ID`]), `WdogPCellID0..3` = 0x0D, 0xF0, 0x05, 0xB1.
//! - Accesses: 8-, 16- and 32-bit, aligned, in the 4 KiB window
//!   ([`Lane`]); a narrow write changes its bytes of the register.
//!   Reserved bits read 0; write-only registers and offsets with no
//!   register read 0 and ignore writes; 64-bit and misaligned accesses
//!   are [`Fault::Unsupported`].

pub mod regs;

use super::bite::{Bite, Watchdog};
use crate::mmio::{Lane, primecell_id};
use crate::{Clock, Fault, Vdev};
use alloc::boxed::Box;
use regs::*;

const NS_PER_S: u128 = 1_000_000_000;

/// The counter: held (INTEN clear, or stopped by the reset) or counting
/// down from `WdogLoad` since a clock time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Count {
    /// Not counting, at this value.
    Held(u32),
    /// Reloaded from `WdogLoad` at this clock time, counting.
    Since(u64),
}

/// The counter's state at one moment.
#[derive(Clone, Copy, Debug)]
struct Now {
    value: u32,
    /// The raw interrupt (`WdogRIS`).
    int: bool,
    /// When the reset output went up, if it did.
    reset_at: Option<u64>,
    /// Whether the counter is counting (not held, not stopped by a
    /// reset).
    counting: bool,
}

/// An SP805 watchdog counting on a [`Clock`].
pub struct Sp805 {
    clock: Box<dyn Clock>,
    hz: u64,
    load: u32,
    control: u32,
    locked: bool,
    itcr: u32,
    itop: u32,
    count: Count,
    /// The raw interrupt when `count` last changed.
    int: bool,
    /// When the reset output went up, once `count` last changed.
    reset_at: Option<u64>,
}

impl Sp805 {
    /// Size of the register window to map on the bus.
    pub const SIZE: u64 = WINDOW;

    /// A watchdog in its reset state (counter held at 0xFFFFFFFF,
    /// unlocked) whose counter counts `hz` times a second (at least 1)
    /// on `clock`.
    pub fn new(clock: Box<dyn Clock>, hz: u64) -> Self {
        Sp805 {
            clock,
            hz: hz.max(1),
            load: LOAD_RESET,
            control: 0,
            locked: false,
            itcr: 0,
            itop: 0,
            count: Count::Held(LOAD_RESET),
            int: false,
            reset_at: None,
        }
    }

    /// The counter's clock rate.
    pub fn hz(&self) -> u64 {
        self.hz
    }

    /// Whole clock periods from `since` to `now`.
    fn ticks(&self, since: u64, now: u64) -> u64 {
        let ns = u128::from(now.saturating_sub(since));
        u64::try_from(ns * u128::from(self.hz) / NS_PER_S).unwrap_or(u64::MAX)
    }

    /// The clock time of the `n`th clock edge after `since`.
    fn edge(&self, since: u64, n: u64) -> u64 {
        let ns = (u128::from(n) * NS_PER_S).div_ceil(u128::from(self.hz));
        since.saturating_add(u64::try_from(ns).unwrap_or(u64::MAX))
    }

    /// The edges after a reload at which the counter reaches 0 the first
    /// time and the time it asserts the reset: with the interrupt clear
    /// at the reload, 0 sets it after `load` edges, the reload takes one
    /// more and the next 0 (the reset) comes `load` after that; with it
    /// set, the first 0 is the reset.
    fn zeros(&self) -> (u64, u64) {
        let load = u64::from(self.load);
        if self.int {
            (load, load)
        } else {
            (load, 2 * load + 1)
        }
    }

    /// The counter, interrupt and reset at clock time `now`.
    fn at(&self, now: u64) -> Now {
        let since = match self.count {
            Count::Held(value) => {
                return Now {
                    value,
                    int: self.int,
                    reset_at: self.reset_at,
                    counting: false,
                };
            }
            Count::Since(since) => since,
        };
        let n = self.ticks(since, now);
        let load = u64::from(self.load);
        let (first, reset) = self.zeros();
        if n >= reset {
            return Now {
                value: 0,
                int: true,
                reset_at: self.reset_at.or(Some(self.edge(since, reset))),
                counting: false,
            };
        }
        let (value, int) = match n.cmp(&first) {
            core::cmp::Ordering::Less => (load - n, self.int),
            core::cmp::Ordering::Equal => (0, true),
            // Reloaded one edge after the first 0, and on down.
            core::cmp::Ordering::Greater => (reset - n, true),
        };
        Now {
            value: value as u32,
            int,
            reset_at: self.reset_at,
            counting: true,
        }
    }

    fn now(&self) -> Now {
        self.at(self.clock.now_ns())
    }

    /// Takes the state `now` (at clock time `at`) as the new starting
    /// point: the counter reloaded there and counting, or held at its
    /// value.
    fn restart(&mut self, now: Now, at: u64, counting: bool) {
        self.int = now.int;
        self.reset_at = now.reset_at;
        self.count = if counting {
            Count::Since(at)
        } else {
            Count::Held(now.value)
        };
    }

    /// Reloads the counter from `WdogLoad` at `now` (clock time `at`):
    /// counting on if it was, else held at the new value (as QEMU's
    /// model: a counter the reset stopped stays stopped).
    fn reload(&mut self, now: Now, at: u64) {
        self.restart(now, at, now.counting);
        if !now.counting {
            self.count = Count::Held(self.load);
        }
    }

    /// A write of `value` into register `reg` (the whole new register
    /// value; `lane` says which bytes the guest wrote).
    fn write_reg(&mut self, reg: u64, lane: Lane, value: u64) {
        let t = self.clock.now_ns();
        let now = self.at(t);
        match reg {
            WDOG_LOCK => self.locked = lane.merge(0, value) != LOCK_KEY,
            _ if self.locked => {}
            WDOG_LOAD => {
                self.load = lane.merge(self.load, value);
                // "Writing to WdogLoad causes the counter to immediately
                // restart from the new value."
                self.reload(now, t);
            }
            WDOG_CONTROL => {
                let old = self.control;
                self.control = lane.merge(old, value) & CONTROL_MASK;
                let enabled = self.control & !old & CONTROL_INTEN != 0;
                let disabled = old & !self.control & CONTROL_INTEN != 0;
                if enabled {
                    // Counting again, from WdogLoad (also after a reset).
                    self.restart(now, t, true);
                } else if disabled {
                    self.restart(now, t, false);
                }
            }
            WDOG_INTCLR => {
                self.reload(now, t);
                self.int = false;
            }
            WDOG_ITCR => self.itcr = lane.merge(self.itcr, value) & ITCR_ENABLE,
            WDOG_ITOP => self.itop = lane.merge(self.itop, value) & ITOP_MASK,
            _ => {} // read-only, identification, or nothing
        }
    }

    fn read_reg(&self, reg: u64) -> u32 {
        let bit = |on: bool| u32::from(on);
        match reg {
            WDOG_LOAD => self.load,
            WDOG_VALUE => self.now().value,
            WDOG_CONTROL => self.control,
            WDOG_RIS => bit(self.now().int) * INT_STATUS,
            WDOG_MIS => bit(self.now().int && self.control & CONTROL_INTEN != 0) * INT_STATUS,
            WDOG_LOCK => bit(self.locked) * LOCK_LOCKED,
            WDOG_ITCR => self.itcr,
            _ => primecell_id(reg, PERIPH_ID).unwrap_or(0),
        }
    }
}

impl Vdev for Sp805 {
    fn kind(&self) -> &'static str {
        "wdt-sp805"
    }

    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault> {
        let lane = Lane::of32(offset, size, WINDOW)?;
        Ok(lane.extract(self.read_reg(lane.reg)))
    }

    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault> {
        let lane = Lane::of32(offset, size, WINDOW)?;
        self.write_reg(lane.reg, lane, value);
        Ok(())
    }

    fn irq_level(&self) -> bool {
        if self.itcr & ITCR_ENABLE != 0 {
            return self.itop & ITOP_WDOGINT != 0;
        }
        self.control & CONTROL_INTEN != 0 && self.now().int
    }
}

impl Watchdog for Sp805 {
    fn bite(&self) -> Option<Bite> {
        if self.itcr & ITCR_ENABLE != 0 {
            return (self.itop & ITOP_WDOGRES != 0).then_some(Bite::Sp805TestOutput);
        }
        let reset = self.control & CONTROL_RESEN != 0 && self.now().reset_at.is_some();
        reset.then_some(Bite::Sp805Counter {
            load: self.load,
            hz: self.hz,
        })
    }

    fn next_event_ns(&self) -> Option<u64> {
        if self.itcr & ITCR_ENABLE != 0 {
            return None; // the outputs follow WdogITOP, written by the guest
        }
        let t = self.clock.now_ns();
        let now = self.at(t);
        let resen = self.control & CONTROL_RESEN != 0;
        if resen && now.reset_at.is_some() {
            return Some(t);
        }
        let Count::Since(since) = self.count else {
            return None;
        };
        if !now.counting {
            return None;
        }
        let (first, reset) = self.zeros();
        if !now.int {
            Some(self.edge(since, first))
        } else if resen {
            Some(self.edge(since, reset))
        } else {
            None // the counter stops at the next 0; nothing shows it
        }
    }
}
