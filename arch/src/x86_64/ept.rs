//! Intel extended page tables: descriptor encoding (Intel SDM Vol. 3C,
//! "EPT Translation Mechanism", 29.3.2 in recent editions, entry formats
//! in Tables 29-1 to 29-6; "EPT Misconfigurations") and the EPTP value
//! (24.6.11, "Extended-Page-Table Pointer (EPTP)").
//!
//! Four levels, PML4 to page table, translate 48-bit guest-physical
//! addresses. An entry is present when any of bits 2:0 (read, write,
//! execute) is set. A table entry has all three, so its leaf alone decides
//! an access; a leaf is a 4 KiB page (a PTE) or a 2 MiB page (a PDE with
//! bit 7 set). Normal memory is write-back with bit 6 (ignore PAT) clear,
//! so the guest's PAT still refines it as on bare metal (UC or WC for its
//! own buffers); device memory is uncacheable with ignore-PAT set, so no
//! guest PAT type (WC) weakens it, and never executable. Accessed and
//! dirty flags are off (EPTP bit 6), mode-based execute control is off
//! (bit 2 allows every fetch) and bit 63 (suppress #VE) is left clear.
//!
//! EPT cannot give write or execute without read: bits 2:0 = 010b or 110b
//! are a misconfiguration, and execute-only needs a capability
//! (IA32_VMX_EPT_VPID_CAP bit 0) this format does not assume. A mapping
//! whose [`Perms`] lacks `read` is therefore not present to the processor
//! (bits 2:0 = 0, every access an EPT violation). The walker still holds
//! it, so that unmap and teardown find its frame: it carries
//! [`EptEntry::SW_NO_ACCESS`] in bits a not-present entry leaves ignored
//! (62:3), which [`Ept::is_valid`] counts, and [`Ept::perms`] says it
//! grants nothing. The kernel maps nothing without read today.

use crate::Perms;
use crate::paging::{BLOCK_SIZE, DescriptorFormat};

bitflags::bitflags! {
    /// The bits of an EPT entry (SDM Tables 29-1 to 29-6) this format sets
    /// or must keep clear; the physical address is the rest
    /// ([`ADDRESS_MASK`]).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct EptEntry: u64 {
        /// Bit 0: read access.
        const READ = 1 << 0;
        /// Bit 1: write access.
        const WRITE = 1 << 1;
        /// Bit 2: execute access (supervisor-mode execute when mode-based
        /// execute control for EPT is on, which it is not here).
        const EXECUTE = 1 << 2;
        /// Bits 5:3 of a leaf: the EPT memory type ([`MEMORY_TYPE_WB`],
        /// [`MEMORY_TYPE_UC`]); reserved (zero) in a table entry.
        const MEMORY_TYPE = 0b111 << MEMORY_TYPE_SHIFT;
        /// Bit 6 of a leaf: ignore PAT memory type (the EPT type alone).
        const IGNORE_PAT = 1 << 6;
        /// Bit 7 of a PDE (or PDPTE): the entry maps a page (2 MiB at the
        /// PD), not a table.
        const LARGE_PAGE = 1 << 7;
        /// Bit 8: accessed flag, when EPTP bit 6 is set (not here).
        const ACCESSED = 1 << 8;
        /// Bit 9 of a leaf: dirty flag, when EPTP bit 6 is set.
        const DIRTY = 1 << 9;
        /// Bit 10: execute access for user-mode linear addresses, with
        /// mode-based execute control (not here).
        const USER_EXECUTE = 1 << 10;
        /// Bit 52: a borrowed frame ([`DescriptorFormat::BORROWED`]).
        /// Bits 56:52 are ignored in every EPT entry, leaf or table,
        /// whatever controls are on; bits 10:8 and several of 62:57 take
        /// meanings from optional features (A/D flags, mode-based execute,
        /// shadow stacks, sub-page permissions), and bit 11, ignored too,
        /// is left free.
        const SW_BORROWED = 1 << 52;
        /// Bit 53, ignored as bit 52: a leaf mapped without read access,
        /// not present to the processor but held by the walker.
        const SW_NO_ACCESS = 1 << 53;
        /// Bit 63: suppress #VE, with the "EPT-violation #VE" control
        /// (left clear: violations exit).
        const SUPPRESS_VE = 1 << 63;
    }
}

/// Physical address bits 51:12 (bits above the processor's MAXPHYADDR are
/// reserved: callers pass real frames).
pub const ADDRESS_MASK: u64 = 0x000f_ffff_ffff_f000;

