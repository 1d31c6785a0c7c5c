//! Keyboard controller ports, status and command-byte bits, output-port
//! bits and commands, as the IBM PC AT and PS/2 technical references
//! describe the 8042's firmware (Linux's `i8042.h` uses the same meanings),
//! and the keyboard's answers.

/// Offset of the data port (0x60).
pub const DATA: u64 = 0;
/// Offset of the status (read) and command (write) port (0x64).
pub const STATUS: u64 = 4;

/// Status: output buffer full.
pub const STATUS_OBF: u8 = 0x01;
/// Status: input buffer full (always 0 here).
pub const STATUS_IBF: u8 = 0x02;
/// Status: system flag.
pub const STATUS_SYS: u8 = 0x04;
/// Status: the last write was a command (0x64), not data (0x60).
pub const STATUS_CMD: u8 = 0x08;
/// Status: keyboard not inhibited (the keylock switch; always 1).
pub const STATUS_INH: u8 = 0x10;

/// Command byte: keyboard interrupt enable.
pub const CCB_KBD_INT: u8 = 0x01;
/// Command byte: aux interrupt enable (stored only).
pub const CCB_AUX_INT: u8 = 0x02;
/// Command byte: system flag.
pub const CCB_SYS: u8 = 0x04;
/// Command byte: keyboard disabled.
pub const CCB_KBD_DIS: u8 = 0x10;
/// Command byte: aux device disabled.
pub const CCB_AUX_DIS: u8 = 0x20;
/// Command byte: translate to scan-code set 1 (stored only).
pub const CCB_XLAT: u8 = 0x40;

/// Output port: system reset, active low.
pub const OUT_RESET: u8 = 0x01;
/// Output port: A20 gate.
pub const OUT_A20: u8 = 0x02;

/// Command: read the command byte.
pub const CMD_READ_CCB: u8 = 0x20;
/// Command: write the command byte (next data byte).
pub const CMD_WRITE_CCB: u8 = 0x60;
/// Command: disable the aux device.
pub const CMD_AUX_DISABLE: u8 = 0xA7;
/// Command: enable the aux device.
pub const CMD_AUX_ENABLE: u8 = 0xA8;
/// Command: aux interface test.
pub const CMD_AUX_TEST: u8 = 0xA9;
/// Command: controller self-test (answers 0x55).
pub const CMD_SELF_TEST: u8 = 0xAA;
/// Command: keyboard interface test (answers 0x00).
pub const CMD_KBD_TEST: u8 = 0xAB;
/// Command: disable the keyboard.
pub const CMD_KBD_DISABLE: u8 = 0xAD;
/// Command: enable the keyboard.
pub const CMD_KBD_ENABLE: u8 = 0xAE;
/// Command: read the output port.
pub const CMD_READ_OUTPUT: u8 = 0xD0;
/// Command: write the output port (next data byte).
pub const CMD_WRITE_OUTPUT: u8 = 0xD1;
/// Command: write the keyboard output buffer (next data byte).
pub const CMD_WRITE_KBD_OUT: u8 = 0xD2;
/// Command: write the aux output buffer (next data byte; dropped here).
pub const CMD_WRITE_AUX_OUT: u8 = 0xD3;
/// Command: write to the aux device (next data byte; dropped here).
pub const CMD_WRITE_AUX: u8 = 0xD4;
/// Command: pulse output line 0, the CPU reset.
pub const CMD_PULSE_RESET: u8 = 0xFE;

/// Keyboard answer: acknowledge.
pub const KBD_ACK: u8 = 0xFA;
/// Keyboard answer: basic assurance test passed.
pub const KBD_BAT_OK: u8 = 0xAA;
