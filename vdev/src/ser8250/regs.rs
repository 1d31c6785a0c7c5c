//! PC16550D register offsets, bits and reset values, named as in National
//! Semiconductor's "PC16550D Universal Asynchronous Receiver/Transmitter
//! with FIFOs" datasheet: Table II "Summary of Registers" and Table IV
//! "UART Reset Configuration".
//!
//! Offsets are from the base port (0x3F8 for the PC's COM1). Offsets 0 and
//! 1 depend on `LCR.DLAB`; offset 2 is IIR when read and FCR when written.

/// Number of ports the UART decodes.
pub const WINDOW: u64 = 8;

/// Receiver Buffer Register (read, `LCR.DLAB` = 0).
pub const RBR: u64 = 0;
/// Transmitter Holding Register (write, `LCR.DLAB` = 0).
pub const THR: u64 = 0;
/// Divisor Latch, least significant byte (`LCR.DLAB` = 1).
pub const DLL: u64 = 0;
/// Interrupt Enable Register (`LCR.DLAB` = 0).
pub const IER: u64 = 1;
/// Divisor Latch, most significant byte (`LCR.DLAB` = 1).
pub const DLM: u64 = 1;
/// Interrupt Identification Register (read-only).
pub const IIR: u64 = 2;
/// FIFO Control Register (write-only).
pub const FCR: u64 = 2;
/// Line Control Register.
pub const LCR: u64 = 3;
/// MODEM Control Register.
pub const MCR: u64 = 4;
/// Line Status Register.
pub const LSR: u64 = 5;
/// MODEM Status Register.
pub const MSR: u64 = 6;
/// Scratch Register.
pub const SCR: u64 = 7;

/// `IER` bit 0: Enable Received Data Available Interrupt (and the
/// character timeout in FIFO mode).
pub const IER_ERBFI: u8 = 1 << 0;
/// `IER` bit 1: Enable Transmitter Holding Register Empty Interrupt.
pub const IER_ETBEI: u8 = 1 << 1;
/// `IER` bit 2: Enable Receiver Line Status Interrupt.
pub const IER_ELSI: u8 = 1 << 2;
/// `IER` bit 3: Enable MODEM Status Interrupt.
pub const IER_EDSSI: u8 = 1 << 3;
/// Writable bits of `IER` (bits 7:4 are always 0).
pub const IER_MASK: u8 = IER_ERBFI | IER_ETBEI | IER_ELSI | IER_EDSSI;

/// `IIR` bit 0: set when no interrupt is pending.
pub const IIR_NO_INT: u8 = 1 << 0;
/// `IIR` bits 3:1, highest priority: Receiver Line Status (OE, PE, FE, BI).
pub const IIR_RECEIVER_LINE_STATUS: u8 = 0x06;
/// `IIR` bits 3:1, second priority: Received Data Available.
pub const IIR_RECEIVED_DATA_AVAILABLE: u8 = 0x04;
/// `IIR` bits 3:1, second priority: Character Timeout Indication (FIFO
/// mode only).
pub const IIR_CHARACTER_TIMEOUT: u8 = 0x0C;
/// `IIR` bits 3:1, third priority: Transmitter Holding Register Empty.
pub const IIR_THR_EMPTY: u8 = 0x02;
/// `IIR` bits 3:1, fourth priority: MODEM Status.
pub const IIR_MODEM_STATUS: u8 = 0x00;
/// `IIR` bits 7:6: both set when the FIFOs are enabled (`FCR` bit 0).
pub const IIR_FIFOS_ENABLED: u8 = 0xC0;
/// Reset value of `IIR`: no interrupt pending.
pub const IIR_RESET: u8 = IIR_NO_INT;

/// `FCR` bit 0: FIFO Enable (both FIFOs; changing it clears them). The
/// other bits are programmed only when it is written as 1.
pub const FCR_FIFO_ENABLE: u8 = 1 << 0;
/// `FCR` bit 1: RCVR FIFO Reset (self-clearing).
pub const FCR_RCVR_FIFO_RESET: u8 = 1 << 1;
/// `FCR` bit 2: XMIT FIFO Reset (self-clearing).
pub const FCR_XMIT_FIFO_RESET: u8 = 1 << 2;
/// `FCR` bit 3: DMA Mode Select (RXRDY/TXRDY pins; stored, no effect).
pub const FCR_DMA_MODE_SELECT: u8 = 1 << 3;
/// `FCR` bits 7:6: RCVR Trigger level, see [`RCVR_TRIGGER_LEVELS`].
pub const FCR_RCVR_TRIGGER: u8 = 0xC0;
/// Position of [`FCR_RCVR_TRIGGER`].
pub const FCR_RCVR_TRIGGER_SHIFT: u32 = 6;
/// `FCR` bits the model keeps (the reset bits clear themselves).
pub const FCR_STORED: u8 = FCR_FIFO_ENABLE | FCR_DMA_MODE_SELECT | FCR_RCVR_TRIGGER;
/// The RCVR FIFO Trigger Level in bytes, indexed by `FCR` bits 7:6.
pub const RCVR_TRIGGER_LEVELS: [usize; 4] = [1, 4, 8, 14];