/// The lowest bit of a leaf's EPT memory type (bits 5:3).
pub const MEMORY_TYPE_SHIFT: u32 = 3;
/// Memory type uncacheable (UC), for devices.
pub const MEMORY_TYPE_UC: u64 = 0;
/// Memory type write-back (WB), for RAM.
pub const MEMORY_TYPE_WB: u64 = 6;

/// EPTP bits 2:0: the memory type of the processor's accesses to the EPT
/// tables, write-back (IA32_VMX_EPT_VPID_CAP bit 14 says it is allowed).
pub const EPTP_MEMORY_TYPE_WB: u64 = MEMORY_TYPE_WB;
/// The lowest bit of the EPTP's page-walk length minus 1 (bits 5:3).
pub const EPTP_PAGE_WALK_LENGTH_SHIFT: u32 = 3;
/// EPTP bits 5:3 = 3: a page walk of length 4 (IA32_VMX_EPT_VPID_CAP bit 6).
pub const EPTP_PAGE_WALK_LENGTH_4: u64 = (4 - 1) << EPTP_PAGE_WALK_LENGTH_SHIFT;
/// EPTP bit 6: enable accessed and dirty flags (left clear).
pub const EPTP_ENABLE_AD: u64 = 1 << 6;

// The page-walk length the EPTP gives is the walker's number of levels.
const _: () =
    assert!((EPTP_PAGE_WALK_LENGTH_4 >> EPTP_PAGE_WALK_LENGTH_SHIFT) + 1 == Ept::LEVELS as u64);

/// The EPTP for the PML4 table at `pml4`: write-back walks, a 4-level walk,
/// no accessed and dirty flags (SDM 24.6.11, Table 24-8; bits 11:7 clear).
pub const fn eptp(pml4: usize) -> u64 {
    (pml4 as u64 & ADDRESS_MASK) | EPTP_PAGE_WALK_LENGTH_4 | EPTP_MEMORY_TYPE_WB
}

/// The EPT descriptor format.
pub struct Ept;

impl DescriptorFormat for Ept {
    /// PML4, PDPT, PD, PT ([`EPTP_PAGE_WALK_LENGTH_4`]).
    const LEVELS: usize = 4;
    const ADDRESS_BITS: u32 = 48;
    const BORROWED: u64 = EptEntry::SW_BORROWED.bits();

    /// Read, write and execute, the next table's address, bits 7:3 zero
    /// (reserved in a PML4E; bit 7 clear makes a PDPTE or PDE a table one).
    fn table(pa: usize) -> u64 {
        (pa as u64 & ADDRESS_MASK) | (EptEntry::READ | EptEntry::WRITE | EptEntry::EXECUTE).bits()
    }

    fn page(pa: usize, perms: Perms, device: bool) -> u64 {
        let (memory_type, mut bits) = if device {
            (MEMORY_TYPE_UC, EptEntry::IGNORE_PAT)
        } else {
            (MEMORY_TYPE_WB, EptEntry::empty())
        };
        if perms.read {
            bits |= EptEntry::READ;
            bits.set(EptEntry::WRITE, perms.write);
            bits.set(EptEntry::EXECUTE, perms.exec && !device);
        } else {
            bits |= EptEntry::SW_NO_ACCESS;
        }
        (pa as u64 & ADDRESS_MASK) | (memory_type << MEMORY_TYPE_SHIFT) | bits.bits()
    }

    /// A PDE mapping a 2 MiB page (SDM Table 29-4): a page's bits with bit
    /// 7 set and the address's bits 20:12 (reserved there) clear.
    fn block(pa: usize, perms: Perms, device: bool) -> u64 {
        Self::page(pa & !(BLOCK_SIZE - 1), perms, device) | EptEntry::LARGE_PAGE.bits()
    }

    /// Present (any of bits 2:0), or a leaf mapped without access.
    fn is_valid(desc: u64) -> bool {
        EptEntry::from_bits_retain(desc).intersects(
            EptEntry::READ | EptEntry::WRITE | EptEntry::EXECUTE | EptEntry::SW_NO_ACCESS,
        )
    }

    fn is_table(desc: u64) -> bool {
        !EptEntry::from_bits_retain(desc).contains(EptEntry::LARGE_PAGE)
    }

    fn output_address(desc: u64) -> usize {
        (desc & ADDRESS_MASK) as usize
    }

    /// What the processor grants: nothing for a leaf mapped without read.
    fn perms(desc: u64) -> Perms {
        let bits = EptEntry::from_bits_retain(desc);
        Perms {
            read: bits.contains(EptEntry::READ),
            write: bits.contains(EptEntry::WRITE),
            exec: bits.contains(EptEntry::EXECUTE),
        }
    }
}

pub mod guest;

#[cfg(test)]
mod tests;
