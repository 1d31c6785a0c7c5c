//! What the x86 firmware tells the kernel, read before the kernel has a
//! heap: the boot hand-off (PVH: Xen's `hvm_start_info`,
//! `xen/include/public/arch-x86/hvm/start_info.h`; or Multiboot2: the
//! Multiboot2 Specification 2.0, §3.6) and the ACPI tables (ACPI 6.5
//! chapter 5: RSDP, RSDT/XSDT, MADT, FADT). [`read`] gives an
//! [`X86Board`], the x86 counterpart of [`crate::board::Board`].
//!
//! The parsers never dereference a pointer: they read physical memory
//! through [`PhysMem`], which the kernel implements over its identity map
//! and tests implement over a byte arena ([`SliceMem`]). Every read is
//! bounds-checked, and no length, count or address the firmware gives is
//! trusted: tables are bounded, loops advance on every pass and end at
//! bounded counts, and a bad structure is a [`FirmwareError`] naming it.
//! No `alloc`: lists are `heapless` vectors of fixed capacity.
//!
//! Crates considered:
//! - `acpi` (rust-osdev; 5.x, and 7.0.0-pre): its entry points
//!   (`AcpiTables::from_rsdp`) are `unsafe fn`s and it reads through a
//!   handler whose `map_physical_region` is an `unsafe fn` handing back
//!   raw pointers, so we would write unsafe code to use it, and its
//!   processor and interrupt model lists need `alloc`. Only the RSDP, the
//!   root table, the MADT and two FADT registers are needed: parsed here.
//! - `multiboot2` (0.28): `BootInformation::load` is an `unsafe fn` taking
//!   a raw pointer and reads the boot information through references, not
//!   through a bounds-checked reader. Five tag types are needed: parsed
//!   here.

mod board;
mod error;
mod fadt;
mod madt;
mod multiboot2;
mod phys;
mod pvh;
mod ranges;
mod records;
mod rsdp;
mod s5;
mod sdt;
#[cfg(test)]
mod tests;
mod view;

pub use board::{
    Cpu, IsaIrq, LOW_PAGE_LIMIT, LOW_PAGE_MIN, MAX_BOOT_DATA, MAX_IOAPICS, MAX_LOW_RANGES,
    MAX_MODULES, MAX_NMIS, MAX_OVERRIDES, Module, PAGE_SIZE, Text, X86Board,
};
pub use error::FirmwareError;
pub use fadt::PM_TIMER_HZ;
pub use multiboot2::MAX_INFO_SIZE;
pub use phys::{Handoff, OutOfRange, PhysMem, SliceMem};
pub use pvh::{MAX_CMDLINE, MAX_MEMMAP_ENTRIES, PVH_MAGIC};
pub use ranges::{E820_RAM, LOW_MEMORY_END};
pub use records::{
    AddressSpace, Gas, IoApic, IrqOverride, LapicNmi, PmTimer, Polarity, ResetRegister, Trigger,
};
pub use sdt::MAX_TABLE_LEN;

/// Reads the hand-off, then the ACPI tables: the RSDP the hand-off gives
/// (else the legacy scan finds), the XSDT or RSDT, the MADT (required) and
/// the FADT (optional).
pub fn read(handoff: Handoff, mem: &impl PhysMem) -> Result<X86Board, FirmwareError> {
    let mem: &dyn PhysMem = mem;
    let mut board = X86Board::empty(handoff);
    let rsdp_hint = match handoff {
        Handoff::Pvh(addr) => pvh::read(mem, addr, &mut board)?,
        Handoff::Multiboot2(addr) => multiboot2::read(mem, addr, &mut board)?,
    };
    ranges::finish(&mut board)?;

    let root = rsdp::locate(mem, rsdp_hint)?;
    board.rsdp = root.rsdp;
    board.root_table = root.table;
    let madt = sdt::find(mem, &root, madt::MADT_SIGNATURE, "MADT")?.ok_or(FirmwareError::NoMadt)?;
    madt::read(&madt, &mut board)?;
    if let Some(fadt) = sdt::find(mem, &root, fadt::FADT_SIGNATURE, "FADT")? {
        fadt::read(&fadt, &mut board)?;
    }
    // A DSDT that cannot be read costs only the power-off.
    if let Some(dsdt) = board.dsdt
        && let Ok(table) = sdt::table(mem, dsdt, s5::DSDT_SIGNATURE, "DSDT")
    {
        board.s5 = s5::find(&table);
    }
    Ok(board)
}
