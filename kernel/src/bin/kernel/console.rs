//! The host console: kernel messages and host-process output go to the
//! board's UART under one lock, so lines never interleave mid-write; input
//! arrives by interrupt into a buffer that `console_read` drains.

use crate::hw::{Arch, Console};
use arch::Platform;
use arch::Uart;
use core::fmt::{self, Write};
use spin::mutex::SpinMutex as Mutex;

static UART: Mutex<Option<Console>, crate::relax::SpinHint> = Mutex::new(None);

/// Starts console output on the board's UART of `kind` at `base`.
///
/// # Safety
/// `base` must be the board's console UART, of that kind, mapped as
/// device memory.
pub unsafe fn init(base: usize, kind: arch::board::UartKind) {
    // SAFETY: the caller guarantees the address and kind.
    *UART.lock() = Some(unsafe { Arch::console(base, kind) });
}

fn put_all(uart: &mut Console, bytes: &[u8]) {
    for &b in bytes {
        if b == b'\n' {
            uart.put(b'\r');
        }
        uart.put(b);
    }
}

/// Writes raw bytes (host-process output).
pub fn write_bytes(bytes: &[u8]) {
    if let Some(uart) = UART.lock().as_mut() {
        put_all(uart, bytes);
    }
}

/// Takes one received byte, if any.
pub fn read_byte() -> Option<u8> {
    UART.lock().as_mut()?.get()
}

/// Turns on the receive interrupt.
pub fn enable_rx_interrupt() {
    if let Some(uart) = UART.lock().as_mut() {
        uart.enable_rx_interrupt();
    }
}

struct Writer<'a>(&'a mut Console);

impl Write for Writer<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        put_all(self.0, s.as_bytes());
        Ok(())
    }
}

/// Prints formatted kernel output.
pub fn print(args: fmt::Arguments) {
    if let Some(uart) = UART.lock().as_mut() {
        let _ = Writer(uart).write_fmt(args);
    }
}

/// Prints from the panic path: takes the UART even if a CPU died holding
/// the lock, since nothing else will run again.
pub fn print_panic(args: fmt::Arguments) {
    // SAFETY: called only on the way to halting; a CPU that held the lock
    // is either this one (mid-print) or stopped by the panic.
    unsafe { UART.force_unlock() };
    print(args);
}

/// Kernel `println!`.
#[macro_export]
macro_rules! kprintln {
    ($($arg:tt)*) => { $crate::console::print(format_args!("{}\n", format_args!($($arg)*))) };
}
