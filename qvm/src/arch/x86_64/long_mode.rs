//! ELF64 kernels without a multiboot header start in 64-bit long mode
//! (IA-32e mode, Intel SDM Vol. 3A 10.8.5 "Initializing IA-32e Mode"),
//! which needs paging on: `qvm` writes an identity map (virtual =
//! physical) into guest RAM for them. Here: how far that map reaches
//! ([`map_top`]: the first 4 GiB, where the local APIC, the I/O APIC and
//! the ACPI tables are, and all RAM above), the tables' bytes
//! ([`identity_map`]) and where they go ([`place_tables`]: the top of the
//! first RAM region below 4 GiB, clear of the image, the modules and the
//! ACPI tables; the memory map marks them reserved, `memmap::reserve`).
//! The registers are `boot::long_mode_regs`; the whole machine state is
//! in docs/qvmconf.md ("How an x86 guest starts").
//!
//! The map uses 2 MiB pages (every long-mode CPU has them; 1 GiB pages
//! need CPUID.80000001H:EDX.Page1GB): a PML4, a PDPT per 512 GiB and a
//! page directory per GiB, every entry present, writable and supervisor,
//! write-back through PAT entry 0, executable (EFER.NXE is clear).

use alloc::string::String;
use alloc::vec::Vec;

use crate::loader::Ram;

/// Page-table entry bits (SDM Vol. 3A 5.5, tables 5-15 to 5-18): P
/// (present), R/W (writable), PS (a PDE that maps a 2 MiB page).
pub const PTE_P: u64 = 1 << 0;
/// See [`PTE_P`].
pub const PTE_RW: u64 = 1 << 1;
/// See [`PTE_P`].
pub const PTE_PS: u64 = 1 << 7;
/// A table (4 KiB, 512 entries of 8 bytes).
pub const TABLE: u64 = 0x1000;
const ENTRIES: u64 = 512;
/// What a PDE, a PDPTE and a PML4E map.
pub const LARGE_PAGE: u64 = 2 << 20;
const PDPTE_SPAN: u64 = 1 << 30;
const PML4E_SPAN: u64 = 512 << 30;
/// The first 4 GiB, always mapped.
pub const FOUR_GIB: u64 = 1 << 32;

/// Where the identity map ends for guest memory ending at `memory_end`:
/// at 4 GiB, or past the memory, in whole GiB. `None` past what one PML4
/// maps (256 TiB).
pub fn map_top(memory_end: u64) -> Option<u64> {
    let top = memory_end
        .max(FOUR_GIB)
        .checked_next_multiple_of(PDPTE_SPAN)?;
    (top <= PML4E_SPAN * ENTRIES).then_some(top)
}

/// Bytes of the tables of a map up to `top` ([`map_top`]): the PML4, a
/// PDPT per 512 GiB, a page directory per GiB.
pub fn tables_len(top: u64) -> u64 {
    TABLE * (1 + top.div_ceil(PML4E_SPAN) + top.div_ceil(PDPTE_SPAN))
}

/// The tables of the identity map up to `top`, as they must lie at
/// guest-physical `base` (page-aligned): the PML4 first (what CR3 gets),
/// then the PDPTs, then the page directories.
pub fn identity_map(top: u64, base: u64) -> Vec<u8> {
    let pdpts = top.div_ceil(PML4E_SPAN);
    let dirs = top.div_ceil(PDPTE_SPAN);
    let mut bytes = alloc::vec![0u8; tables_len(top) as usize];
    let mut put = |table: u64, index: u64, entry: u64| {
        let at = (table * TABLE + index * 8) as usize;
        bytes[at..at + 8].copy_from_slice(&entry.to_le_bytes());
    };
    let table_at = |n: u64| base + n * TABLE;
    for p in 0..pdpts {
        put(0, p, table_at(1 + p) | PTE_P | PTE_RW);
    }
    for d in 0..dirs {
        put(
            1 + d / ENTRIES,
            d % ENTRIES,
            table_at(1 + pdpts + d) | PTE_P | PTE_RW,
        );
    }
    for page in 0..top / LARGE_PAGE {
        let entry = (page * LARGE_PAGE) | PTE_P | PTE_RW | PTE_PS;
        put(1 + pdpts + page / ENTRIES, page % ENTRIES, entry);
    }
    bytes
}

