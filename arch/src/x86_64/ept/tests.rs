//! The EPT format against the SDM's layout, and a walker over it.

use super::*;
use crate::paging::tests::{Arena, all_perms, readable_mappings_round_trip};
use crate::paging::{MapError, PAGE_SIZE, PageTable};

const RWX: Perms = Perms {
    read: true,
    write: true,
    exec: true,
};

/// Bits 5:3.
fn memory_type(desc: u64) -> u64 {
    (desc & EptEntry::MEMORY_TYPE.bits()) >> MEMORY_TYPE_SHIFT
}

#[test]
fn table_entries_are_rwx_and_the_address() {
    assert_eq!(Ept::table(0x4000_3000), 0x4000_3007);
    assert_eq!(Ept::table(0x000f_ffff_ffff_f000), 0x000f_ffff_ffff_f007);
    let desc = Ept::table(0x4000_3000);
    assert!(Ept::is_valid(desc) && Ept::is_table(desc));
    assert_eq!(Ept::output_address(desc), 0x4000_3000);
}

#[test]
fn page_and_block_encoding_matches_the_sdm() {
    // Write-back (6 in bits 5:3), PAT not ignored, then R, W, X.
    assert_eq!(Ept::page(0x8000_1000, Perms::RW, false), 0x8000_1033);
    assert_eq!(Ept::page(0x8000_2000, Perms::RX, false), 0x8000_2035);
    assert_eq!(Ept::page(0x8000_3000, Perms::R, false), 0x8000_3031);
    assert_eq!(Ept::page(0x8000_4000, RWX, false), 0x8000_4037);
    // Device: uncacheable (0), ignore PAT (bit 6), never executable.
    assert_eq!(Ept::page(0x0900_0000, RWX, true), 0x0900_0043);
    // A 2 MiB page: bit 7, and the address's bits 20:12 cleared.
    assert_eq!(Ept::block(0x8020_0000, Perms::RW, false), 0x8020_00b3);
    assert_eq!(Ept::block(0x8020_1000, Perms::RW, false), 0x8020_00b3);
    assert_eq!(Ept::block(0x0920_0000, RWX, true), 0x0920_00c3);
    // The highest frame; address bits above 51 cannot set flags.
    assert_eq!(
        Ept::page(0x000f_ffff_ffff_f000, Perms::R, false),
        0x000f_ffff_ffff_f031
    );
    assert_eq!(
        Ept::page(usize::MAX, Perms::R, false),
        0x000f_ffff_ffff_f031
    );
    // Nothing this format leaves off: A/D, user execute, suppress #VE.
    let off = EptEntry::ACCESSED
        | EptEntry::DIRTY
        | EptEntry::USER_EXECUTE
        | EptEntry::SUPPRESS_VE
        | EptEntry::SW_BORROWED;
    for perms in all_perms() {
        for device in [false, true] {
            for desc in [
                Ept::page(0x8000_0000, perms, device),
                Ept::block(0x8000_0000, perms, device),
                Ept::table(0x8000_0000),
            ] {
                assert!(!EptEntry::from_bits_retain(desc).intersects(off));
            }
        }
    }
}

#[test]
fn device_memory_is_uncacheable_and_ignores_pat() {
    for perms in [Perms::RW, Perms::R, RWX] {
        let (normal, device) = (Ept::page(0, perms, false), Ept::page(0, perms, true));
        assert_eq!(memory_type(normal), MEMORY_TYPE_WB);
        assert_eq!(memory_type(device), MEMORY_TYPE_UC);
        assert_eq!(normal & EptEntry::IGNORE_PAT.bits(), 0);
        assert_ne!(device & EptEntry::IGNORE_PAT.bits(), 0);
        assert!(!Ept::perms(device).exec);
    }
    // A table entry's bits 5:3 are reserved.
    assert_eq!(memory_type(Ept::table(0x1000)), 0);
}

#[test]
fn readable_mappings_round_trip_in_ept() {
    readable_mappings_round_trip::<Ept>();
}

/// Without read the entry is not present (bits 2:0 = 0: never the
/// misconfigurations 010b and 110b, nor execute-only), but valid to the
/// walker, with its address, granting nothing.
#[test]
fn mappings_without_read_are_not_present_but_held() {
    for perms in all_perms().filter(|p| !p.read) {
        for device in [false, true] {
            for desc in [
                Ept::page(0x9000_0000, perms, device),
                Ept::block(0x9000_0000, perms, device),
            ] {
                assert_eq!(desc & 0b111, 0, "{perms:?}");
                assert_ne!(desc & EptEntry::SW_NO_ACCESS.bits(), 0);
                assert!(Ept::is_valid(desc));
                assert_eq!(Ept::perms(desc), Perms::default());
                assert_eq!(Ept::output_address(desc), 0x9000_0000);
            }
        }
    }
    assert_eq!(
        Ept::page(0x9000_0000, Perms::default(), false),
        0x0020_0000_9000_0030
    );
    assert!(!Ept::is_table(Ept::block(
        0x9000_0000,
        Perms::default(),
        false
    )));
    // An empty entry, or one with only an address and a type, is invalid.
    assert!(!Ept::is_valid(0));
    assert!(!Ept::is_valid(0x8000_0030));
}

