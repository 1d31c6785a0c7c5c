//! The mini UART of the BCM2711's auxiliary peripherals (Raspberry Pi 4;
//! "BCM2711 ARM Peripherals", section 2.2 "Mini UART"; the device tree's
//! `brcm,bcm2835-aux-uart`, `serial1`, on GPIO 14/15 when the firmware's
//! `config.txt` has `enable_uart=1`): polled output, interrupt-driven
//! input. A 16550-like UART: the register offsets below are from the
//! node's `reg` (the `AUX_MU_IO_REG` at 0x7e215040 on the bus); the
//! auxiliary block's own enable bit (`AUX_ENABLES`) and the baud rate
//! are the firmware's, left as it set them.

/// AUX_MU_IO_REG: the data register (a read takes a byte from the
/// receive FIFO, a write puts one in the transmit FIFO).
const AUX_MU_IO: usize = 0x00;
/// AUX_MU_IER_REG: interrupt enables.
const AUX_MU_IER: usize = 0x04;
/// AUX_MU_IER_REG bit 0: interrupt while the receive FIFO holds data
/// (the 16550's ERBFI; the BCM2835 manual's table had bits 0 and 1
/// swapped, corrected in its errata and in the BCM2711 manual).
const AUX_MU_IER_RX: u32 = 1 << 0;
/// AUX_MU_LSR_REG: line status.
const AUX_MU_LSR: usize = 0x14;
/// AUX_MU_LSR_REG bit 0, "Data ready": the receive FIFO holds a byte.
const AUX_MU_LSR_DATA_READY: u32 = 1 << 0;
/// AUX_MU_LSR_REG bit 5, "Transmitter empty": the transmit FIFO can take
/// at least one byte.
const AUX_MU_LSR_TX_EMPTY: u32 = 1 << 5;

/// The mini UART at an identity-mapped base address (its `AUX_MU_IO_REG`).
pub struct MiniUart {
    base: usize,
}

impl MiniUart {
    /// The mini UART at `base`, as the firmware left it (enabled, its
    /// baud rate set from the fixed core clock `enable_uart=1` asks for).
    ///
    /// # Safety
    /// `base` must be the mini UART's `AUX_MU_IO_REG`, its 0x40 bytes of
    /// registers mapped as device memory.
    pub const unsafe fn new(base: usize) -> MiniUart {
        MiniUart { base }
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

impl crate::Uart for MiniUart {
    fn put(&mut self, byte: u8) {
        while self.read(AUX_MU_LSR) & AUX_MU_LSR_TX_EMPTY == 0 {
            core::hint::spin_loop();
        }
        self.write(AUX_MU_IO, u32::from(byte));
    }

    fn get(&mut self) -> Option<u8> {
        // The interrupt is level: it drops when the FIFO is empty.
        (self.read(AUX_MU_LSR) & AUX_MU_LSR_DATA_READY != 0).then(|| self.read(AUX_MU_IO) as u8)
    }

    fn enable_rx_interrupt(&mut self) {
        self.write(AUX_MU_IER, AUX_MU_IER_RX);
    }
}
