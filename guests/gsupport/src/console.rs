//! The console: polled output on the UART the device tree names
//! ([`crate::dt::uart`]: a PL011, the Raspberry Pi's mini UART or the
//! ZynqMP's Cadence UART; drivers in [`uarts`]). A line goes out in one
//! piece even with several CPUs.

mod uarts;

use crate::dt::Uart;
use crate::sync::IrqMutex;
use core::fmt::{self, Write};
use uarts::Driver;

pub use uarts::UARTIBRD;

struct Console(Driver);

// SAFETY: the UART's registers may be used from any CPU; the lock around
// the only instance serializes them.
unsafe impl Send for Console {}

impl Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for byte in s.bytes() {
            if byte == b'\n' {
                self.0.put(b'\r');
            }
            self.0.put(byte);
        }
        Ok(())
    }
}

static CONSOLE: IrqMutex<Option<Console>> = IrqMutex::new(None);

/// Starts the console on `uart` (none: output is dropped).
pub(crate) fn init(uart: Option<Uart>) {
    // SAFETY: the UART the device tree names, identity-mapped as Device
    // memory; this is the only driver made for it.
    let Some(driver) = uart.and_then(|u| unsafe { Driver::new(u) }) else {
        return;
    };
    CONSOLE.with(|c| *c = Some(Console(driver)));
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
            uart.0.flush();
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
