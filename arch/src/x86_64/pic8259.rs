//! The PC's two legacy 8259A interrupt controllers (Intel 8259A data
//! sheet, "Programming the 8259A"), which the firmware may leave enabled
//! with their inputs at vectors 0x08-0x0F and 0x70-0x77: exceptions' and
//! others' vectors. The kernel takes interrupts through the I/O APIC, so
//! it moves the 8259s to 0x20-0x2F (never used otherwise) and masks every
//! input; a spurious IRQ 7 or 15 then arrives at 0x27 or 0x2F, where no
//! INTID is.

use x86_64::instructions::port::Port;

/// Command and data ports of the primary and secondary controllers.
const PRIMARY_COMMAND: u16 = 0x20;
const PRIMARY_DATA: u16 = 0x21;
const SECONDARY_COMMAND: u16 = 0xA0;
const SECONDARY_DATA: u16 = 0xA1;
/// ICW1: initialization, ICW4 follows (cascade mode, edge-triggered).
const ICW1_INIT_ICW4: u8 = 0x11;
/// ICW2: the vector bases.
const PRIMARY_BASE: u8 = 0x20;
const SECONDARY_BASE: u8 = 0x28;
/// ICW3: the secondary sits on the primary's IRQ 2.
const ICW3_PRIMARY_HAS_SECONDARY_ON_2: u8 = 1 << 2;
const ICW3_SECONDARY_ID_2: u8 = 2;
/// ICW4: 8086 mode.
const ICW4_8086: u8 = 0x01;
/// OCW1: every input masked.
const MASK_ALL: u8 = 0xFF;

/// Moves both controllers to vectors 0x20-0x2F and masks every input.
///
/// # Safety
/// Called once, on the boot CPU, with interrupts masked; nothing else
/// drives the 8259s.
pub unsafe fn disable() {
    let write = |port: u16, value: u8| {
        // SAFETY: the PC's fixed 8259 ports (the caller's promise).
        unsafe { Port::<u8>::new(port).write(value) };
    };
    write(PRIMARY_COMMAND, ICW1_INIT_ICW4);
    write(SECONDARY_COMMAND, ICW1_INIT_ICW4);
    write(PRIMARY_DATA, PRIMARY_BASE);
    write(SECONDARY_DATA, SECONDARY_BASE);
    write(PRIMARY_DATA, ICW3_PRIMARY_HAS_SECONDARY_ON_2);
    write(SECONDARY_DATA, ICW3_SECONDARY_ID_2);
    write(PRIMARY_DATA, ICW4_8086);
    write(SECONDARY_DATA, ICW4_8086);
    write(PRIMARY_DATA, MASK_ALL);
    write(SECONDARY_DATA, MASK_ALL);
}
