//! The Arm PL011 UART (DDI 0183): polled output, interrupt-driven input.

/// UARTDR: data.
const DR: usize = 0x00;
/// UARTFR: flags.
const FR: usize = 0x18;
/// UARTFR.RXFE: receive FIFO empty.
const FR_RXFE: u32 = 1 << 4;
/// UARTFR.TXFF: transmit FIFO full.
const FR_TXFF: u32 = 1 << 5;
/// UARTIMSC: interrupt mask set/clear.
const IMSC: usize = 0x38;
/// UARTIMSC.RXIM: receive interrupt.
const IMSC_RXIM: u32 = 1 << 4;
/// UARTIMSC.RTIM: receive timeout interrupt.
const IMSC_RTIM: u32 = 1 << 6;
/// UARTICR: interrupt clear.
const ICR: usize = 0x44;

/// A PL011 at an identity-mapped base address.
pub struct Pl011 {
    base: usize,
}

impl Pl011 {
    /// The UART at `base`.
    ///
    /// # Safety
    /// `base` must be a PL011's registers, mapped as device memory.
    pub const unsafe fn new(base: usize) -> Pl011 {
        Pl011 { base }
    }

    fn read(&self, offset: usize) -> u32 {
        // SAFETY: `new`'s caller guarantees the registers are there.
        unsafe { core::ptr::read_volatile((self.base + offset) as *const u32) }
    }

    fn write(&self, offset: usize, value: u32) {
        // SAFETY: as in `read`.
        unsafe { core::ptr::write_volatile((self.base + offset) as *mut u32, value) }
    }
}

impl crate::Uart for Pl011 {
    fn put(&mut self, byte: u8) {
        while self.read(FR) & FR_TXFF != 0 {
            core::hint::spin_loop();
        }
        self.write(DR, byte as u32);
    }

    fn get(&mut self) -> Option<u8> {
        (self.read(FR) & FR_RXFE == 0).then(|| self.read(DR) as u8)
    }

    fn enable_rx_interrupt(&mut self) {
        self.write(ICR, 0x7ff);
        self.write(IMSC, IMSC_RXIM | IMSC_RTIM);
    }
}
