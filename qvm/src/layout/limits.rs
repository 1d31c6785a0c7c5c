//! The host kernel's limits on a VM (`abi::guest`) as placement checks them,
//! so that a layout `qvm`, `cargo xtask qvm-check` and `cargo xtask image`
//! accept is one the kernel takes: the guest-physical space (page 0 and the
//! 39-bit top), page alignment, the GIC windows the kernel traps, the most
//! memory a VM may have, the SPIs its distributor offers. What only the
//! running host knows, its free memory, is [`check_host_memory`], which
//! `qvm` calls before it maps anything.

use alloc::format;
use alloc::string::String;

use super::VmLayout;
use super::defaults::GICV3_MAX_VCPUS;
use crate::config::{Config, ConfigError};
use crate::report::size;

pub use abi::{
    GICV2_GICC_SIZE, GICV2_GICD_SIZE, GICV3_GICD_SIZE, GICV3_GICR_STRIDE, GUEST_PA_BITS,
    GUEST_PA_MIN, GUEST_PA_TOP, VM_RAM_MAX,
};

/// Guest pages: every region's address and size are multiples of this.
pub const PAGE_SIZE: u64 = abi::PAGE_SIZE as u64;
/// First shared peripheral interrupt.
pub const SPI_FIRST: u32 = 32;
/// The last INTID a device may use: the last SPI the kernel's distributor
/// offers a VM.
pub const SPI_LAST: u32 = abi::VM_INTID_MAX;

// Placement's own vCPU limit is within the kernel's.
const _: () = assert!(GICV3_MAX_VCPUS as u64 <= abi::VM_VCPUS_MAX);

/// `64G`, `512M`, `4K` or hex: a size as a configuration writes it.
pub fn size_word(n: u64) -> String {
    for (shift, unit) in [(30, 'G'), (20, 'M'), (10, 'K')] {
        if n >= 1 << shift && n.is_multiple_of(1 << shift) {
            return format!("{}{unit}", n >> shift);
        }
    }
    format!("{n:#x}")
}

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

/// Bytes of stage-2 tables for `bytes` of guest memory: a 4 KiB table per
/// 2 MiB in the VM's space and again in `qvm`'s, where it is mapped too.
fn table_bytes(bytes: u64) -> u64 {
    bytes.div_ceil(2 << 20).saturating_mul(2 * PAGE_SIZE)
}

/// Whether the host's `free` bytes hold the VM's memory (and its page
/// tables); else which `ram` or `rom` does not fit:
/// `ram 2G at vm.qvmconf:3: the host has only 812 MiB free (...)`.
pub fn check_host_memory(layout: &VmLayout, free: u64) -> Result<(), String> {
    let mut total: u64 = 0;
    for m in &layout.memory {
        total = total.saturating_add(m.region.size);
        let need = total.saturating_add(table_bytes(total));
        if need > free {
            let mib = |n: u64| n >> 20;
            let upto = if core::ptr::eq(m, &layout.memory[0]) {
                "it needs"
            } else {
                "the VM's memory up to here needs"
            };
            return Err(format!(
                "{} {} at {}: the host has only {} MiB free ({upto} {} MiB with its page tables)",
                m.kind.keyword(),
                size_word(m.region.size),
                m.origin,
                mib(free),
                mib(need.div_ceil(1 << 20) << 20)
            ));
        }
    }
    Ok(())
}
