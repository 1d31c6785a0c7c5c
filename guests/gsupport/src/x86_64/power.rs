//! Power off and reset. Off is ACPI S5: SLP_TYPa (from the DSDT's
//! `\_S5_`) and SLP_EN written to the PM1a control block (ACPI 6.5,
//! 4.8.3.2.1 and 7.4.2); without a FADT the guest says so and halts with
//! interrupts off. Reset is the FADT's reset register if it has one, else
//! the 8042 keyboard controller's reset pulse.

use super::{cpu, platform, port};
use crate::acpi::fadt::{SPACE_IO, SPACE_MEMORY};
use crate::console;

/// PM1 control register: SLP_TYP at bits 12:10, SLP_EN bit 13 (table 4.13).
pub const PM1_CNT_SLP_TYP_SHIFT: u32 = 10;
/// See [`PM1_CNT_SLP_TYP_SHIFT`].
pub const PM1_CNT_SLP_EN: u16 = 1 << 13;
/// The 8042's command port and its "pulse output line 0" (reset) command.
const I8042_COMMAND: u16 = 0x64;
/// See [`I8042_COMMAND`].
const I8042_PULSE_RESET: u8 = 0xFE;

/// Powers the machine off (ACPI S5), or halts if it cannot.
pub fn system_off() -> ! {
    console::flush();
    let power = platform::get().map(|p| p.power).unwrap_or_default();
    if let (Some(pm1a), Some(typ)) = (power.pm1a_cnt, power.slp_typ_s5) {
        let value = (u16::from(typ & 7) << PM1_CNT_SLP_TYP_SHIFT) | PM1_CNT_SLP_EN;
        // SAFETY: entering S5 through the FADT's PM1a control block.
        unsafe { port::outw(pm1a, value) };
        // The write takes effect at once on QEMU; give a slow one time.
        super::tsc::delay_us(100_000);
    }
    // Not `println!`: an exception handler may come here while the code
    // it interrupted holds the console.
    console::emergency(format_args!("gsupport: no ACPI power-off; halting\n"));
    console::flush();
    cpu::halt()
}

/// Stops this CPU (interrupts off), the console flushed.
pub fn halt() -> ! {
    console::flush();
    cpu::halt()
}

/// Resets the machine.
pub fn system_reset() -> ! {
    console::flush();
    let reset = platform::get().and_then(|p| p.power.reset);
    match reset {
        // SAFETY: the FADT names this port as the reset register.
        Some(r) if r.space == SPACE_IO => unsafe { port::outb(r.addr as u16, r.value) },
        // SAFETY: the FADT names this address (below 4 GiB: mapped) as
        // the reset register.
        Some(r) if r.space == SPACE_MEMORY && r.addr < 1 << 32 => unsafe {
            (r.addr as usize as *mut u8).write_volatile(r.value)
        },
        _ => {}
    }
    super::tsc::delay_us(100_000);
    // SAFETY: the 8042's reset pulse restarts the machine.
    unsafe { port::outb(I8042_COMMAND, I8042_PULSE_RESET) };
    super::tsc::delay_us(100_000);
    console::emergency(format_args!(
        "gsupport: the machine did not reset; halting\n"
    ));
    halt()
}