#[test]
fn the_borrowed_bit_changes_no_hardware_meaning() {
    assert_eq!(Ept::BORROWED, 1 << 52);
    assert_eq!(Ept::BORROWED & ADDRESS_MASK, 0);
    for perms in all_perms() {
        for desc in [
            Ept::page(0x8000_0000, perms, false),
            Ept::block(0x8000_0000, perms, true),
            Ept::table(0x8000_0000),
        ] {
            let borrowed = desc | Ept::BORROWED;
            assert_eq!(borrowed & !Ept::BORROWED, desc);
            assert_eq!(Ept::is_valid(borrowed), Ept::is_valid(desc));
            assert_eq!(Ept::is_table(borrowed), Ept::is_table(desc));
            assert_eq!(Ept::perms(borrowed), Ept::perms(desc));
            assert_eq!(Ept::output_address(borrowed), Ept::output_address(desc));
            assert_eq!(memory_type(borrowed), memory_type(desc));
        }
    }
}

#[test]
fn eptp_is_write_back_with_a_walk_of_four() {
    const EPTP: u64 = eptp(0x1234_5000);
    assert_eq!(EPTP, 0x1234_501e);
    assert_eq!(EPTP & 0b111, MEMORY_TYPE_WB);
    assert_eq!((EPTP >> EPTP_PAGE_WALK_LENGTH_SHIFT) & 0b111, 3);
    assert_eq!(EPTP & EPTP_ENABLE_AD, 0);
    assert_eq!(eptp(0x000f_ffff_ffff_f000), 0x000f_ffff_ffff_f01e);
    // Only the address bits come from the argument.
    assert_eq!(eptp(0x1234_5fff), EPTP);
}

/// A table of this format through the walker: pages at both ends of the
/// 48-bit space, a device page, a block, a page without read; the limit
/// and beyond refused; the entries the walk reads as the SDM lays them.
#[test]
fn a_table_maps_48_bit_addresses() {
    let mut mem = Arena::default();
    let mut pt = PageTable::<Ept>::new(&mut mem).unwrap();
    let limit = PageTable::<Ept>::ADDRESS_LIMIT;
    assert_eq!(limit, 1 << 48);
    let top = limit - PAGE_SIZE;
    pt.map(&mut mem, top, 0x8000_0000, Perms::RW, false)
        .unwrap();
    let path = mem.path::<Ept>(pt.root(), top);
    assert_eq!(path.len(), 4);
    for desc in &path[..3] {
        assert_eq!(desc & !ADDRESS_MASK, 0b111);
    }
    assert_eq!(path[3], 0x8000_0033);
    assert_eq!(
        pt.translate(&mut mem, limit - 1),
        Some((0x8000_0fff, Perms::RW))
    );
    assert_eq!(eptp(pt.root()) & ADDRESS_MASK, pt.root() as u64);
    for va in [limit, limit + PAGE_SIZE, 1 << 63] {
        assert_eq!(
            pt.map(&mut mem, va, 0x8000_0000, Perms::RW, false),
            Err(MapError::BadAddress)
        );
        assert_eq!(pt.translate(&mut mem, va), None);
    }
    pt.map(&mut mem, 0xfee0_0000, 0xfee0_0000, RWX, true)
        .unwrap();
    assert_eq!(
        *mem.path::<Ept>(pt.root(), 0xfee0_0000).last().unwrap(),
        0xfee0_0043
    );
    pt.map_block(&mut mem, 0x4000_0000, 0x8020_0000, Perms::RX, false, true)
        .unwrap();
    let path = mem.path::<Ept>(pt.root(), 0x4000_0000);
    assert_eq!(path.len(), 3);
    assert_eq!(path[2], 0x8020_00b5 | Ept::BORROWED);
    assert_eq!(
        pt.translate_block(&mut mem, 0x4012_3456),
        Some((0x8032_3456, Perms::RX))
    );
    let write_only = Perms {
        write: true,
        ..Perms::default()
    };
    pt.map(&mut mem, 0x1000, 0x9000_0000, write_only, false)
        .unwrap();
    assert_eq!(
        *mem.path::<Ept>(pt.root(), 0x1000).last().unwrap() & 0b111,
        0
    );
    assert_eq!(
        pt.translate(&mut mem, 0x1000),
        Some((0x9000_0000, Perms::default()))
    );
    assert_eq!(
        pt.map(&mut mem, 0x1000, 0x9000_1000, Perms::RW, false),
        Err(MapError::AlreadyMapped)
    );
    assert_eq!(pt.unmap(&mut mem, 0x1000), Ok((0x9000_0000, false)));
    let mut drained = vec![];
    pt.drain_range(&mut mem, 0, usize::MAX, |_, va, pa, borrowed| {
        drained.push((va, pa, borrowed))
    });
    assert_eq!(drained.len(), 2 + 512);
    assert_eq!(drained[0], (0x4000_0000, 0x8020_0000, true));
    assert_eq!(drained[512], (0xfee0_0000, 0xfee0_0000, false));
    assert_eq!(drained[513], (top, 0x8000_0000, false));
    pt.destroy(&mut mem);
    assert!(mem.tables.is_empty());
}
