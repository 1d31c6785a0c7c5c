//! Stopping this CPU or the machine: what the boot path, the panic path
//! and the end of `init` share.

use crate::hw::Arch;
use arch::{Boot, Cpu};

/// Stops this CPU for good.
pub fn halt() -> ! {
    loop {
        Arch::wait_for_event();
    }
}

/// Powers the machine off through the firmware, or stops if that fails.
pub fn power_off() -> ! {
    let why = Arch::power_off();
    crate::kprintln!("qhv: cannot power off ({why}); halting");
    halt()
}
