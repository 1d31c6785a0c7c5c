//! The console's UART drivers, polled output only, through `safe-mmio`
//! (one aligned 32-bit `ldr`/`str` per register access, so a hypervisor
//! trapping the PL011 gets a usable syndrome): the Arm PL011 (DDI 0183),
//! the BCM2711's mini UART ("BCM2711 ARM Peripherals", 2.2 "Mini UART";
//! registers from its `AUX_MU_IO_REG`, the device tree's `reg`), and the
//! Zynq UltraScale+ Cadence UART (UG1085, "UART Controller"; the register
//! reference's `UART` module). Line settings are the boot firmware's.

use core::ptr::NonNull;
use safe_mmio::UniqueMmioPointer;
use safe_mmio::fields::{ReadOnly, ReadPure, ReadPureWrite, ReadWrite};

/// UARTFR.TXFF: transmit FIFO full.
const UARTFR_TXFF: u32 = 1 << 5;
/// UARTFR.BUSY: still transmitting.
const UARTFR_BUSY: u32 = 1 << 3;

/// The PL011 registers the console uses.
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

/// AUX_MU_LSR_REG bit 5, "Transmitter empty": the transmit FIFO can take
/// at least one byte.
const AUX_MU_LSR_TX_EMPTY: u32 = 1 << 5;
/// AUX_MU_LSR_REG bit 6, "Transmitter idle": the FIFO is empty and the
/// last bit has gone.
const AUX_MU_LSR_TX_IDLE: u32 = 1 << 6;

/// The mini UART registers the console uses, from `AUX_MU_IO_REG`.
#[repr(C)]
pub struct MiniUartRegs {
    /// +0x00 AUX_MU_IO_REG: data (a read takes a received byte).
    io: ReadWrite<u32>,
    /// AUX_MU_IER_REG, AUX_MU_IIR_REG, AUX_MU_LCR_REG, AUX_MU_MCR_REG.
    _reserved0: [u32; 4],
    /// +0x14 AUX_MU_LSR_REG: line status (a read clears the overrun bit).
    lsr: ReadOnly<u32>,
}

/// Control_reg0 TXEN: transmitter enable (while TXDIS is clear).
const CR_TXEN: u32 = 1 << 4;
/// Control_reg0 TXDIS: transmitter disable.
const CR_TXDIS: u32 = 1 << 5;
/// Channel_sts_reg0 TEMPTY: the transmit FIFO is empty.
const SR_TEMPTY: u32 = 1 << 3;
/// Channel_sts_reg0 TFUL: the transmit FIFO is full.
const SR_TFUL: u32 = 1 << 4;
/// Channel_sts_reg0 TACTIVE: the transmitter is sending.
const SR_TACTIVE: u32 = 1 << 11;

/// The Cadence UART registers the console uses.
#[repr(C)]
pub struct CadenceRegs {
    /// 0x00 Control_reg0.
    cr: ReadPureWrite<u32>,
    _reserved0: [u32; 10],
    /// 0x2c Channel_sts_reg0: channel status.
    sr: ReadPure<u32>,
    /// 0x30 TX_RX_FIFO0: a write sends a byte, a read takes one.
    fifo: ReadWrite<u32>,
}

/// One of the UARTs, owned by the console.
pub enum Driver {
    /// An Arm PL011.
    Pl011(UniqueMmioPointer<'static, Pl011Regs>),
    /// The BCM2835/BCM2711 mini UART.
    MiniUart(UniqueMmioPointer<'static, MiniUartRegs>),
    /// A Cadence UART.
    Cadence(UniqueMmioPointer<'static, CadenceRegs>),
}

/// A pointer to the registers at `base`.
///
/// # Safety
/// `base` is a UART of the register layout `T`, identity-mapped as Device
/// memory, and no other pointer to it is made.
unsafe fn regs<T>(base: usize) -> Option<UniqueMmioPointer<'static, T>> {
    let ptr = NonNull::new(base as *mut T)?;
    // SAFETY: as the caller guarantees.
    Some(unsafe { UniqueMmioPointer::new(ptr) })
}

impl Driver {
    /// The driver of the UART `uart`, its transmitter on (the Cadence
    /// UART's may be off after reset).
    ///
    /// # Safety
    /// `uart.base` is that UART's registers, identity-mapped as Device
    /// memory; this is the only driver made for it.
    pub unsafe fn new(uart: crate::dt::Uart) -> Option<Driver> {
        use crate::dt::UartKind;
        // SAFETY: as the caller guarantees, for the kind the tree says.
        let driver = unsafe {
            match uart.kind {
                UartKind::Pl011 => Driver::Pl011(regs(uart.base)?),
                UartKind::MiniUart => Driver::MiniUart(regs(uart.base)?),
                UartKind::Cadence => Driver::Cadence(regs(uart.base)?),
            }
        };
        let mut driver = driver;
        if let Driver::Cadence(r) = &mut driver {
            let cr = safe_mmio::field!(*r, cr).read();
            safe_mmio::field!(*r, cr).write((cr & !CR_TXDIS) | CR_TXEN);
        }
        Some(driver)
    }

    /// Sends one byte once there is room.
    pub fn put(&mut self, byte: u8) {
        let byte = u32::from(byte);
        match self {
            Driver::Pl011(r) => {
                while safe_mmio::field!(*r, fr).read() & UARTFR_TXFF != 0 {
                    core::hint::spin_loop();
                }
                safe_mmio::field!(*r, dr).write(byte);
            }
            Driver::MiniUart(r) => {
                while safe_mmio::field!(*r, lsr).read() & AUX_MU_LSR_TX_EMPTY == 0 {
                    core::hint::spin_loop();
                }
                safe_mmio::field!(*r, io).write(byte);
            }
            Driver::Cadence(r) => {
                while safe_mmio::field!(*r, sr).read() & SR_TFUL != 0 {
                    core::hint::spin_loop();
                }
                safe_mmio::field!(*r, fifo).write(byte);
            }
        }
    }

    /// Waits until everything sent has left.
    pub fn flush(&mut self) {
        match self {
            Driver::Pl011(r) => {
                while safe_mmio::field!(*r, fr).read() & UARTFR_BUSY != 0 {
                    core::hint::spin_loop();
                }
            }
            Driver::MiniUart(r) => {
                while safe_mmio::field!(*r, lsr).read() & AUX_MU_LSR_TX_IDLE == 0 {
                    core::hint::spin_loop();
                }
            }
            Driver::Cadence(r) => loop {
                let sr = safe_mmio::field!(*r, sr).read();
                if sr & SR_TEMPTY != 0 && sr & SR_TACTIVE == 0 {
                    break;
                }
                core::hint::spin_loop();
            },
        }
    }
}
