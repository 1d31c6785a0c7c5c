//! The resource descriptors (ACPI 6.4 §6.4) the DSDT's `_CRS` templates
//! are made of: a device's register window and its interrupt, as the
//! virtio-mmio devices (`devices.rs`) and the shmem devices (`shmem.rs`)
//! give them.

use super::sdt::Bytes;

/// Large resource item 0x06, 32-bit Fixed Memory Range Descriptor
/// (§6.4.3.4), and its length after the 3-byte header.
const MEMORY32_FIXED: u8 = 0x86;
const MEMORY32_FIXED_LEN: u16 = 9;
/// Its information byte: bit 0, read/write.
const MEMORY_READ_WRITE: u8 = 1 << 0;
/// Large resource item 0x09, Extended Interrupt Descriptor (§6.4.3.6).
const EXTENDED_INTERRUPT: u8 = 0x89;
/// Its length for one interrupt: flags, table length, one DWORD.
const EXTENDED_INTERRUPT_LEN: u16 = 6;
/// Its flags: bit 0 consumer; bit 1 clear, level-triggered; bit 2
/// clear, active-high; bit 3 clear, exclusive.
const INTERRUPT_CONSUMER_LEVEL_HIGH: u8 = 1 << 0;

/// Appends `Memory32Fixed (ReadWrite, base, size)`.
pub fn memory32_fixed(r: &mut Bytes, base: u32, size: u32) {
    r.u8(MEMORY32_FIXED)
        .u16(MEMORY32_FIXED_LEN)
        .u8(MEMORY_READ_WRITE)
        .u32(base)
        .u32(size);
}

/// Appends `Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive)
/// { gsi }`.
pub fn level_interrupt(r: &mut Bytes, gsi: u32) {
    r.u8(EXTENDED_INTERRUPT)
        .u16(EXTENDED_INTERRUPT_LEN)
        .u8(INTERRUPT_CONSUMER_LEVEL_HIGH)
        .u8(1)
        .u32(gsi);
}