/// Where `len` bytes of tables go: page-aligned at the top of `ram` (the
/// first RAM region, where the image is) or of its part below 4 GiB,
/// refused if that is not in RAM or overlaps one of `taken` (a name, a
/// start and an end each: the image, modules, the ACPI tables).
pub fn place_tables(ram: Ram, len: u64, taken: &[(&str, u64, u64)]) -> Result<u64, String> {
    let end = (ram.base + ram.size).min(FOUR_GIB) & !(TABLE - 1);
    let base = end
        .checked_sub(len)
        .filter(|&b| ram.fits(b, len))
        .ok_or_else(|| {
            alloc::format!(
                "the long-mode page tables ({len:#x} bytes) do not fit in the first RAM region \
                 below 4 GiB"
            )
        })?;
    match taken.iter().find(|&&(_, s, e)| s < end && base < e) {
        Some((what, s, e)) => Err(alloc::format!(
            "the long-mode page tables ({base:#x}-{:#x}, the top of the first RAM region) would \
             overlap {what} ({s:#x}-{:#x}): give the VM more RAM or load it lower",
            end - 1,
            e - 1
        )),
        None => Ok(base),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(bytes: &[u8], table: u64, index: u64) -> u64 {
        let at = (table * TABLE + index * 8) as usize;
        u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
    }

    /// Walks the tables at `base` (in `bytes`) for `addr`, as a CPU does.
    fn walk(bytes: &[u8], base: u64, addr: u64) -> Option<u64> {
        let table = |e: u64| -> Option<u64> {
            Some((e & !0xFFF & ((1 << 52) - 1)).checked_sub(base)? / TABLE)
        };
        let pml4e = entry(bytes, 0, (addr >> 39) & 511);
        let pdpte = entry(bytes, table(pml4e)?, (addr >> 30) & 511);
        let pde = entry(bytes, table(pdpte)?, (addr >> 21) & 511);
        let ok = [pml4e, pdpte, pde]
            .iter()
            .all(|e| e & (PTE_P | PTE_RW) == 3);
        (ok && pde & PTE_PS != 0).then_some((pde & !(LARGE_PAGE - 1)) | (addr & (LARGE_PAGE - 1)))
    }

    #[test]
    fn the_first_4_gib_and_all_ram_are_mapped_to_themselves() {
        assert_eq!(map_top(64 << 20), Some(FOUR_GIB));
        assert_eq!(map_top(FOUR_GIB + 1), Some(5 << 30));
        assert_eq!(map_top(u64::MAX), None);
        assert_eq!(tables_len(FOUR_GIB), 6 * TABLE);
        let base = 0x3FF_A000;
        let bytes = identity_map(FOUR_GIB, base);
        assert_eq!(bytes.len(), 6 * 4096);
        for addr in [0, 0x20_0123, 0xFEE0_0000, 0xFFFF_FFFF, base] {
            assert_eq!(walk(&bytes, base, addr), Some(addr), "{addr:#x}");
        }
        // Nothing past the top.
        assert_eq!(entry(&bytes, 0, 1), 0);
        // Past 512 GiB: a second PDPT.
        let top = map_top(600 << 30).unwrap();
        let bytes = identity_map(top, 0x10_0000);
        assert_eq!(bytes.len() as u64, tables_len(top));
        for addr in [0x1234_5678, (512 << 30) + 0x40_0000, top - 1] {
            assert_eq!(walk(&bytes, 0x10_0000, addr), Some(addr), "{addr:#x}");
        }
    }

    #[test]
    fn the_tables_go_at_the_top_of_ram_clear_of_the_rest() {
        let ram = Ram {
            base: 0,
            size: 64 << 20,
        };
        let len = tables_len(FOUR_GIB);
        let image = ("the image", 0x20_0000, 0x30_0000);
        assert_eq!(place_tables(ram, len, &[image]), Ok(0x3FF_A000));
        let err = place_tables(
            ram,
            len,
            &[image, ("module \"initrd\"", 0x3F0_0000, 0x3FF_B000)],
        )
        .unwrap_err();
        assert_eq!(
            err,
            "the long-mode page tables (0x3ffa000-0x3ffffff, the top of the first RAM region) \
             would overlap module \"initrd\" (0x3f00000-0x3ffafff): give the VM more RAM or \
             load it lower"
        );
        // RAM past 4 GiB: the tables stay below.
        let big = Ram {
            base: 0,
            size: 8 << 30,
        };
        assert_eq!(place_tables(big, len, &[]), Ok(FOUR_GIB - len));
        let tiny = Ram {
            base: 0,
            size: 0x4000,
        };
        assert!(
            place_tables(tiny, len, &[])
                .unwrap_err()
                .contains("do not fit")
        );
    }
}
