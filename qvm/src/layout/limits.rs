//! The host kernel's limits on a VM (`abi::guest`) as placement checks them,
//! so that a layout `qvm`, `cargo xtask qvm-check` and `cargo xtask image`
//! accept is one the kernel takes: the guest-physical space (page 0 and the
//! 39-bit top), page alignment, the most memory a VM may have. The guest
//! architecture's own limits (its interrupt controller's windows, vCPUs and
//! lines) are in `crate::arch`. What only the running host knows, its free
//! memory, is [`check_host_memory`], which `qvm` calls before it maps
//! anything.

use alloc::format;

use crate::config::{Config, ConfigError};
use crate::units::size;

pub use super::host::check_host_memory;
pub use crate::units::size_word;
pub use abi::{GUEST_PA_BITS, GUEST_PA_MIN, GUEST_PA_TOP, VM_RAM_MAX};

/// Guest pages: every region's address and size are multiples of this.
pub const PAGE_SIZE: u64 = abi::PAGE_SIZE as u64;

/// Each `ram` and `rom`, and all of them together, within [`VM_RAM_MAX`]:
/// the kernel maps no more for one VM.
pub(super) fn check_memory(config: &Config) -> Result<(), ConfigError> {
    let mut total: u64 = 0;
    for m in &config.memory {
        let what = format!("{} {}", m.kind.keyword(), size_word(m.size));
        if m.size > VM_RAM_MAX {
            return Err(m.origin.error(format!(
                "{what}: more than a VM may have (at most {}, RAM and ROM together)",
                size(VM_RAM_MAX)
            )));
        }
        total = total.saturating_add(m.size);
        if total > VM_RAM_MAX {
            return Err(m.origin.error(format!(
                "{what}: the VM's RAM and ROM come to {}, more than a VM may have (at most {})",
                size(total),
                size(VM_RAM_MAX)
            )));
        }
    }
    Ok(())
}
