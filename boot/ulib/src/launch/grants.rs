//! The device grants of a `dev=SELECTOR` word (the device regions the
//! selector names: a device tree path, `0xADDR`, `0xADDR,0xLEN` or a
//! `compatible` string): the launcher must hold a grant for each region,
//! and none may be the kernel's. A line without such words gives its
//! program no device.

use abi::{DEVICE_GRANTED, DEVICE_KERNEL, Grants};
use alloc::format;
use alloc::string::String;

use crate::device;

/// Adds the regions `selector` (from `word`) names to `grants`; the
/// message that says why not, where `who` is the launcher's name.
pub fn add_devices(
    who: &str,
    word: &str,
    selector: &str,
    grants: &mut Grants,
) -> Result<(), String> {
    let rows = device::list(selector).map_err(|e| format!("{word}: {}", e.name()))?;
    if rows.is_empty() {
        return Err(format!("{word} names no device"));
    }
    for row in &rows {
        if row.flags & DEVICE_KERNEL != 0 {
            return Err(format!("{word}: {} is the kernel's", row.path()));
        }
        if row.flags & DEVICE_GRANTED == 0 {
            return Err(format!("{word}: {} is not {who}'s to give", row.path()));
        }
        grants.add_device(row.index as usize);
    }
    Ok(())
}
