//! The device grants of a startup line: `dev=SELECTOR` (the device regions
//! the selector names: a device tree path, `0xADDR`, `0xADDR,0xLEN` or a
//! `compatible` string) and `irq=N` (interrupt INTID N) before the program
//! give it the right to map those regions and attach that interrupt.
//! `init` holds every device and interrupt the kernel does not use; a line
//! without these words gives its program none.

use abi::{DEVICE_GRANTED, DEVICE_KERNEL, Grants, MAX_INTID};
use alloc::format;
use alloc::string::String;
use ulib::device;

/// Adds what `word` grants to `grants`: `Ok(false)` if it is not a grant
/// word, an error message if it names nothing `init` can give.
pub fn add(word: &str, grants: &mut Grants) -> Result<bool, String> {
    if let Some(selector) = word.strip_prefix("dev=") {
        let rows = device::list(selector).map_err(|e| format!("{word}: {}", e.name()))?;
        if rows.is_empty() {
            return Err(format!("{word} names no device"));
        }
        for row in &rows {
            if row.flags & DEVICE_KERNEL != 0 {
                return Err(format!("{word}: {} is the kernel's", row.path()));
            }
            if row.flags & DEVICE_GRANTED == 0 {
                return Err(format!("{word}: {} is not init's to give", row.path()));
            }
            grants.add_device(row.index as usize);
        }
        return Ok(true);
    }
    if let Some(number) = word.strip_prefix("irq=") {
        match number.parse::<usize>() {
            Ok(n) if n < MAX_INTID => grants.add_irq(n),
            _ => return Err(format!("{word}: not an INTID (0 to {})", MAX_INTID - 1)),
        }
        return Ok(true);
    }
    Ok(false)
}
