//! PL011 register offsets, bits and reset values, named as in the ARM
//! PrimeCell UART (PL011) Technical Reference Manual, ARM DDI 0183G
//! (revision r1p5), section 3.2 "Summary of registers".

/// Size of the register window (one 4 KiB page).
pub const WINDOW: u64 = 0x1000;

/// Data register: write a character, read the next received one with its
/// error bits in `[11:8]`.
pub const UARTDR: u64 = 0x000;
/// Receive status register (read) / error clear register (write).
pub const UARTRSR: u64 = 0x004;
/// Error clear register: the write side of [`UARTRSR`].
pub const UARTECR: u64 = UARTRSR;
/// Flag register (read-only).
pub const UARTFR: u64 = 0x018;
/// IrDA low-power counter register.
pub const UARTILPR: u64 = 0x020;
/// Integer baud rate register.
pub const UARTIBRD: u64 = 0x024;
/// Fractional baud rate register.
pub const UARTFBRD: u64 = 0x028;
/// Line control register.
pub const UARTLCR_H: u64 = 0x02C;
/// Control register.
pub const UARTCR: u64 = 0x030;
/// Interrupt FIFO level select register.
pub const UARTIFLS: u64 = 0x034;
/// Interrupt mask set/clear register (1 = enabled).
pub const UARTIMSC: u64 = 0x038;
/// Raw interrupt status register (read-only).
pub const UARTRIS: u64 = 0x03C;
/// Masked interrupt status register (read-only): `UARTRIS & UARTIMSC`.
pub const UARTMIS: u64 = 0x040;
/// Interrupt clear register (write-only, 1 clears).
pub const UARTICR: u64 = 0x044;
/// DMA control register.
pub const UARTDMACR: u64 = 0x048;
/// Peripheral identification registers 0..3 (`0xFE0..=0xFEC`).
pub const UARTPERIPHID0: u64 = 0xFE0;
/// Peripheral identification register 1.
pub const UARTPERIPHID1: u64 = 0xFE4;
/// Peripheral identification register 2.
pub const UARTPERIPHID2: u64 = 0xFE8;
/// Peripheral identification register 3.
pub const UARTPERIPHID3: u64 = 0xFEC;
/// PrimeCell identification registers 0..3 (`0xFF0..=0xFFC`).
pub const UARTPCELLID0: u64 = 0xFF0;
/// PrimeCell identification register 1.
pub const UARTPCELLID1: u64 = 0xFF4;
/// PrimeCell identification register 2.
pub const UARTPCELLID2: u64 = 0xFF8;
/// PrimeCell identification register 3.
pub const UARTPCELLID3: u64 = 0xFFC;

/// `UARTPeriphID3..0` as one word: configuration 0x00, revision 3 (which
/// the TRM gives for r1p5, the revision with 32-entry FIFOs), designer 0x41
/// (ARM), part number 0x011. Linux's amba bus matches `0x00041011` under
/// mask `0x000fffff` and sizes the FIFOs from the revision (3 or more: 32).
pub const PERIPH_ID: u32 = 0x0034_1011;

/// `UARTDR` bit: framing error.
pub const DR_FE: u32 = 1 << 8;
/// `UARTDR` bit: parity error.
pub const DR_PE: u32 = 1 << 9;
/// `UARTDR` bit: break error.
pub const DR_BE: u32 = 1 << 10;
/// `UARTDR` bit: overrun error.
pub const DR_OE: u32 = 1 << 11;

/// `UARTRSR` bit: framing error.
pub const RSR_FE: u32 = 1 << 0;
/// `UARTRSR` bit: parity error.
pub const RSR_PE: u32 = 1 << 1;
/// `UARTRSR` bit: break error.
pub const RSR_BE: u32 = 1 << 2;
/// `UARTRSR` bit: overrun error (a character arrived with the FIFO full).
pub const RSR_OE: u32 = 1 << 3;

/// `UARTFR` bit: clear to send.
pub const FR_CTS: u32 = 1 << 0;
/// `UARTFR` bit: data set ready.
pub const FR_DSR: u32 = 1 << 1;
/// `UARTFR` bit: data carrier detect.
pub const FR_DCD: u32 = 1 << 2;
/// `UARTFR` bit: UART busy transmitting.
pub const FR_BUSY: u32 = 1 << 3;
/// `UARTFR` bit: receive FIFO (or holding register) empty.
pub const FR_RXFE: u32 = 1 << 4;
/// `UARTFR` bit: transmit FIFO (or holding register) full.
pub const FR_TXFF: u32 = 1 << 5;
/// `UARTFR` bit: receive FIFO (or holding register) full.
pub const FR_RXFF: u32 = 1 << 6;
/// `UARTFR` bit: transmit FIFO (or holding register) empty.
pub const FR_TXFE: u32 = 1 << 7;
/// `UARTFR` bit: ring indicator.
pub const FR_RI: u32 = 1 << 8;

/// `UARTLCR_H` bit: send break.
pub const LCR_H_BRK: u32 = 1 << 0;
/// `UARTLCR_H` bit: parity enable.
pub const LCR_H_PEN: u32 = 1 << 1;
/// `UARTLCR_H` bit: even parity select.
pub const LCR_H_EPS: u32 = 1 << 2;
/// `UARTLCR_H` bit: two stop bits select.
pub const LCR_H_STP2: u32 = 1 << 3;
/// `UARTLCR_H` bit: enable FIFOs (else 1-character holding registers).
pub const LCR_H_FEN: u32 = 1 << 4;
/// `UARTLCR_H` field `[6:5]`: word length (0b11 = 8 bits).
pub const LCR_H_WLEN: u32 = 0b11 << 5;
/// `UARTLCR_H` bit: stick parity select.
pub const LCR_H_SPS: u32 = 1 << 7;

