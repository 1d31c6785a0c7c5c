//! The PC's interval timer, an Intel 8254 (datasheet order number 231164),
//! as `qvm`'s `timer8254` vdev: I/O ports 0x40..=0x43, counter 0's OUT on
//! ISA IRQ 0 (I/O APIC pin 2). With it, the PC's NMI status and control
//! register at port 0x61, whose bits 0 and 5 are counter 2's GATE and OUT.
//!
//! # Port 0x61
//!
//! Port 0x61 is not next to the 8254's ports, so `qvm` maps it as a range
//! of its own; but it shares counter 2 with them, and the crate has no
//! lock to share state between two vdevs. So one [`Pit8254`] is both: its
//! [`Vdev`] impl takes ports 0x40..=0x43 (offsets 0..=3), and `qvm` routes
//! 1-byte accesses to port 0x61 to [`Pit8254::port61_read`] and
//! [`Pit8254::port61_write`] (through [`crate::Bus::downcast_mut`]),
//! applying its `unsupported` policy to other sizes itself. Port 0x61:
//! - bit 0 (`TIM_CNT2_EN`) is counter 2's GATE (low at reset); bits 1..=3
//!   (speaker data enable, SERR# and IOCHK# NMI disables) are stored and
//!   read back, nothing more;
//! - bit 4 (`REF_TOGGLE`) toggles at every read, so loops waiting for it
//!   to change make progress; bit 5 (`TMR2_OUT_STS`) is counter 2's OUT;
//!   bits 6 and 7 (NMI sources) read 0.
//!
//! This is what Linux's TSC calibration drives (`pit_calibrate_tsc` in
//! arch/x86/kernel/tsc.c): GATE 2 high through bit 0, counter 2 in mode 0,
//! then bit 5 polled until the terminal count.
//!
//! # The 8254
//!
//! - Control word (offset 3): Counter Latch command (`RW` = 00), a mode
//!   with `RW` = LSB, MSB or LSB then MSB and binary or BCD counting, and
//!   the Read-Back command (`SC` = 11: count and/or status of any
//!   counters). Reading offset 3 gives 0xFF (the chip does not drive it).
//! - Counts (offsets 0..=2): written and read as `RW` says, with separate
//!   write and read toggles for LSB-then-MSB; 0 means 65536 (10000 in
//!   BCD). A read gives a latched status first, then a latched count
//!   (held until all its bytes are read), else the live count. The status
//!   byte has OUTPUT, NULL COUNT and the programmed `RW`, `M` (6 and 7 as
//!   written) and `BCD`.
//! - All six modes, with the datasheet's GATE rules: 0 (OUT low until the
//!   terminal count), 1 (one-shot on a GATE rising edge), 2 (rate
//!   generator: low for one CLK every N), 3 (square wave: high (N+1)/2,
//!   low (N-1)/2, the count dropping by two), 4 and 5 (one low CLK at the
//!   terminal count, after the write or a GATE rising edge). A count
//!   written in mode 0 or 4 restarts counting; in modes 2 and 3 it takes
//!   over at the end of the current cycle (mode 2) or half-cycle (mode 3).
//!   In mode 0 the first byte of a two-byte count stops counting.
//! - GATE: counters 0 and 1 are tied high as on a PC (so modes 1 and 5
//!   never trigger there); counter 2's is port 0x61 bit 0.
//! - Time: the counters never tick. Counts and OUT are computed from the
//!   [`Clock`] given to [`Pit8254::new`]: CLK is 1.193182 MHz and the
//!   number of pulses since a count was loaded is
//!   `elapsed_ns * 1_193_182 / 10^9` (rounded down, 128-bit integers).
//!   A count is loaded at the instant it is written (the chip takes one
//!   more CLK pulse), so OUT of mode 0 rises exactly N pulses later.
//!
//! # Interrupts
//!
//! [`Vdev::irq_level`] is counter 0's OUT now. A VMM that only polls it
//! misses the one-CLK (838 ns) low pulses of mode 2 and the edges between
//! two polls, so `qvm` drives IRQ 0, which is edge-triggered, from time:
//! - [`Pit8254::next_edge_ns`]: when OUT next rises, on the clock's time
//!   scale; `None` when it will not without a write. Arm a host timer for
//!   it, and re-read it after each access to ports 0x40..=0x43 and 0x61
//!   (a write can move or cancel it).
//! - [`Pit8254::take_irq_edges`]: how many rising edges of counter 0's
//!   OUT happened since the last call, computed from time (so none are
//!   lost, whenever it is asked). Call it when the timer fires and after
//!   each access; pulse the interrupt line once if it is not 0 (or once
//!   per edge, to make up lost ticks).
//! - [`Pit8254::next_event_ns`]: when OUT next changes at all, for a VMM
//!   that follows the level instead.
//!
//! Not modelled: the speaker (bit 1 is only stored), counter 1's refresh
//! role, NMIs, the CLK pulse that loads a count (see above), and the
//! chip's undefined power-up state: each counter starts in mode 0 with
//! no count, OUT low, CE reading 0, until programmed.

