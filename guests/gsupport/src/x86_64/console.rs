//! The console on COM1, a 16550 UART at I/O port 0x3f8: polled output,
//! 115200 baud 8N1 set up once; a line goes out in one piece even with
//! several CPUs. Input is polled too ([`read_byte`]).

use super::port::{inb, outb};
use crate::sync::IrqMutex;
use core::fmt::{self, Write};

/// COM1's I/O base.
pub const COM1: u16 = 0x3f8;
/// Register offsets (PC16550D data sheet): transmit holding / divisor
/// latch low, interrupt enable / divisor latch high, FIFO control, line
/// control, modem control, line status.
const THR: u16 = 0;
/// Receiver buffer register: the offset of [`THR`], read (DLAB clear).
const RBR: u16 = 0;
const IER: u16 = 1;
const FCR: u16 = 2;
const LCR: u16 = 3;
const MCR: u16 = 4;
/// Line status register (the benchmarks read it).
pub const LSR: u16 = 5;
/// LCR.DLAB: the first two registers are the divisor latch.
const LCR_DLAB: u8 = 1 << 7;
/// LCR word length select: 8 bits.
const LCR_WLS_8: u8 = 0b11;
/// FCR: FIFO enable, clear receive and transmit FIFOs.
const FCR_ENABLE_CLEAR: u8 = 0b111;
/// MCR: DTR and RTS.
const MCR_DTR_RTS: u8 = 0b11;
/// LSR.DR: data ready, a received byte waits in the receiver buffer (or
/// the receive FIFO).
const LSR_DR: u8 = 1 << 0;
/// LSR.THRE: the transmit holding register is empty.
const LSR_THRE: u8 = 1 << 5;
/// LSR.TEMT: transmitter empty (holding and shift registers).
const LSR_TEMT: u8 = 1 << 6;
/// Divisor of the 1.8432 MHz clock for 115200 baud.
const DIVISOR_115200: u8 = 1;

struct Uart;

impl Uart {
    fn put(&mut self, byte: u8) {
        // SAFETY: COM1's line status register only reports state.
        while unsafe { inb(COM1 + LSR) } & LSR_THRE == 0 {
            core::hint::spin_loop();
        }
        // SAFETY: the holding register is empty: the byte is sent.
        unsafe { outb(COM1 + THR, byte) };
    }
}

impl Write for Uart {
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

static CONSOLE: IrqMutex<Uart> = IrqMutex::new(Uart);

/// Sets COM1 to 115200 baud 8N1 with FIFOs, its interrupts off.
pub(crate) fn init() {
    // SAFETY: programming COM1, the console this library owns.
    unsafe {
        outb(COM1 + IER, 0);
        outb(COM1 + LCR, LCR_DLAB);
        outb(COM1 + THR, DIVISOR_115200);
        outb(COM1 + IER, 0);
        outb(COM1 + LCR, LCR_WLS_8);
        outb(COM1 + FCR, FCR_ENABLE_CLEAR);
        outb(COM1 + MCR, MCR_DTR_RTS);
    }
}

/// Prints formatted text (what `print!` and `println!` call).
pub fn print(args: fmt::Arguments<'_>) {
    CONSOLE.with(|uart| {
        let _ = uart.write_fmt(args);
    });
}

/// A byte typed on COM1, if one has come: polls LSR.DR, then reads the
/// receiver buffer. Interrupts stay off (IER is 0); the divisor latch is
/// never open after set-up, so RBR is the receiver buffer.
pub fn read_byte() -> Option<u8> {
    // SAFETY: reading the line status register has no side effects.
    let ready = unsafe { inb(COM1 + LSR) } & LSR_DR != 0;
    // SAFETY: a byte is waiting; reading RBR takes it, which is the point.
    ready.then(|| unsafe { inb(COM1 + RBR) })
}

/// Waits until everything printed has left the UART (before powering off).
pub fn flush() {
    // SAFETY: reading the line status register has no side effects.
    while unsafe { inb(COM1 + LSR) } & LSR_TEMT == 0 {
        core::hint::spin_loop();
    }
}

/// Prints from an exception handler: waits a while for the lock, then
/// prints anyway (the interrupted code may hold it).
pub(crate) fn emergency(args: fmt::Arguments<'_>) {
    let printed = CONSOLE.try_with(|uart| {
        let _ = uart.write_fmt(args);
    });
    if printed.is_none() {
        // SAFETY: the lock could not be had for a long while: its holder is
        // this CPU's interrupted code or a stuck CPU. Taking it over only
        // garbles text, and the machine is going down.
        unsafe { CONSOLE.force_unlock() };
        print(args);
    }
}
