//! The x86-64 4-level long-mode page-table format (Intel SDM Vol. 3A, 4.5
//! "4-Level Paging", the tables "Format of a PML4 Entry" to "Format of a
//! Page-Table Entry that Maps a 4-KByte Page"; AMD APM Vol. 2, 5.3
//! "Long-Mode Page Translation"): AMD's nested page tables (APM Vol. 2,
//! 15.25 "Nested Paging": nCR3 roots a table of this very format) and,
//! later, the host's own tables.
//!
//! Four levels, PML4 to page table, translate 48-bit addresses; a leaf is
//! a 4 KiB page (a PTE) or a 2 MiB page (a PDE with PS set). A table entry
//! is present, writable and executable, so its leaf alone decides an
//! access. Normal memory is write-back (PWT and PCD clear: PAT entry 0);
//! device memory is uncacheable (PCD and PWT: PAT entry 3, UC in the
//! power-up PAT the host keeps) and never executable. In nested paging the
//! guest's own memory type combines with this one and UC wins (APM 15.25,
//! "Combining Memory Types, MTRRs"). Accessed is set in every entry and
//! dirty in every leaf beforehand: the walker tracks neither, and the
//! processor would otherwise set them with locked writes into tables the
//! kernel may be rewriting. G is never set (no leaf is global). NX needs
//! EFER.NXE, which the host keeps set (else bit 63 is reserved).
//!
//! U/S is the const parameter: [`LongMode<true>`] sets it in every entry,
//! which nested tables need (every nested access is a user access, so a
//! clear U/S at any level faults) and which a ring-3 process's pages need
//! too; [`LongMode<false>`] sets it in none, for supervisor-only maps. The
//! walker's [`DescriptorFormat`] has no per-page user flag, so one table
//! holds one kind of page.
//!
//! Long mode has no write-only or execute-only page: present means
//! readable. A mapping whose [`Perms`] lacks `read` is not present to the
//! processor (P clear, every access faults), held for the walker by
//! [`LongModeEntry::AVL_NO_ACCESS`] as in the EPT format (a not-present
//! entry's other bits are ignored), so unmap and teardown still find its
//! frame; [`LongMode::perms`] says it grants nothing.

use crate::Perms;
use crate::paging::{BLOCK_SIZE, DescriptorFormat};

bitflags::bitflags! {
    /// The bits of a long-mode entry (SDM 4.5, APM 5.3) this format sets
    /// or keeps clear; the physical address is the rest ([`ADDRESS_MASK`]).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct LongModeEntry: u64 {
        /// Bit 0, P: present.
        const P = 1 << 0;
        /// Bit 1, R/W: writable.
        const RW = 1 << 1;
        /// Bit 2, U/S: user accessible.
        const US = 1 << 2;
        /// Bit 3, PWT: page-level write-through.
        const PWT = 1 << 3;
        /// Bit 4, PCD: page-level cache disable.
        const PCD = 1 << 4;
        /// Bit 5, A: accessed.
        const A = 1 << 5;
        /// Bit 6, D: dirty (leaves only).
        const D = 1 << 6;
        /// Bit 7 of a PDE (or PDPTE), PS: the entry maps a page (2 MiB at
        /// the PD), not a table. (In a PTE bit 7 is PAT, left clear.)
        const PS = 1 << 7;
        /// Bit 8, G: global (leaves; never set here).
        const G = 1 << 8;
        /// Bit 9, AVL (ignored by the processor in every entry): a
        /// borrowed frame ([`DescriptorFormat::BORROWED`]).
        const AVL_BORROWED = 1 << 9;
        /// Bit 10, AVL: a leaf mapped without read access, not present to
        /// the processor but held by the walker. (Bit 11, the last AVL
        /// bit, is HLAT's restart bit on Intel: kept free.)
        const AVL_NO_ACCESS = 1 << 10;
        /// Bit 63, NX (Intel: XD): no instruction fetch.
        const NX = 1 << 63;
    }
}

/// Physical address bits 51:12 (bits above the processor's MAXPHYADDR are
/// reserved: callers pass real frames). A 2 MiB leaf keeps its PAT bit in
/// bit 12, which this format never sets.
pub const ADDRESS_MASK: u64 = 0x000f_ffff_ffff_f000;

/// The long-mode format, with U/S set in every entry if `USER`.
pub struct LongMode<const USER: bool>;

/// AMD nested page tables: every entry user accessible.
pub type Npt = LongMode<true>;

impl<const USER: bool> LongMode<USER> {
    /// U/S as the format wants it.
    const US: LongModeEntry = if USER {
        LongModeEntry::US
    } else {
        LongModeEntry::empty()
    };
}

impl<const USER: bool> DescriptorFormat for LongMode<USER> {
    /// PML4, PDPT, PD, PT.
    const LEVELS: usize = 4;
    const ADDRESS_BITS: u32 = 48;
    const BORROWED: u64 = LongModeEntry::AVL_BORROWED.bits();

    /// Present, writable, accessed, U/S as the format wants; NX and PS
    /// clear (PS is reserved in a PML4E and makes a PDPTE or PDE a leaf).
    fn table(pa: usize) -> u64 {
        let bits = LongModeEntry::P | LongModeEntry::RW | LongModeEntry::A | Self::US;
        (pa as u64 & ADDRESS_MASK) | bits.bits()
    }

    fn page(pa: usize, perms: Perms, device: bool) -> u64 {
        let mut bits = LongModeEntry::A | LongModeEntry::D | Self::US;
        if perms.read {
            bits |= LongModeEntry::P;
            bits.set(LongModeEntry::RW, perms.write);
        } else {
            bits |= LongModeEntry::AVL_NO_ACCESS;
        }
        bits.set(LongModeEntry::NX, !perms.exec || device);
        if device {
            bits |= LongModeEntry::PCD | LongModeEntry::PWT;
        }
        (pa as u64 & ADDRESS_MASK) | bits.bits()
    }

    /// A PDE mapping a 2 MiB page (SDM "Format of a Page-Directory Entry
    /// that Maps a 2-MByte Page"): a page's bits with PS
    /// set and the address's bits 20:12 (PAT and reserved there) clear.
    fn block(pa: usize, perms: Perms, device: bool) -> u64 {
        Self::page(pa & !(BLOCK_SIZE - 1), perms, device) | LongModeEntry::PS.bits()
    }

    /// Present, or a leaf mapped without access. With U/S in every entry
    /// (`LongMode<true>`), an entry without it is not this table's own:
    /// it is the kernel's map in a process space's first PML4 slot
    /// (`Translation::prepare_process_space`), present to the processor
    /// but absent to the walker, which never maps, counts, lists or frees
    /// anything through it.
    fn is_valid(desc: u64) -> bool {
        let bits = LongModeEntry::from_bits_retain(desc);
        bits.intersects(LongModeEntry::P | LongModeEntry::AVL_NO_ACCESS)
            && (!USER || bits.contains(LongModeEntry::US))
    }

    fn is_table(desc: u64) -> bool {
        !LongModeEntry::from_bits_retain(desc).contains(LongModeEntry::PS)
    }

    fn output_address(desc: u64) -> usize {
        (desc & ADDRESS_MASK) as usize
    }

    /// What the processor grants: read if present, nothing if not.
    fn perms(desc: u64) -> Perms {
        let bits = LongModeEntry::from_bits_retain(desc);
        let present = bits.contains(LongModeEntry::P);
        Perms {
            read: present,
            write: present && bits.contains(LongModeEntry::RW),
            exec: present && !bits.contains(LongModeEntry::NX),
        }
    }
}

#[cfg(test)]
mod tests;
