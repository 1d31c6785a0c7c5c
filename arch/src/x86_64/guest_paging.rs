//! Walking x86 page tables in software, for the exit path: the guest's
//! own tables (linear to guest-physical, to fetch the instruction behind
//! an MMIO fault when the hardware gives no decode assist) and the nested
//! table of a VM (guest-physical to host-physical, to read those bytes).
//!
//! Intel SDM Vol. 3A chapter 4, "Paging": 32-bit paging (4.3, 4-byte
//! entries, 4 MiB pages with CR4.PSE), PAE paging (4.4, a 4-entry PDPT at
//! CR3 bits 31:5, 2 MiB pages) and 4-level paging (4.5, 2 MiB and 1 GiB
//! pages); AMD APM Vol. 2, 5.2-5.3 says the same. Only presence and the
//! page size are checked: the walk serves an instruction the guest was
//! already executing, so its access rights held. Pure: the tables are
//! read through a closure, and tested on the build host.

/// Bit 0 of every entry: present.
const P: u64 = 1 << 0;
/// Bit 7 of a PDE or PDPTE: the entry maps a page.
const PS: u64 = 1 << 7;
/// Physical address bits 51:12 of an entry.
const ADDRESS: u64 = 0x000f_ffff_ffff_f000;
/// CR0.PG, CR4.PSE, CR4.PAE, EFER.LMA.
const CR0_PG: u64 = 1 << 31;
const CR4_PSE: u64 = 1 << 4;
const CR4_PAE: u64 = 1 << 5;
const EFER_LMA: u64 = 1 << 10;

/// Which paging the guest runs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PagingMode {
    /// CR0.PG clear: linear addresses are physical.
    Off,
    /// 32-bit paging; 4 MiB pages if CR4.PSE.
    Bits32 { pse: bool },
    /// PAE paging.
    Pae,
    /// 4-level paging (long mode).
    Long,
}

impl PagingMode {
    /// The mode CR0, CR4 and EFER select.
    pub fn of(cr0: u64, cr4: u64, efer: u64) -> PagingMode {
        if cr0 & CR0_PG == 0 {
            PagingMode::Off
        } else if efer & EFER_LMA != 0 {
            PagingMode::Long
        } else if cr4 & CR4_PAE != 0 {
            PagingMode::Pae
        } else {
            PagingMode::Bits32 {
                pse: cr4 & CR4_PSE != 0,
            }
        }
    }
}

/// Translates `addr` through the 4-level table at `root` (a PML4's
/// physical address; nested paging uses this format too), reading 8-byte
/// entries with `read`. `None`: not present, or a table could not be read.
pub fn walk_four_level(
    root: u64,
    addr: u64,
    read: &mut impl FnMut(u64) -> Option<u64>,
) -> Option<u64> {
    let mut table = root & ADDRESS;
    for level in (0..4).rev() {
        let shift = 12 + 9 * level;
        let entry = read(table + ((addr >> shift) & 0x1ff) * 8)?;
        if entry & P == 0 {
            return None;
        }
        // A PDPTE (level 2) or PDE (level 1) with PS maps 1 GiB or 2 MiB.
        if level == 0 || (level <= 2 && entry & PS != 0) {
            let size = 1u64 << shift;
            return Some((entry & ADDRESS & !(size - 1)) | (addr & (size - 1)));
        }
        table = entry & ADDRESS;
    }
    None
}

/// Translates the guest's linear `addr` to guest-physical in `mode` with
/// its `cr3`; `read` reads 8 bytes of guest-physical memory (at 4-byte
/// aligned addresses for 32-bit paging, whose entries are the low half).
pub fn linear_to_physical(
    mode: PagingMode,
    cr3: u64,
    addr: u64,
    read: &mut impl FnMut(u64) -> Option<u64>,
) -> Option<u64> {
    match mode {
        PagingMode::Off => Some(addr & 0xffff_ffff),
        PagingMode::Long => walk_four_level(cr3, addr, read),
        PagingMode::Pae => {
            let addr = addr & 0xffff_ffff;
            let pdpte = read((cr3 & 0xffff_ffe0) + (addr >> 30) * 8)?;
            if pdpte & P == 0 {
                return None;
            }
            let pde = read((pdpte & ADDRESS) + ((addr >> 21) & 0x1ff) * 8)?;
            if pde & P == 0 {
                return None;
            }
            if pde & PS != 0 {
                return Some((pde & ADDRESS & !0x1f_ffff) | (addr & 0x1f_ffff));
            }
            let pte = read((pde & ADDRESS) + ((addr >> 12) & 0x1ff) * 8)?;
            (pte & P != 0).then_some((pte & ADDRESS) | (addr & 0xfff))
        }
        PagingMode::Bits32 { pse } => {
            let addr = addr & 0xffff_ffff;
            let pde = read((cr3 & 0xffff_f000) + (addr >> 22) * 4)? & 0xffff_ffff;
            if pde & P == 0 {
                return None;
            }
            if pse && pde & PS != 0 {
                // 4 MiB page: bits 31:22 of the address, 39:32 from bits 20:13.
                let high = ((pde >> 13) & 0xff) << 32;
                return Some(high | (pde & 0xffc0_0000) | (addr & 0x3f_ffff));
            }
            let pte = read((pde & 0xffff_f000) + ((addr >> 12) & 0x3ff) * 4)? & 0xffff_ffff;
            (pte & P != 0).then_some((pte & 0xffff_f000) | (addr & 0xfff))
        }
    }
}

#[cfg(test)]
mod tests;
