//! Guest core dumps (`dump DIR`): an ELF core file of the guest as `gdb`
//! and `crash` read a hypervisor's dump of a machine (QEMU's
//! `dump-guest-memory` writes the same shape). `ET_CORE`, then one
//! `PT_NOTE` with an `NT_PRSTATUS` per vCPU (the Linux `elf_prstatus` of
//! the machine, its registers in `user_pt_regs` order on AArch64,
//! `user_regs_struct` order on x86-64, r0-r15, cpsr, orig_r0 on 32-bit
//! ARM: [`regs`]), then one `PT_LOAD` per guest RAM region with `p_paddr
//! = p_vaddr` = its guest-physical address. ELF64 for AArch64 and x86-64
//! guests; ELF32 for an AArch32 VM, whose regions are cut at 4 GiB (the
//! bytes `headers.rs` writes).
//!
//! Only the headers are built here ([`CoreLayout`]): the RAM itself is
//! copied by the caller straight from the guest to the file at the
//! offsets the layout gives, page-aligned, so a dump never needs the
//! guest's RAM twice in memory.

mod headers;
mod machine;
pub mod regs;
#[cfg(test)]
mod tests;

use alloc::vec::Vec;
use headers::{Segment, elf_header, header_sizes, notes, phdr};
pub use machine::{CpuState, ELF32_LIMIT, Machine, RamRegion};

/// The RAM of each `PT_LOAD` starts at a multiple of this in the file.
pub const DATA_ALIGN: u64 = 4096;

/// Where everything goes in a core file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreLayout {
    /// The ELF header, program headers and notes: the first bytes of the
    /// file, padded with zeros to the first region's offset.
    pub headers: Vec<u8>,
    /// The regions the core holds ([`Machine::regions`]), in the order
    /// given: the bytes to copy to [`CoreLayout::offsets`].
    pub regions: Vec<RamRegion>,
    /// The file offset of each region's bytes.
    pub offsets: Vec<u64>,
    /// The whole file's length.
    pub total: u64,
}

/// Where each of `regions` goes in the file from `first` on, page by
/// page, and how many of its bytes: all of them, but in an ELF32 core
/// none at or past 4 GiB of file (the regions from there are left out).
fn file_places(machine: Machine, regions: &[RamRegion], first: u64) -> Vec<(u64, u64)> {
    let mut at = first;
    let mut places = Vec::with_capacity(regions.len());
    for r in regions {
        let len = if machine.is_elf32() {
            if at >= ELF32_LIMIT {
                break;
            }
            r.len.min(ELF32_LIMIT - at)
        } else {
            r.len
        };
        places.push((at, len));
        at = at.saturating_add(len).next_multiple_of(DATA_ALIGN);
    }
    places
}

/// Lays out the core of a `machine` guest with `cpus` and `regions` (of
/// an ELF32 core, those below 4 GiB, as far as its 32-bit offsets reach).
pub fn layout(machine: Machine, cpus: &[CpuState], regions: &[RamRegion]) -> CoreLayout {
    let mut regions = machine.regions(regions);
    let (ehdr_size, phdr_size) = header_sizes(machine);
    let notes = notes(machine, cpus);
    // With fewer regions the headers are shorter: place again until every
    // region kept has its place.
    let (notes_at, places) = loop {
        let notes_at = ehdr_size + (1 + regions.len()) * phdr_size;
        let first = ((notes_at + notes.len()) as u64).next_multiple_of(DATA_ALIGN);
        let places = file_places(machine, &regions, first);
        if places.len() == regions.len() {
            break (notes_at, places);
        }
        regions.truncate(places.len());
    };
    for (r, &(_, len)) in regions.iter_mut().zip(&places) {
        r.len = len;
    }
    let offsets: Vec<u64> = places.iter().map(|&(at, _)| at).collect();
    let total = match (offsets.last(), regions.last()) {
        (Some(&o), Some(r)) => o.saturating_add(r.len),
        _ => (notes_at + notes.len()) as u64,
    };
    let mut h = Vec::with_capacity(notes_at + notes.len());
    elf_header(&mut h, machine, 1 + regions.len());
    let note = Segment {
        kind: elf::abi::PT_NOTE,
        flags: 0,
        offset: notes_at as u64,
        gpa: 0,
        len: notes.len() as u64,
        align: 4,
    };
    phdr(&mut h, machine, &note);
    for (r, &o) in regions.iter().zip(&offsets) {
        let load = Segment {
            kind: elf::abi::PT_LOAD,
            flags: elf::abi::PF_R | elf::abi::PF_W | elf::abi::PF_X,
            offset: o,
            gpa: r.gpa,
            len: r.len,
            align: DATA_ALIGN,
        };
        phdr(&mut h, machine, &load);
    }
    h.extend_from_slice(&notes);
    let first = offsets.first().map_or(h.len(), |&o| o as usize);
    h.resize(first, 0);
    CoreLayout {
        headers: h,
        regions,
        offsets,
        total,
    }
}
