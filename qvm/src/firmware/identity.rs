//! The identity map an x86 guest starts on in long mode (an ELF64 image
//! without a multiboot header, `pc.rs`; a Linux bzImage, `pc_linux.rs`):
//! `qvm::arch::x86_64::long_mode`'s tables written at the top of the
//! first RAM region, clear of what else the guest finds there.

use crate::guestmem::GuestMem;
use alloc::string::String;
use alloc::vec::Vec;
use qvm::arch::x86_64::long_mode;
use qvm::layout::VmLayout;
use qvm::loader::{Placed, Ram};
use qvm::multiboot::Module;

/// Writes the identity map of a long-mode start at the top of `ram`,
/// clear of the image, the modules and `acpi`; its range (the PML4 first).
pub fn write_identity_map(
    layout: &VmLayout,
    mem: &mut GuestMem,
    placed: &Placed,
    ram: Ram,
    modules: &[Module<'_>],
    acpi: (&str, u64, u64),
) -> Result<(u64, u64), String> {
    let memory_end = layout
        .memory
        .iter()
        .map(|m| m.region.end())
        .max()
        .unwrap_or(0);
    let top = long_mode::map_top(memory_end)
        .ok_or("the guest's memory reaches past what a long-mode identity map covers")?;
    let names: Vec<String> = modules
        .iter()
        .map(|m| alloc::format!("module \"{}\"", m.string))
        .collect();
    let mut taken = alloc::vec![("the image", placed.span.0, placed.span.1), acpi];
    for (m, name) in modules.iter().zip(&names) {
        taken.push((name.as_str(), m.start, m.end));
    }
    let len = long_mode::tables_len(top);
    let base = long_mode::place_tables(ram, len, &taken)?;
    mem.write(base, &long_mode::identity_map(top, base))?;
    Ok((base, base + len))
}
