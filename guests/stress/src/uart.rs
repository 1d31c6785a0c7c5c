//! PL011 registers that keep what is written and do nothing else:
//! UARTIBRD, UARTFBRD, UARTILPR and UARTIFLS (the console's polled output
//! uses only the data and flag registers). CPU N writes a value of its
//! own to register N mod 4 and reads it back, under a per-register lock
//! taken with one try (never contended with four CPUs or fewer; with
//! more, a CPU that finds its register busy skips this round). Under the
//! hypervisor every access is an exit to the `pl011` vdev in `qvm`.

use crate::fail::expect;
use crate::regs::{read32, write32};
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// A side-effect-free register: name, offset, bits it keeps.
struct Reg {
    name: &'static str,
    offset: usize,
    mask: u32,
}

/// UARTIBRD, UARTFBRD, UARTILPR, UARTIFLS (PL011 TRM, DDI 0183).
const REGS: [Reg; 4] = [
    Reg {
        name: "UARTIBRD",
        offset: 0x24,
        mask: 0xffff,
    },
    Reg {
        name: "UARTFBRD",
        offset: 0x28,
        mask: 0x3f,
    },
    Reg {
        name: "UARTILPR",
        offset: 0x20,
        mask: 0xff,
    },
    Reg {
        name: "UARTIFLS",
        offset: 0x34,
        mask: 0x3f,
    },
];

static BUSY: [AtomicBool; REGS.len()] = [const { AtomicBool::new(false) }; REGS.len()];
static SAVED: [AtomicU32; REGS.len()] = [const { AtomicU32::new(0) }; REGS.len()];

/// Keeps the registers' values from before the run (boot CPU).
pub fn save(uart: usize) {
    for (reg, saved) in REGS.iter().zip(&SAVED) {
        // SAFETY: a PL011 register without side effects.
        saved.store(unsafe { read32(uart + reg.offset) }, Ordering::Relaxed);
    }
}

/// Puts back the values [`save`] kept (boot CPU, after the run).
pub fn restore(uart: usize) {
    for (reg, saved) in REGS.iter().zip(&SAVED) {
        // SAFETY: as in `save`; the value is the one read there.
        unsafe { write32(uart + reg.offset, saved.load(Ordering::Relaxed)) };
    }
}

/// One round on CPU `me`, iteration `iter`: writes this CPU's register
/// and reads it back. Returns the number of accesses made.
pub fn step(uart: usize, me: usize, iter: usize) -> u64 {
    let slot = me % REGS.len();
    let reg = &REGS[slot];
    if BUSY[slot]
        .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        return 0;
    }
    let value = (iter as u32)
        .wrapping_mul(7)
        .wrapping_add(me as u32 * 13 + 1)
        & reg.mask;
    let addr = uart + reg.offset;
    // SAFETY: a PL011 register without side effects, this CPU's while it
    // holds the lock.
    let seen = unsafe {
        write32(addr, value);
        read32(addr)
    };
    BUSY[slot].store(false, Ordering::Release);
    expect(
        format_args!("PL011 {} read back", reg.name),
        value.into(),
        seen.into(),
    );
    2
}