/// `UARTCR` bit: UART enable.
pub const CR_UARTEN: u32 = 1 << 0;
/// `UARTCR` bit: SIR enable.
pub const CR_SIREN: u32 = 1 << 1;
/// `UARTCR` bit: SIR low-power IrDA mode.
pub const CR_SIRLP: u32 = 1 << 2;
/// `UARTCR` bit: loopback enable (transmitted data is received).
pub const CR_LBE: u32 = 1 << 7;
/// `UARTCR` bit: transmit enable.
pub const CR_TXE: u32 = 1 << 8;
/// `UARTCR` bit: receive enable.
pub const CR_RXE: u32 = 1 << 9;
/// `UARTCR` bit: data transmit ready.
pub const CR_DTR: u32 = 1 << 10;
/// `UARTCR` bit: request to send.
pub const CR_RTS: u32 = 1 << 11;
/// `UARTCR` bit: Out1 modem output.
pub const CR_OUT1: u32 = 1 << 12;
/// `UARTCR` bit: Out2 modem output.
pub const CR_OUT2: u32 = 1 << 13;
/// `UARTCR` bit: RTS hardware flow control enable.
pub const CR_RTSEN: u32 = 1 << 14;
/// `UARTCR` bit: CTS hardware flow control enable.
pub const CR_CTSEN: u32 = 1 << 15;

/// `UARTIFLS` field `[2:0]`: transmit interrupt FIFO level select.
pub const IFLS_TXIFLSEL: u32 = 0b111;
/// `UARTIFLS` field `[5:3]`: receive interrupt FIFO level select.
pub const IFLS_RXIFLSEL: u32 = 0b111 << 3;

/// Interrupt bit, the same in `UARTIMSC`, `UARTRIS`, `UARTMIS` and `UARTICR`
/// (`RIMIM`, `RIRMIS`, `RIMMIS`, `RIMIC`): nUARTRI modem interrupt.
pub const INT_RI: u32 = 1 << 0;
/// Interrupt bit (`CTSMIM`, `CTSRMIS`, `CTSMMIS`, `CTSMIC`): nUARTCTS modem interrupt.
pub const INT_CTS: u32 = 1 << 1;
/// Interrupt bit (`DCDMIM`, `DCDRMIS`, `DCDMMIS`, `DCDMIC`): nUARTDCD modem interrupt.
pub const INT_DCD: u32 = 1 << 2;
/// Interrupt bit (`DSRMIM`, `DSRRMIS`, `DSRMMIS`, `DSRMIC`): nUARTDSR modem interrupt.
pub const INT_DSR: u32 = 1 << 3;
/// Interrupt bit (`RXIM`, `RXRIS`, `RXMIS`, `RXIC`): receive.
pub const INT_RX: u32 = 1 << 4;
/// Interrupt bit (`TXIM`, `TXRIS`, `TXMIS`, `TXIC`): transmit.
pub const INT_TX: u32 = 1 << 5;
/// Interrupt bit (`RTIM`, `RTRIS`, `RTMIS`, `RTIC`): receive timeout.
pub const INT_RT: u32 = 1 << 6;
/// Interrupt bit (`FEIM`, `FERIS`, `FEMIS`, `FEIC`): framing error.
pub const INT_FE: u32 = 1 << 7;
/// Interrupt bit (`PEIM`, `PERIS`, `PEMIS`, `PEIC`): parity error.
pub const INT_PE: u32 = 1 << 8;
/// Interrupt bit (`BEIM`, `BERIS`, `BEMIS`, `BEIC`): break error.
pub const INT_BE: u32 = 1 << 9;
/// Interrupt bit (`OEIM`, `OERIS`, `OEMIS`, `OEIC`): overrun error.
pub const INT_OE: u32 = 1 << 10;
/// Every interrupt bit.
pub const INT_ALL: u32 = (1 << 11) - 1;

/// `UARTDMACR` bit: receive DMA enable.
pub const DMACR_RXDMAE: u32 = 1 << 0;
/// `UARTDMACR` bit: transmit DMA enable.
pub const DMACR_TXDMAE: u32 = 1 << 1;
/// `UARTDMACR` bit: DMA on error.
pub const DMACR_DMAONERR: u32 = 1 << 2;

/// Writable bits of `UARTILPR` (`ILPDVSR`).
pub const ILPR_MASK: u32 = 0xFF;
/// Writable bits of `UARTIBRD` (`BAUD DIVINT`).
pub const IBRD_MASK: u32 = 0xFFFF;
/// Writable bits of `UARTFBRD` (`BAUD DIVFRAC`).
pub const FBRD_MASK: u32 = 0x3F;
/// Writable bits of `UARTLCR_H`.
pub const LCR_H_MASK: u32 = 0xFF;
/// Writable bits of `UARTCR` (`[6:3]` are reserved).
pub const CR_MASK: u32 = 0xFF87;
/// Writable bits of `UARTIFLS`.
pub const IFLS_MASK: u32 = IFLS_TXIFLSEL | IFLS_RXIFLSEL;
/// Writable bits of `UARTDMACR`.
pub const DMACR_MASK: u32 = DMACR_RXDMAE | DMACR_TXDMAE | DMACR_DMAONERR;

/// Reset value of `UARTCR`: TXE and RXE set, UART disabled.
pub const CR_RESET: u32 = CR_TXE | CR_RXE;
/// Reset value of `UARTIFLS`: both FIFOs at half full (`0b010`).
pub const IFLS_RESET: u32 = 0x12;

/// Depth of the receive FIFO with `UARTLCR_H.FEN` set (r1p5).
pub const FIFO_DEPTH: usize = 32;
