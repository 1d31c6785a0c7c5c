//! The PL011 console: polled output through `safe-mmio` (one aligned 32-bit
//! `ldr`/`str` per register access, so a hypervisor trapping it gets a
//! usable syndrome). A line goes out in one piece even with several CPUs.

use crate::sync::IrqMutex;
use core::fmt::{self, Write};
use core::ptr::NonNull;
use safe_mmio::UniqueMmioPointer;
use safe_mmio::fields::{ReadPure, ReadWrite};

/// UARTFR.TXFF: transmit FIFO full.
const FR_TXFF: u32 = 1 << 5;
/// UARTFR.BUSY: still transmitting.
const FR_BUSY: u32 = 1 << 3;

/// The PL011 registers this driver uses (DDI 0183).
#[repr(C)]
pub struct Pl011Regs {
    /// 0x00 UARTDR: data (a read takes a byte from the FIFO).
    dr: ReadWrite<u32>,
    _reserved0: [u32; 5],
    /// 0x18 UARTFR: flags.
    fr: ReadPure<u32>,
}

/// Byte offset of UARTIBRD, a register without side effects (benchmarks
/// read and write it).
pub const UARTIBRD: usize = 0x24;

struct Pl011(UniqueMmioPointer<'static, Pl011Regs>);

// SAFETY: the PL011's registers may be used from any CPU; the lock around
// the only instance serializes them.
unsafe impl Send for Pl011 {}

impl Pl011 {
    fn put(&mut self, byte: u8) {
        while safe_mmio::field!(self.0, fr).read() & FR_TXFF != 0 {
            core::hint::spin_loop();
        }
        safe_mmio::field!(self.0, dr).write(u32::from(byte));
    }

    fn flush(&mut self) {
        while safe_mmio::field!(self.0, fr).read() & FR_BUSY != 0 {
            core::hint::spin_loop();
        }
    }
}

impl Write for Pl011 {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for byte in s.bytes() {
            if byte == b'\n' {
                self.put(b'\r');
            }
            self.put(byte);
        }
        Ok(())
    }
}

static CONSOLE: IrqMutex<Option<Pl011>> = IrqMutex::new(None);

/// Starts the console on the PL011 at `base` (none: output is dropped).
pub(crate) fn init(base: Option<usize>) {
    let Some(regs) = base.and_then(|b| NonNull::new(b as *mut Pl011Regs)) else {
        return;
    };
    // SAFETY: `base` is the PL011 the device tree names, identity-mapped
    // as Device memory; this is the only pointer the driver makes to it.
    let uart = Pl011(unsafe { UniqueMmioPointer::new(regs) });
    CONSOLE.with(|c| *c = Some(uart));
}

/// Prints formatted text (what `print!` and `println!` call).
pub fn print(args: fmt::Arguments<'_>) {
    CONSOLE.with(|c| {
        if let Some(uart) = c {
            let _ = uart.write_fmt(args);
        }
    });
}

/// Waits until everything printed has left the UART (before powering off).
pub fn flush() {
    CONSOLE.with(|c| {
        if let Some(uart) = c {
            uart.flush();
        }
    });
}

/// Prints from an exception handler: waits a while for the lock, then
/// prints anyway (the interrupted code may hold it).
pub(crate) fn emergency(args: fmt::Arguments<'_>) {
    let printed = CONSOLE.try_with(|c| {
        if let Some(uart) = c {
            let _ = uart.write_fmt(args);
        }
    });
    if printed.is_none() {
        // SAFETY: the lock could not be had for a long while: its holder is
        // this CPU's interrupted code or a stuck CPU. Taking it over only
        // garbles text, and the machine is going down.
        unsafe { CONSOLE.force_unlock() };
        print(args);
    }
}
