//! The long-mode format against the manuals' layout, and a walker over it.

use super::*;
use crate::paging::tests::{Arena, all_perms, readable_mappings_round_trip};
use crate::paging::{MapError, PAGE_SIZE, PageTable};

type Supervisor = LongMode<false>;

const RWX: Perms = Perms {
    read: true,
    write: true,
    exec: true,
};

/// Every page, block and table entry of format `F` this test makes.
fn all_entries<F: DescriptorFormat>() -> Vec<u64> {
    let mut all = vec![F::table(0x4000_3000)];
    for perms in all_perms() {
        for device in [false, true] {
            all.push(F::page(0x8000_1000, perms, device));
            all.push(F::block(0x8020_0000, perms, device));
        }
    }
    all
}

#[test]
fn table_entries_are_present_writable_and_accessed() {
    // P, R/W, A; U/S for NPT.
    assert_eq!(Npt::table(0x4000_3000), 0x4000_3027);
    assert_eq!(Supervisor::table(0x4000_3000), 0x4000_3023);
    let desc = Npt::table(0x000f_ffff_ffff_f000);
    assert_eq!(desc, 0x000f_ffff_ffff_f027);
    assert!(Npt::is_valid(desc) && Npt::is_table(desc));
    assert_eq!(Npt::output_address(desc), 0x000f_ffff_ffff_f000);
}

#[test]
fn page_and_block_encoding_matches_the_manuals() {
    // P, R/W, U/S, A, D; NX unless executable.
    assert_eq!(
        Npt::page(0x8000_1000, Perms::RW, false),
        0x8000_0000_8000_1067
    );
    assert_eq!(Npt::page(0x8000_2000, Perms::RX, false), 0x8000_2065);
    assert_eq!(
        Npt::page(0x8000_3000, Perms::R, false),
        0x8000_0000_8000_3065
    );
    assert_eq!(
        Supervisor::page(0x8000_1000, Perms::RW, false),
        0x8000_0000_8000_1063
    );
    // Device: PWT and PCD (PAT entry 3, UC), never executable.
    assert_eq!(Npt::page(0x0900_0000, RWX, true), 0x8000_0000_0900_007f);
    // A 2 MiB page: PS, and the address's bits 20:12 (PAT there) cleared.
    assert_eq!(
        Npt::block(0x8020_0000, Perms::RW, false),
        0x8000_0000_8020_00e7
    );
    assert_eq!(
        Npt::block(0x8020_1000, Perms::RW, false),
        0x8000_0000_8020_00e7
    );
    assert_eq!(Supervisor::block(0x8020_0000, RWX, false), 0x8020_00e3);
    // Address bits above 51 cannot set flags.
    assert_eq!(Npt::page(usize::MAX, RWX, false), 0x000f_ffff_ffff_f067);
    // G and the PTE's PAT bit (the PDE's PS) never on a page.
    for desc in all_entries::<Npt>() {
        assert_eq!(desc & LongModeEntry::G.bits(), 0);
    }
    for perms in all_perms() {
        assert_eq!(Npt::page(0, perms, false) & LongModeEntry::PS.bits(), 0);
    }
}

#[test]
fn user_access_follows_the_format_in_every_entry() {
    for desc in all_entries::<Npt>() {
        assert_ne!(desc & LongModeEntry::US.bits(), 0, "{desc:#x}");
    }
    for desc in all_entries::<Supervisor>() {
        assert_eq!(desc & LongModeEntry::US.bits(), 0, "{desc:#x}");
    }
}

#[test]
fn device_memory_is_uncached() {
    let uncached = (LongModeEntry::PCD | LongModeEntry::PWT).bits();
    for perms in [Perms::RW, Perms::R, RWX] {
        assert_eq!(Npt::page(0, perms, false) & uncached, 0);
        assert_eq!(Npt::page(0, perms, true) & uncached, uncached);
        assert_eq!(Npt::block(0, perms, true) & uncached, uncached);
        assert!(!Npt::perms(Npt::page(0, perms, true)).exec);
    }
    assert_eq!(Npt::table(0x1000) & uncached, 0);
}

#[test]
fn readable_mappings_round_trip_in_both() {
    readable_mappings_round_trip::<Npt>();
    readable_mappings_round_trip::<Supervisor>();
}

