//! 8254 port offsets, control-word fields and status bits, named as in
//! Intel's "8254 Programmable Interval Timer" datasheet (order number
//! 231164): "Control Word Format", "Read-Back Command Format" and "Status
//! Byte". Then how a PC wires it, and the PC's NMI status and control
//! register at port 0x61, named as in Intel's I/O controller hub datasheets
//! (`NMI_SC`, later `NMI_STS_CNT`).
//!
//! Offsets are from the base port (A1, A0): 0x40 on a PC.

/// The input clock of every counter on a PC (CLK0..2), in Hz: 1.193182 MHz.
pub const PIT_HZ: u64 = 1_193_182;

/// The PC's I/O port of the 8254 (counter 0).
pub const PIT_BASE_PORT: u16 = 0x40;
/// Number of ports the 8254 decodes.
pub const WINDOW: u64 = 4;

/// Counter 0 (A1 A0 = 00): its output is the PC's timer interrupt.
pub const COUNTER0: u64 = 0;
/// Counter 1 (A1 A0 = 01): DRAM refresh on old PCs, unused now.
pub const COUNTER1: u64 = 1;
/// Counter 2 (A1 A0 = 10): the speaker, gated by port 0x61.
pub const COUNTER2: u64 = 2;
/// Control Word Register (A1 A0 = 11, write-only).
pub const CONTROL: u64 = 3;
/// What a read of [`CONTROL`] returns: the datasheet's "no-operation
/// (3-state)", which a PC's bus reads as all ones.
pub const CONTROL_READ: u8 = 0xFF;

/// ISA interrupt line of counter 0's output (the 8259's IR0).
pub const IRQ: u32 = 0;
/// I/O APIC pin of counter 0's output (ACPI's interrupt source override
/// of ISA IRQ 0).
pub const IOAPIC_PIN: u32 = 2;

/// Control word field `SC1 SC0` (bits 7:6): the counter to program.
pub const CW_SC_SHIFT: u8 = 6;
/// `SC1 SC0` = 11: the Read-Back command.
pub const SC_READ_BACK: u8 = 0b11;
/// Control word field `RW1 RW0` (bits 5:4): how the count is accessed.
pub const CW_RW_SHIFT: u8 = 4;
/// Mask of `RW1 RW0` once shifted down.
pub const CW_RW_MASK: u8 = 0b11;
/// `RW1 RW0` = 00: Counter Latch command.
pub const RW_LATCH: u8 = 0b00;
/// `RW1 RW0` = 01: read/write least significant byte only.
pub const RW_LSB: u8 = 0b01;
/// `RW1 RW0` = 10: read/write most significant byte only.
pub const RW_MSB: u8 = 0b10;
/// `RW1 RW0` = 11: least significant byte first, then most significant.
pub const RW_LSB_MSB: u8 = 0b11;
/// Control word field `M2 M1 M0` (bits 3:1): the mode.
pub const CW_M_SHIFT: u8 = 1;
/// Mask of `M2 M1 M0` once shifted down.
pub const CW_M_MASK: u8 = 0b111;
/// Control word bit 0 `BCD`: binary coded decimal counter (4 decades).
pub const CW_BCD: u8 = 1 << 0;
/// The control word bits a counter keeps (`RW1 RW0 M2 M1 M0 BCD`): also
/// bits 5:0 of its status byte.
pub const CW_PROGRAM: u8 = 0x3F;

/// Read-Back command bit 5 `COUNT`: 0 latches the count of the selected
/// counters.
pub const RB_COUNT: u8 = 1 << 5;
/// Read-Back command bit 4 `STATUS`: 0 latches the status of the selected
/// counters.
pub const RB_STATUS: u8 = 1 << 4;
/// Read-Back command bit 1 `CNT 0`: select counter 0 (bit 2 counter 1,
/// bit 3 counter 2).
pub const RB_CNT0: u8 = 1 << 1;
/// Read-Back command bit 2 `CNT 1`: select counter 1.
pub const RB_CNT1: u8 = 1 << 2;
/// Read-Back command bit 3 `CNT 2`: select counter 2.
pub const RB_CNT2: u8 = 1 << 3;

/// Status byte bit 7 `OUTPUT`: the state of the OUT pin.
pub const STATUS_OUTPUT: u8 = 1 << 7;
/// Status byte bit 6 `NULL COUNT`: the last count written has not been
/// loaded into the counting element yet.
pub const STATUS_NULL_COUNT: u8 = 1 << 6;

/// The PC's NMI status and control register ("port B").
pub const NMI_SC_PORT: u16 = 0x61;
/// `NMI_SC` bit 0 `TIM_CNT2_EN`: counter 2's GATE.
pub const NMI_SC_TIM_CNT2_EN: u8 = 1 << 0;
/// `NMI_SC` bit 1 `SPKR_DAT_EN`: counter 2's OUT drives the speaker.
pub const NMI_SC_SPKR_DAT_EN: u8 = 1 << 1;
/// `NMI_SC` bit 2 `PCI_SERR_EN`: 1 disables the SERR# NMI source.
pub const NMI_SC_PCI_SERR_EN: u8 = 1 << 2;
/// `NMI_SC` bit 3 `IOCHK_NMI_EN`: 1 disables the IOCHK# NMI source.
pub const NMI_SC_IOCHK_NMI_EN: u8 = 1 << 3;
/// `NMI_SC` bit 4 `REF_TOGGLE` (read-only): the refresh cycle toggle.
pub const NMI_SC_REF_TOGGLE: u8 = 1 << 4;
/// `NMI_SC` bit 5 `TMR2_OUT_STS` (read-only): counter 2's OUT.
pub const NMI_SC_TMR2_OUT_STS: u8 = 1 << 5;
/// `NMI_SC` bit 6 `IOCHK_NMI_STS` (read-only): an IOCHK# NMI is pending.
pub const NMI_SC_IOCHK_NMI_STS: u8 = 1 << 6;
/// `NMI_SC` bit 7 `SERR_NMI_STS` (read-only): a SERR# NMI is pending.
pub const NMI_SC_SERR_NMI_STS: u8 = 1 << 7;
/// The bits of `NMI_SC` software writes (3:0); writes to 7:4 are ignored.
pub const NMI_SC_WRITABLE: u8 = 0x0F;
