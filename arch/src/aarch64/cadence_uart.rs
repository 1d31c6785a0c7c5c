//! The Cadence UART of the Zynq UltraScale+ MPSoC (ZCU102; AMD UG1085,
//! "UART Controller", and the register reference's `UART` module;
//! `cdns,uart-r1p12`, `xlnx,xuartps` in the device tree): polled output,
//! interrupt-driven input.

/// Control register (XUARTPS_CR).
const CR: usize = 0x00;
/// CR.RXEN and CR.TXEN: receiver and transmitter on (their *DIS bits
/// clear).
const CR_RXEN: u32 = 1 << 2;
const CR_TXEN: u32 = 1 << 4;
/// Interrupt enable (IER) and status (ISR, write 1 to clear).
const IER: usize = 0x08;
const ISR: usize = 0x14;
/// IER/ISR.RTRIG: the receive FIFO reached its trigger level;
/// IER/ISR.TIMEOUT: received data waited the receive timeout.
const INT_RTRIG: u32 = 1 << 0;
const INT_TIMEOUT: u32 = 1 << 8;
/// Receive timeout (RXTOUT, in 4-bit-time units) and FIFO trigger level
/// (RXWM).
const RXTOUT: usize = 0x1c;
const RXWM: usize = 0x20;
/// Channel status (SR): RXEMPTY, TXFULL.
const SR: usize = 0x2c;
const SR_RXEMPTY: u32 = 1 << 1;
const SR_TXFULL: u32 = 1 << 4;
/// The FIFO (XUARTPS_FIFO).
const FIFO: usize = 0x30;

/// A Cadence UART at an identity-mapped base address.
pub struct CadenceUart {
    base: usize,
}

impl CadenceUart {
    /// The UART at `base`, its transmitter and receiver switched on (the
    /// line settings are the boot loader's: QEMU's model needs none).
    ///
    /// # Safety
    /// `base` must be a Cadence UART's registers, mapped as device memory.
    pub unsafe fn new(base: usize) -> CadenceUart {
        let uart = CadenceUart { base };
        uart.write(CR, CR_RXEN | CR_TXEN);
        uart
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

impl crate::Uart for CadenceUart {
    fn put(&mut self, byte: u8) {
        while self.read(SR) & SR_TXFULL != 0 {
            core::hint::spin_loop();
        }
        self.write(FIFO, byte as u32);
    }

    fn get(&mut self) -> Option<u8> {
        if self.read(SR) & SR_RXEMPTY == 0 {
            return Some(self.read(FIFO) as u8);
        }
        // Drained: the status bits are sticky, so clear them, then look
        // once more (a byte that came meanwhile sets them again).
        self.write(ISR, INT_RTRIG | INT_TIMEOUT);
        (self.read(SR) & SR_RXEMPTY == 0).then(|| self.read(FIFO) as u8)
    }

    fn enable_rx_interrupt(&mut self) {
        self.write(RXWM, 1);
        self.write(RXTOUT, 10);
        self.write(ISR, u32::MAX);
        self.write(IER, INT_RTRIG | INT_TIMEOUT);
    }
}