/// Without read the entry is not present (P clear), but valid to the
/// walker, with its address, granting nothing.
#[test]
fn mappings_without_read_are_not_present_but_held() {
    for perms in all_perms().filter(|p| !p.read) {
        for device in [false, true] {
            for desc in [
                Npt::page(0x9000_0000, perms, device),
                Npt::block(0x9000_0000, perms, device),
            ] {
                assert_eq!(desc & LongModeEntry::P.bits(), 0, "{perms:?}");
                assert_ne!(desc & LongModeEntry::AVL_NO_ACCESS.bits(), 0);
                assert!(Npt::is_valid(desc));
                assert_eq!(Npt::perms(desc), Perms::default());
                assert_eq!(Npt::output_address(desc), 0x9000_0000);
            }
        }
    }
    assert_eq!(
        Npt::page(0x9000_0000, Perms::default(), false),
        0x8000_0000_9000_0464
    );
    assert!(!Npt::is_table(Npt::block(
        0x9000_0000,
        Perms::default(),
        false
    )));
    assert!(!Npt::is_valid(0));
    assert!(!Npt::is_valid(0x8000_0000_8000_0066));
}

#[test]
fn the_borrowed_bit_changes_no_hardware_meaning() {
    assert_eq!(Npt::BORROWED, 1 << 9);
    assert_eq!(Npt::BORROWED & ADDRESS_MASK, 0);
    for desc in all_entries::<Npt>() {
        let borrowed = desc | Npt::BORROWED;
        assert_ne!(borrowed, desc);
        assert_eq!(Npt::is_valid(borrowed), Npt::is_valid(desc));
        assert_eq!(Npt::is_table(borrowed), Npt::is_table(desc));
        assert_eq!(Npt::perms(borrowed), Npt::perms(desc));
        assert_eq!(Npt::output_address(borrowed), Npt::output_address(desc));
    }
}

/// A nested table through the walker: U/S on every level of every walk,
/// pages at both ends of the 48-bit space, a block, a page without read;
/// the limit and beyond refused.
#[test]
fn a_nested_table_maps_48_bit_addresses() {
    let mut mem = Arena::default();
    let mut pt = PageTable::<Npt>::new(&mut mem).unwrap();
    let limit = PageTable::<Npt>::ADDRESS_LIMIT;
    assert_eq!(limit, 1 << 48);
    let top = limit - PAGE_SIZE;
    pt.map(&mut mem, top, 0x8000_0000, Perms::RW, false)
        .unwrap();
    pt.map(&mut mem, 0, 0x8000_1000, Perms::RX, false).unwrap();
    pt.map_block(&mut mem, 0x4000_0000, 0x8020_0000, Perms::RW, true, false)
        .unwrap();
    for (va, levels) in [(top, 4), (0, 4), (0x4000_0000, 3)] {
        let path = mem.path::<Npt>(pt.root(), va);
        assert_eq!(path.len(), levels);
        for desc in &path {
            assert_ne!(desc & LongModeEntry::US.bits(), 0, "{va:#x} {desc:#x}");
        }
        for desc in &path[..levels - 1] {
            assert_eq!(desc & !ADDRESS_MASK, 0x27);
        }
    }
    assert_eq!(
        *mem.path::<Npt>(pt.root(), 0x4000_0000).last().unwrap(),
        0x8000_0000_8020_00ff
    );
    assert_eq!(
        pt.translate(&mut mem, limit - 1),
        Some((0x8000_0fff, Perms::RW))
    );
    assert_eq!(pt.translate(&mut mem, 8), Some((0x8000_1008, Perms::RX)));
    for va in [limit, limit + PAGE_SIZE, 1 << 63] {
        assert_eq!(
            pt.map(&mut mem, va, 0x8000_0000, Perms::RW, false),
            Err(MapError::BadAddress)
        );
        assert_eq!(pt.unmap(&mut mem, va), Err(MapError::BadAddress));
    }
    let exec_only = Perms {
        exec: true,
        ..Perms::default()
    };
    pt.map_borrowed(&mut mem, 0x1000, 0x9000_0000, exec_only, false)
        .unwrap();
    assert_eq!(
        pt.translate(&mut mem, 0x1000),
        Some((0x9000_0000, Perms::default()))
    );
    assert_eq!(pt.unmap(&mut mem, 0x1000), Ok((0x9000_0000, true)));
    assert_eq!(pt.unmap(&mut mem, 0), Ok((0x8000_1000, false)));
    let mut drained = vec![];
    pt.drain_range(&mut mem, 0, usize::MAX, |_, va, pa, _| {
        drained.push((va, pa))
    });
    assert_eq!(drained.len(), 512 + 1);
    assert_eq!(drained[512], (top, 0x8000_0000));
    pt.destroy(&mut mem);
    assert!(mem.tables.is_empty());
}

#[test]
fn a_supervisor_entry_is_not_a_user_tables_own() {
    // The kernel's map in a process space's first PML4 slot: present to
    // the processor, absent to the walker of a user table.
    let kernel_slot = 0x29_e000 | LongModeEntry::P.bits() | LongModeEntry::RW.bits();
    assert!(!Npt::is_valid(kernel_slot));
    assert!(LongMode::<false>::is_valid(kernel_slot));
    for entry in all_entries::<Npt>() {
        assert!(Npt::is_valid(entry) || entry & LongModeEntry::P.bits() == 0);
    }
}
