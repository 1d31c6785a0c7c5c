//! What only the running host knows: whether its free memory holds the
//! VM's (`qvm` checks it before it maps anything; re-exported by
//! `limits`).

use alloc::format;
use alloc::string::String;

use super::VmLayout;
use super::limits::PAGE_SIZE;
use crate::units::size_word;

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