pub mod regs;

mod counter;
mod wave;

#[cfg(test)]
mod tests;

use crate::{Clock, Fault, Vdev};
use alloc::boxed::Box;
use counter::Counter;
use regs::*;

/// The 8254 interval timer and port 0x61 of a PC.
pub struct Pit8254 {
    clock: Box<dyn Clock>,
    counters: [Counter; 3],
    /// The writable bits of port 0x61 ([`NMI_SC_WRITABLE`]).
    nmi_sc: u8,
    /// Port 0x61's `REF_TOGGLE`.
    refresh: bool,
    /// Rising edges of counter 0's OUT already handed out.
    edges_taken: u64,
}

impl Pit8254 {
    /// Ports to map for the 8254 (0x40..=0x43); port 0x61 is separate.
    pub const SIZE: u64 = WINDOW;

    /// A timer in its reset state, telling time by `clock`.
    pub fn new(clock: Box<dyn Clock>) -> Self {
        Pit8254 {
            clock,
            counters: [Counter::new(true), Counter::new(true), Counter::new(false)],
            nmi_sc: 0,
            refresh: false,
            edges_taken: 0,
        }
    }

    /// Returns the counters and port 0x61 to their reset state (counter 2's
    /// GATE low); [`Pit8254::take_irq_edges`] starts again from 0.
    pub fn reset(&mut self) {
        self.counters = [Counter::new(true), Counter::new(true), Counter::new(false)];
        self.nmi_sc = 0;
        self.refresh = false;
        self.edges_taken = 0;
    }

    fn now(&self) -> u64 {
        self.clock.now_ns()
    }

    /// A read of port 0x61: the stored bits 3..=0, the refresh toggle
    /// (which flips at each read) and counter 2's OUT in bit 5.
    pub fn port61_read(&mut self) -> u8 {
        self.refresh = !self.refresh;
        let mut value = self.nmi_sc;
        if self.refresh {
            value |= NMI_SC_REF_TOGGLE;
        }
        if self.counters[2].out(self.now()) {
            value |= NMI_SC_TMR2_OUT_STS;
        }
        value
    }

    /// A write of port 0x61: bits 3..=0 are stored, bit 0 drives counter
    /// 2's GATE (a rising edge triggers modes 1, 2, 3 and 5).
    pub fn port61_write(&mut self, value: u8) {
        self.nmi_sc = value & NMI_SC_WRITABLE;
        let now = self.now();
        self.counters[2].set_gate(now, value & NMI_SC_TIM_CNT2_EN != 0);
    }

    /// When counter 0's OUT next changes (rises or falls), in the clock's
    /// nanoseconds, or `None` if it will not without a write.
    pub fn next_event_ns(&self) -> Option<u64> {
        self.counters[0].wave().next_change(self.now())
    }

    /// When counter 0's OUT next rises (an IRQ 0 edge), in the clock's
    /// nanoseconds, or `None` if it will not without a write.
    pub fn next_edge_ns(&self) -> Option<u64> {
        self.counters[0].wave().next_rise(self.now())
    }

    /// How many times counter 0's OUT rose since the last call (or reset):
    /// each is an IRQ 0 edge. More than `u32::MAX` are reported as
    /// `u32::MAX`.
    pub fn take_irq_edges(&mut self) -> u32 {
        let total = self.counters[0].wave().edges(self.now());
        let new = total.wrapping_sub(self.edges_taken);
        self.edges_taken = total;
        u32::try_from(new).unwrap_or(u32::MAX)
    }

    /// A control word: for one counter, or the Read-Back command.
    fn write_control(&mut self, word: u8) {
        let now = self.now();
        let sc = word >> CW_SC_SHIFT;
        if sc != SC_READ_BACK {
            self.counters[usize::from(sc)].control(now, word);
            return;
        }
        for (i, counter) in self.counters.iter_mut().enumerate() {
            if word & (RB_CNT0 << i) == 0 {
                continue;
            }
            if word & RB_COUNT == 0 {
                counter.latch_count(now);
            }
            if word & RB_STATUS == 0 {
                counter.latch_status(now);
            }
        }
    }
}

impl Vdev for Pit8254 {
    fn kind(&self) -> &'static str {
        "timer8254"
    }

    fn read(&mut self, offset: u64, size: usize) -> Result<u64, Fault> {
        let now = self.now();
        match (offset, size) {
            (COUNTER0..=COUNTER2, 1) => Ok(self.counters[offset as usize].read(now).into()),
            (CONTROL, 1) => Ok(CONTROL_READ.into()),
            _ => Err(Fault::Unsupported),
        }
    }

    fn write(&mut self, offset: u64, size: usize, value: u64) -> Result<(), Fault> {
        let now = self.now();
        match (offset, size) {
            (COUNTER0..=COUNTER2, 1) => self.counters[offset as usize].write(now, value as u8),
            (CONTROL, 1) => self.write_control(value as u8),
            _ => return Err(Fault::Unsupported),
        }
        Ok(())
    }

    fn irq_level(&self) -> bool {
        self.counters[0].out(self.now())
    }
}