/// `LCR` bits 1:0: Word Length Select (WLS1, WLS0).
pub const LCR_WLS: u8 = 0x03;
/// `LCR` bit 2: Number of Stop Bits (STB).
pub const LCR_STB: u8 = 1 << 2;
/// `LCR` bit 3: Parity Enable (PEN).
pub const LCR_PEN: u8 = 1 << 3;
/// `LCR` bit 4: Even Parity Select (EPS).
pub const LCR_EPS: u8 = 1 << 4;
/// `LCR` bit 5: Stick Parity.
pub const LCR_STICK_PARITY: u8 = 1 << 5;
/// `LCR` bit 6: Set Break.
pub const LCR_SET_BREAK: u8 = 1 << 6;
/// `LCR` bit 7: Divisor Latch Access Bit (DLAB).
pub const LCR_DLAB: u8 = 1 << 7;

/// `MCR` bit 0: Data Terminal Ready (DTR).
pub const MCR_DTR: u8 = 1 << 0;
/// `MCR` bit 1: Request to Send (RTS).
pub const MCR_RTS: u8 = 1 << 1;
/// `MCR` bit 2: OUT 1.
pub const MCR_OUT1: u8 = 1 << 2;
/// `MCR` bit 3: OUT 2 (on a PC it enables the IRQ line's driver).
pub const MCR_OUT2: u8 = 1 << 3;
/// `MCR` bit 4: Loop (local loopback diagnostic mode).
pub const MCR_LOOP: u8 = 1 << 4;
/// Writable bits of `MCR` (bits 7:5 are always 0).
pub const MCR_MASK: u8 = MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2 | MCR_LOOP;

/// `LSR` bit 0: Data Ready (DR).
pub const LSR_DR: u8 = 1 << 0;
/// `LSR` bit 1: Overrun Error (OE).
pub const LSR_OE: u8 = 1 << 1;
/// `LSR` bit 2: Parity Error (PE).
pub const LSR_PE: u8 = 1 << 2;
/// `LSR` bit 3: Framing Error (FE).
pub const LSR_FE: u8 = 1 << 3;
/// `LSR` bit 4: Break Interrupt (BI).
pub const LSR_BI: u8 = 1 << 4;
/// `LSR` bit 5: Transmitter Holding Register Empty (THRE).
pub const LSR_THRE: u8 = 1 << 5;
/// `LSR` bit 6: Transmitter Empty (TEMT).
pub const LSR_TEMT: u8 = 1 << 6;
/// `LSR` bit 7: Error in RCVR FIFO (FIFO mode).
pub const LSR_RCVR_FIFO_ERROR: u8 = 1 << 7;
/// The `LSR` error bits that raise the Receiver Line Status interrupt.
pub const LSR_LINE_STATUS_ERRORS: u8 = LSR_OE | LSR_PE | LSR_FE | LSR_BI;
/// Reset value of `LSR`: THRE and TEMT set.
pub const LSR_RESET: u8 = LSR_THRE | LSR_TEMT;

/// `MSR` bit 0: Delta Clear to Send (DCTS).
pub const MSR_DCTS: u8 = 1 << 0;
/// `MSR` bit 1: Delta Data Set Ready (DDSR).
pub const MSR_DDSR: u8 = 1 << 1;
/// `MSR` bit 2: Trailing Edge Ring Indicator (TERI): RI went from 1 to 0.
pub const MSR_TERI: u8 = 1 << 2;
/// `MSR` bit 3: Delta Data Carrier Detect (DDCD).
pub const MSR_DDCD: u8 = 1 << 3;
/// The `MSR` delta bits 3:0, cleared by reading `MSR`.
pub const MSR_DELTAS: u8 = MSR_DCTS | MSR_DDSR | MSR_TERI | MSR_DDCD;
/// `MSR` bit 4: Clear to Send (CTS).
pub const MSR_CTS: u8 = 1 << 4;
/// `MSR` bit 5: Data Set Ready (DSR).
pub const MSR_DSR: u8 = 1 << 5;
/// `MSR` bit 6: Ring Indicator (RI).
pub const MSR_RI: u8 = 1 << 6;
/// `MSR` bit 7: Data Carrier Detect (DCD).
pub const MSR_DCD: u8 = 1 << 7;
/// `MSR` bits 7:4 outside loopback: a terminal is connected (CTS, DSR and
/// DCD asserted, no ring). This is also the reset value.
pub const MSR_CONNECTED: u8 = MSR_CTS | MSR_DSR | MSR_DCD;

/// Depth of the receive FIFO with `FCR` bit 0 set.
pub const FIFO_DEPTH: usize = 16;
