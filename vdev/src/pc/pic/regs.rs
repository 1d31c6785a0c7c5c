//! 8259A command words and their bits, named as in the datasheet (Intel
//! 231468, "Initialization Command Words", "Operation Command Words").

/// ICW1: ICW4 needed.
pub const ICW1_IC4: u8 = 0x01;
/// ICW1: single (no ICW3).
pub const ICW1_SNGL: u8 = 0x02;
/// ICW1: call address interval 4 (MCS-80/85 mode; stored only).
pub const ICW1_ADI: u8 = 0x04;
/// ICW1: level triggered mode (stored only).
pub const ICW1_LTIM: u8 = 0x08;
/// ICW1 marker: D4 = 1 on a write to offset 0.
pub const ICW1_INIT: u8 = 0x10;
/// ICW4: 8086/8088 mode (else MCS-80/85).
pub const ICW4_UPM: u8 = 0x01;
/// ICW4: automatic end of interrupt.
pub const ICW4_AEOI: u8 = 0x02;
/// ICW4: buffered-mode master/slave (stored only).
pub const ICW4_MS: u8 = 0x04;
/// ICW4: buffered mode (stored only).
pub const ICW4_BUF: u8 = 0x08;
/// ICW4: special fully nested mode (stored only).
pub const ICW4_SFNM: u8 = 0x10;
/// OCW2: the R, SL and EOI bits (the command).
pub const OCW2_CMD: u8 = 0xE0;
/// OCW2: the level L2-L0 acted upon.
pub const OCW2_LEVEL: u8 = 0x07;
/// OCW2 command: non-specific EOI.
pub const OCW2_EOI: u8 = 0x20;
/// OCW2 command: specific EOI.
pub const OCW2_SPECIFIC_EOI: u8 = 0x60;
/// OCW2 command: rotate on non-specific EOI.
pub const OCW2_ROTATE_EOI: u8 = 0xA0;
/// OCW2 command: rotate in automatic EOI mode (set).
pub const OCW2_ROTATE_AEOI_SET: u8 = 0x80;
/// OCW2 command: rotate in automatic EOI mode (clear).
pub const OCW2_ROTATE_AEOI_CLEAR: u8 = 0x00;
/// OCW2 command: rotate on specific EOI.
pub const OCW2_ROTATE_SPECIFIC_EOI: u8 = 0xE0;
/// OCW2 command: set priority (L becomes the lowest).
pub const OCW2_SET_PRIORITY: u8 = 0xC0;
/// OCW3 marker: D3 = 1 (D4 = 0) on a write to offset 0.
pub const OCW3_SEL: u8 = 0x08;
/// OCW3: enable special mask mode change.
pub const OCW3_ESMM: u8 = 0x40;
/// OCW3: special mask mode.
pub const OCW3_SMM: u8 = 0x20;
/// OCW3: poll command.
pub const OCW3_P: u8 = 0x04;
/// OCW3: read register command.
pub const OCW3_RR: u8 = 0x02;
/// OCW3: read ISR (else IRR), with RR.
pub const OCW3_RIS: u8 = 0x01;
