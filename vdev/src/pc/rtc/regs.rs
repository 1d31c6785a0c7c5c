//! MC146818A register indexes and bits, named as in the Motorola
//! MC146818A datasheet ("Address Map", "Register A" to "Register D"),
//! plus the PC's century byte and NMI mask bit.

/// Seconds register (index 0x00).
pub const SECONDS: u8 = 0x00;
/// Seconds alarm register.
pub const SECONDS_ALARM: u8 = 0x01;
/// Minutes register.
pub const MINUTES: u8 = 0x02;
/// Minutes alarm register.
pub const MINUTES_ALARM: u8 = 0x03;
/// Hours register.
pub const HOURS: u8 = 0x04;
/// Hours alarm register.
pub const HOURS_ALARM: u8 = 0x05;
/// Day of week register (1 = Sunday).
pub const DAY_OF_WEEK: u8 = 0x06;
/// Date of month register.
pub const DATE_OF_MONTH: u8 = 0x07;
/// Month register.
pub const MONTH: u8 = 0x08;
/// Year register.
pub const YEAR: u8 = 0x09;
/// Register A: UIP, DV2-DV0, RS3-RS0.
pub const REGISTER_A: u8 = 0x0A;
/// Register B: SET, PIE, AIE, UIE, SQWE, DM, 24/12, DSE.
pub const REGISTER_B: u8 = 0x0B;
/// Register C (read-only): IRQF, PF, AF, UF.
pub const REGISTER_C: u8 = 0x0C;
/// Register D (read-only): VRT.
pub const REGISTER_D: u8 = 0x0D;
/// The century byte in CMOS RAM, where PCs keep it (ACPI FADT `CENTURY`).
pub const CENTURY: u8 = 0x32;

/// Register A: update in progress (read-only).
pub const UIP: u8 = 0x80;
/// Register A: divider select DV2-DV0 (0b010 = 32.768 kHz).
pub const DV: u8 = 0x70;
/// Register A: rate select RS3-RS0 of the periodic interrupt.
pub const RS: u8 = 0x0F;
/// Register B: stop updates so the time can be set.
pub const SET: u8 = 0x80;
/// Register B: periodic interrupt enable.
pub const PIE: u8 = 0x40;
/// Register B: alarm interrupt enable.
pub const AIE: u8 = 0x20;
/// Register B: update-ended interrupt enable.
pub const UIE: u8 = 0x10;
/// Register B: square-wave enable (stored only).
pub const SQWE: u8 = 0x08;
/// Register B: data mode, 1 = binary, 0 = BCD.
pub const DM: u8 = 0x04;
/// Register B: the 24/12 bit, 1 = 24-hour mode.
pub const HOURS_24: u8 = 0x02;
/// Register B: daylight-saving enable (stored only).
pub const DSE: u8 = 0x01;
/// Register C: interrupt request flag.
pub const IRQF: u8 = 0x80;
/// Register C: periodic interrupt flag.
pub const PF: u8 = 0x40;
/// Register C: alarm interrupt flag.
pub const AF: u8 = 0x20;
/// Register C: update-ended interrupt flag.
pub const UF: u8 = 0x10;
/// Register D: valid RAM and time.
pub const VRT: u8 = 0x80;
/// Index port bit 7 on a PC: NMI disabled.
pub const NMI_MASK: u8 = 0x80;
