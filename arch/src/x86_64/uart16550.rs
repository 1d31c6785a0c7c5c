//! The 16550 UART at an I/O port base (COM1 is 0x3F8): polled output,
//! interrupt-driven input (National Semiconductor PC16550D data sheet,
//! "Register Description"; the registers are the 8250's with FIFOs).

use x86_64::instructions::port::Port;

/// RBR (read) / THR (write): the data register, with DLAB clear.
const DATA: u16 = 0;
/// IER: interrupt enable, with DLAB clear; DLM (divisor high) with it set.
const IER: u16 = 1;
/// IER.ERBFI: received-data-available interrupt.
const IER_ERBFI: u8 = 1 << 0;
/// FCR (write): FIFO control.
const FCR: u16 = 2;
/// FCR: FIFO enable, clear both FIFOs, receive trigger at 1 byte.
const FCR_ENABLE_AND_CLEAR: u8 = 0b0000_0111;
/// LCR: line control.
const LCR: u16 = 3;
/// LCR: 8 data bits, 1 stop bit, no parity.
const LCR_8N1: u8 = 0b0000_0011;
/// LCR.DLAB: divisor latch access.
const LCR_DLAB: u8 = 1 << 7;
/// MCR: modem control.
const MCR: u16 = 4;
/// MCR: DTR, RTS and OUT2 (which gates the interrupt line on a PC).
const MCR_DTR_RTS_OUT2: u8 = 0b0000_1011;
/// LSR: line status.
const LSR: u16 = 5;
/// LSR.DR: a received byte is waiting.
const LSR_DR: u8 = 1 << 0;
/// LSR.THRE: the transmit holding register is empty.
const LSR_THRE: u8 = 1 << 5;
/// The divisor for 115200 baud from the PC's 1.8432 MHz clock.
const DIVISOR_115200: u16 = 1;

/// A 16550 at an I/O port base.
pub struct Uart16550 {
    base: u16,
}

impl Uart16550 {
    /// The UART at port `base`, set to 115200 8N1 with FIFOs and no
    /// interrupts.
    ///
    /// # Safety
    /// `base` must be a 16550's ports, used by nothing else.
    pub unsafe fn new(base: u16) -> Uart16550 {
        let uart = Uart16550 { base };
        uart.write(IER, 0);
        uart.write(LCR, LCR_DLAB);
        uart.write(DATA, DIVISOR_115200 as u8);
        uart.write(IER, (DIVISOR_115200 >> 8) as u8);
        uart.write(LCR, LCR_8N1);
        uart.write(FCR, FCR_ENABLE_AND_CLEAR);
        uart.write(MCR, MCR_DTR_RTS_OUT2);
        uart
    }

    fn read(&self, offset: u16) -> u8 {
        // SAFETY: `new`'s caller guarantees the ports are this UART's.
        unsafe { Port::<u8>::new(self.base + offset).read() }
    }

    fn write(&self, offset: u16, value: u8) {
        // SAFETY: as in `read`.
        unsafe { Port::<u8>::new(self.base + offset).write(value) }
    }
}

impl crate::Uart for Uart16550 {
    fn put(&mut self, byte: u8) {
        while self.read(LSR) & LSR_THRE == 0 {
            core::hint::spin_loop();
        }
        self.write(DATA, byte);
    }

    fn get(&mut self) -> Option<u8> {
        (self.read(LSR) & LSR_DR != 0).then(|| self.read(DATA))
    }

    fn enable_rx_interrupt(&mut self) {
        self.write(IER, IER_ERBFI);
    }
}
