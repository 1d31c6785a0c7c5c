//! Host tests of the walker over an arena of `Vec`-backed tables, run over
//! our three-level stage 2 and the four-level x86 formats: EPT, NPT and
//! supervisor-only long mode.

use super::*;
use crate::aarch64::stage2::Stage2;
use crate::x86_64::ept::Ept;
use crate::x86_64::long_mode::{LongMode, Npt};
use std::collections::BTreeMap;

/// Every `Perms`, with read and without (for the format tests).
pub fn all_perms() -> impl Iterator<Item = Perms> {
    (0..8).map(|n| Perms {
        read: n & 1 != 0,
        write: n & 2 != 0,
        exec: n & 4 != 0,
    })
}

/// A readable page and block of format `F` keep their address and give
/// what was asked, but never execute device memory.
pub fn readable_mappings_round_trip<F: DescriptorFormat>() {
    for perms in all_perms().filter(|p| p.read) {
        for device in [false, true] {
            let want = Perms {
                exec: perms.exec && !device,
                ..perms
            };
            let page = F::page(0x1234_5000, perms, device);
            let block = F::block(0x1240_0000, perms, device);
            assert!(F::is_valid(page) && F::is_valid(block));
            assert!(!F::is_table(block));
            assert_eq!(F::perms(page), want);
            assert_eq!(F::perms(block), want);
            assert_eq!(F::output_address(page), 0x1234_5000);
            assert_eq!(F::output_address(block), 0x1240_0000);
        }
    }
}

/// Tables in a map keyed by fake physical address.
#[derive(Default)]
pub struct Arena {
    pub tables: BTreeMap<usize, Box<[u64; ENTRIES]>>,
    next: usize,
    pub freed: usize,
}

impl TableMemory for Arena {
    fn alloc_table(&mut self) -> Option<usize> {
        self.next += PAGE_SIZE;
        let pa = 0x4000_0000 + self.next;
        self.tables.insert(pa, Box::new([0; ENTRIES]));
        Some(pa)
    }
    fn free_table(&mut self, pa: usize) {
        assert!(
            self.tables.remove(&pa).is_some(),
            "double free of table {pa:#x}"
        );
        self.freed += 1;
    }
    fn table(&mut self, pa: usize) -> *mut [u64; ENTRIES] {
        &mut **self.tables.get_mut(&pa).expect("unknown table") as *mut _
    }
}

impl Arena {
    /// The entries a walk of `va` in the table of format `F` rooted at
    /// `root` reads, root first, down to a leaf or an invalid entry.
    pub fn path<F: DescriptorFormat>(&self, root: usize, va: usize) -> Vec<u64> {
        let mut table = root;
        let mut path = vec![];
        for level in 0..F::LEVELS {
            let shift = 12 + 9 * (F::LEVELS - 1 - level);
            let desc = self.tables[&table][(va >> shift) % ENTRIES];
            path.push(desc);
            if !F::is_valid(desc) || !F::is_table(desc) {
                break;
            }
            table = F::output_address(desc);
        }
        path
    }
}

/// Runs each generic test below over each format, as `<format>::<test>`.
macro_rules! over_formats {
    ($($format:ident: $module:ident),*; $tests:tt) => {
        $(over_formats!(@one $format $module $tests);)*
    };
    (@one $format:ident $module:ident [$($test:ident),*]) => {
        mod $module {
            use super::*;
            $(#[test]
            fn $test() {
                super::$test::<$format>();
            })*
        }
    };
}

/// Long mode without U/S, as a name the macro takes.
type Supervisor = LongMode<false>;

over_formats!(Stage2: stage2, Ept: ept, Npt: npt, Supervisor: supervisor; [
    blocks_map_translate_and_drain_whole,
    blocks_and_pages_do_not_mix,
    drain_range_unmaps_and_reports_each_page,
    map_translate_unmap,
    translate_out_of_range_is_none,
    the_last_page_below_the_limit_works,
    runs_join_what_follows_on
]);

fn runs_join_what_follows_on<F: DescriptorFormat>() {
    let mut mem = Arena::default();
    let mut pt = PageTable::<F>::new(&mut mem).unwrap();
    // Three pages in a row, then one whose frame does not follow on, then
    // one with other permissions, then a block right after a page.
    for i in 0..3 {
        pt.map(
            &mut mem,
            0x1000 * (i + 1),
            0x8000_0000 + 0x1000 * i,
            Perms::RW,
            false,
        )
        .unwrap();
    }
    pt.map(&mut mem, 0x4000, 0x9000_0000, Perms::RW, false)
        .unwrap();
    pt.map(&mut mem, 0x5000, 0x9000_1000, Perms::RX, false)
        .unwrap();
    pt.map(&mut mem, 0x3f_f000, 0xa01f_f000, Perms::R, false)
        .unwrap();
    pt.map_block(&mut mem, 0x40_0000, 0xa020_0000, Perms::R, false, false)
        .unwrap();
    pt.map_borrowed(&mut mem, 0x60_0000, 0xa040_0000, Perms::R, false)
        .unwrap();
    let mut runs = vec![];
    pt.for_each_run(&mut mem, |r| {
        runs.push((r.va, r.pa, r.len, r.perms, r.borrowed))
    });
    assert_eq!(
        runs,
        vec![
            (0x1000, 0x8000_0000, 0x3000, Perms::RW, false),
            (0x4000, 0x9000_0000, 0x1000, Perms::RW, false),
            (0x5000, 0x9000_1000, 0x1000, Perms::RX, false),
            (0x3f_f000, 0xa01f_f000, 0x20_1000, Perms::R, false),
            (0x60_0000, 0xa040_0000, 0x1000, Perms::R, true),
        ]
    );
}

fn blocks_map_translate_and_drain_whole<F: DescriptorFormat>() {
    let mut mem = Arena::default();
    let mut pt = PageTable::<F>::new(&mut mem).unwrap();
    let (va, pa) = (0x4000_0000 + BLOCK_SIZE, 0x8020_0000);
    pt.map_block(&mut mem, va, pa, Perms::RW, false, false)
        .unwrap();
    pt.map_block(
        &mut mem,
        va + BLOCK_SIZE,
        0x9000_0000,
        Perms::R,
        false,
        true,
    )
    .unwrap();
    // One table per level down to the blocks' parent: no last-level table.
    assert_eq!(pt.table_count(&mut mem), F::LEVELS - 1);
    assert_eq!(
        pt.translate_block(&mut mem, va + 0x12_3456),
        Some((pa + 0x12_3456, Perms::RW))
    );
    assert_eq!(
        pt.translate_block(&mut mem, va + 2 * BLOCK_SIZE - 1),
        Some((0x901f_ffff, Perms::R))
    );
    assert_eq!(pt.translate_block(&mut mem, va - 1), None);
    // `translate` is for pages: none inside a block.
    assert_eq!(pt.translate(&mut mem, va + 0x12_3456), None);
    assert_eq!(
        pt.block_at(&mut mem, va + 0x5000),
        Some((va, pa, Perms::RW, false))
    );
    assert_eq!(
        pt.block_at(&mut mem, va + BLOCK_SIZE),
        Some((va + BLOCK_SIZE, 0x9000_0000, Perms::R, true))
    );
    let mut pages = vec![];
    pt.for_each_page(&mut mem, |v, p, b| pages.push((v, p, b)));
    assert_eq!(pages.len(), 2 * ENTRIES);
    assert_eq!(pages[1], (va + PAGE_SIZE, pa + PAGE_SIZE, false));
    assert_eq!(pages[ENTRIES], (va + BLOCK_SIZE, 0x9000_0000, true));
    let mut found = vec![];
    pt.for_each_mapped_in(
        &mut mem,
        va + BLOCK_SIZE - PAGE_SIZE,
        va + BLOCK_SIZE + PAGE_SIZE,
        |v| found.push(v),
    );
    assert_eq!(found, vec![va + BLOCK_SIZE - PAGE_SIZE, va + BLOCK_SIZE]);
    // A range cuts a block unless it holds all of it.
    assert!(pt.cuts_block(&mut mem, va + PAGE_SIZE, va + BLOCK_SIZE));
    assert!(pt.cuts_block(&mut mem, va, va + BLOCK_SIZE + PAGE_SIZE));
    assert!(pt.cuts_block(&mut mem, va - PAGE_SIZE, va + PAGE_SIZE));
    assert!(!pt.cuts_block(&mut mem, va, va + 2 * BLOCK_SIZE));
    assert!(!pt.cuts_block(&mut mem, va - BLOCK_SIZE, va + 3 * BLOCK_SIZE));
    assert!(!pt.cuts_block(&mut mem, 0x1000, 0x2000));
    assert!(!pt.cuts_block(&mut mem, va, va));
    // Draining part of a block unmaps it whole, each page reported.
    let mut drained = vec![];
    pt.drain_range(
        &mut mem,
        va + PAGE_SIZE,
        va + 2 * PAGE_SIZE,
        |_, v, p, b| drained.push((v, p, b)),
    );
    assert_eq!(drained.len(), ENTRIES);
    assert_eq!(drained[0], (va, pa, false));
    assert_eq!(pt.translate_block(&mut mem, va), None);
    assert_eq!(pt.block_at(&mut mem, va), None);
    assert!(pt.translate_block(&mut mem, va + BLOCK_SIZE).is_some());
    // The freed entry takes a block again.
    pt.map_block(&mut mem, va, pa, Perms::RX, false, false)
        .unwrap();
    assert_eq!(pt.translate_block(&mut mem, va), Some((pa, Perms::RX)));
    pt.drain_range(&mut mem, 0, usize::MAX, |_, _, _, _| {});
    assert_eq!(pt.translate_block(&mut mem, va + BLOCK_SIZE), None);
    pt.destroy(&mut mem);
    assert!(mem.tables.is_empty());
}

fn blocks_and_pages_do_not_mix<F: DescriptorFormat>() {
    let mut mem = Arena::default();
    let mut pt = PageTable::<F>::new(&mut mem).unwrap();
    let va = 0x4000_0000;
    for (v, p) in [
        (va + PAGE_SIZE, 0x8020_0000),
        (va, 0x8010_0000),
        (va + BLOCK_SIZE / 2, 0x8020_0000),
    ] {
        assert_eq!(
            pt.map_block(&mut mem, v, p, Perms::RW, false, false),
            Err(MapError::BadAddress),
            "{v:#x} {p:#x}"
        );
    }
    assert_eq!(
        pt.map_block(
            &mut mem,
            PageTable::<F>::ADDRESS_LIMIT,
            0,
            Perms::RW,
            false,
            false
        ),
        Err(MapError::BadAddress)
    );
    pt.map_block(&mut mem, va, 0x8020_0000, Perms::RW, false, false)
        .unwrap();
    assert_eq!(
        pt.map_block(&mut mem, va, 0x8040_0000, Perms::RW, false, false),
        Err(MapError::AlreadyMapped)
    );
    // No page inside a block, none of its pages unmapped alone.
    assert_eq!(
        pt.map(&mut mem, va + PAGE_SIZE, 0x9000_0000, Perms::RW, false),
        Err(MapError::AlreadyMapped)
    );
    assert_eq!(
        pt.map_borrowed(&mut mem, va, 0x9000_0000, Perms::RW, false),
        Err(MapError::AlreadyMapped)
    );
    assert_eq!(pt.unmap(&mut mem, va), Err(MapError::AlreadyMapped));
    // No block over a last-level table, even one left empty.
    let next = va + BLOCK_SIZE;
    pt.map(&mut mem, next + PAGE_SIZE, 0x9000_0000, Perms::RW, false)
        .unwrap();
    assert_eq!(
        pt.map_block(&mut mem, next, 0x8040_0000, Perms::RW, false, false),
        Err(MapError::AlreadyMapped)
    );
    pt.unmap(&mut mem, next + PAGE_SIZE).unwrap();
    assert_eq!(
        pt.map_block(&mut mem, next, 0x8040_0000, Perms::RW, false, false),
        Err(MapError::AlreadyMapped)
    );
    assert_eq!(pt.block_at(&mut mem, next), None);
    pt.drain_range(&mut mem, 0, usize::MAX, |_, _, _, _| {});
    pt.destroy(&mut mem);
    assert!(mem.tables.is_empty());
}

fn drain_range_unmaps_and_reports_each_page<F: DescriptorFormat>() {
    let mut mem = Arena::default();
    let mut pt = PageTable::<F>::new(&mut mem).unwrap();
    for (n, va) in [0x1000, 0x2000, 0x4000_0000, 0x4000_3000]
        .into_iter()
        .enumerate()
    {
        pt.map(&mut mem, va, 0x8000_0000 + n * PAGE_SIZE, Perms::RW, false)
            .unwrap();
    }
    pt.map_borrowed(&mut mem, 0x5000, 0x9000_0000, Perms::RW, false)
        .unwrap();
    let mut seen = vec![];
    pt.drain_range(&mut mem, 0x2000, 0x4000_1000, |_, va, pa, borrowed| {
        seen.push((va, pa, borrowed))
    });
    assert_eq!(
        seen,
        vec![
            (0x2000, 0x8000_1000, false),
            (0x5000, 0x9000_0000, true),
            (0x4000_0000, 0x8000_2000, false)
        ]
    );
    assert_eq!(pt.translate(&mut mem, 0x2000), None);
    assert!(pt.translate(&mut mem, 0x1000).is_some());
    assert!(pt.translate(&mut mem, 0x4000_3000).is_some());
    seen.clear();
    pt.drain_range(&mut mem, 0, usize::MAX, |_, va, _, _| {
        seen.push((va, 0, false))
    });
    assert_eq!(seen.len(), 2);
}

fn map_translate_unmap<F: DescriptorFormat>() {
    let mut mem = Arena::default();
    let mut pt = PageTable::<F>::new(&mut mem).unwrap();
    pt.map(&mut mem, 0x20_0000, 0x8000_0000, Perms::RX, false)
        .unwrap();
    pt.map(
        &mut mem,
        0x7f_0000_0000 - 4096,
        0x8000_1000,
        Perms::RW,
        false,
    )
    .unwrap();
    assert_eq!(
        pt.translate(&mut mem, 0x20_0123),
        Some((0x8000_0123, Perms::RX))
    );
    assert_eq!(
        pt.translate(&mut mem, 0x7f_0000_0000 - 8),
        Some((0x8000_1ff8, Perms::RW))
    );
    assert_eq!(pt.translate(&mut mem, 0x20_1000), None);
    assert_eq!(
        pt.map(&mut mem, 0x20_0000, 0x9000_0000, Perms::RW, false),
        Err(MapError::AlreadyMapped)
    );
    assert_eq!(
        pt.map(&mut mem, 0x20_0001, 0x9000_0000, Perms::RW, false),
        Err(MapError::BadAddress)
    );
    let mut pages = vec![];
    pt.for_each_page(&mut mem, |va, pa, _| pages.push((va, pa)));
    assert_eq!(
        pages,
        vec![
            (0x20_0000, 0x8000_0000),
            (0x7f_0000_0000 - 4096, 0x8000_1000)
        ]
    );
    // The two pages part in the table whose entries span 1 GiB: it and the
    // ones above (LEVELS - 2, the root included) are shared, then each page
    // has two tables of its own.
    let tables = (F::LEVELS - 2) + 2 * 2;
    assert_eq!(pt.table_count(&mut mem), tables);
    let mut found = vec![];
    pt.for_each_mapped_in(&mut mem, 0, usize::MAX, |va| found.push(va));
    assert_eq!(found, vec![0x20_0000, 0x7f_0000_0000 - 4096]);
    found.clear();
    pt.for_each_mapped_in(&mut mem, 0x20_1000, 0x7f_0000_0000 - 4096, |va| {
        found.push(va)
    });
    assert!(found.is_empty());
    assert_eq!(pt.unmap(&mut mem, 0x20_0000), Ok((0x8000_0000, false)));
    pt.map_borrowed(&mut mem, 0x20_0000, 0x9000_0000, Perms::RW, false)
        .unwrap();
    assert_eq!(
        pt.translate(&mut mem, 0x20_0000),
        Some((0x9000_0000, Perms::RW))
    );
    assert_eq!(pt.unmap(&mut mem, 0x20_0000), Ok((0x9000_0000, true)));
    assert_eq!(pt.unmap(&mut mem, 0x20_0000), Err(MapError::NotMapped));
    assert_eq!(pt.translate(&mut mem, 0x20_0000), None);
    pt.destroy(&mut mem);
    assert!(mem.tables.is_empty());
    assert_eq!(mem.freed, tables);
}

fn translate_out_of_range_is_none<F: DescriptorFormat>() {
    let mut mem = Arena::default();
    let pt = PageTable::<F>::new(&mut mem).unwrap();
    assert_eq!(pt.translate(&mut mem, usize::MAX), None);
    assert_eq!(pt.translate(&mut mem, PageTable::<F>::ADDRESS_LIMIT), None);
}

/// The last page below the format's limit maps, is found and drains; the
/// limit itself and beyond are refused.
fn the_last_page_below_the_limit_works<F: DescriptorFormat>() {
    let limit = PageTable::<F>::ADDRESS_LIMIT;
    assert_eq!(limit, 1 << (12 + 9 * F::LEVELS));
    let last = limit - PAGE_SIZE;
    let mut mem = Arena::default();
    let mut pt = PageTable::<F>::new(&mut mem).unwrap();
    for va in [limit, limit + PAGE_SIZE, 1 << 63] {
        assert_eq!(
            pt.map(&mut mem, va, 0x8000_0000, Perms::RW, false),
            Err(MapError::BadAddress)
        );
        assert_eq!(pt.unmap(&mut mem, va), Err(MapError::BadAddress));
        assert_eq!(pt.translate(&mut mem, va), None);
    }
    assert_eq!(pt.table_count(&mut mem), 1);
    pt.map(&mut mem, last, 0x8000_0000, Perms::RW, false)
        .unwrap();
    assert_eq!(
        pt.translate(&mut mem, limit - 1),
        Some((0x8000_0fff, Perms::RW))
    );
    assert_eq!(pt.table_count(&mut mem), F::LEVELS);
    let mut found = vec![];
    pt.for_each_mapped_in(&mut mem, last, usize::MAX, |va| found.push(va));
    assert_eq!(found, vec![last]);
    let mut drained = vec![];
    pt.drain_range(&mut mem, 0, usize::MAX, |_, va, pa, _| {
        drained.push((va, pa))
    });
    assert_eq!(drained, vec![(last, 0x8000_0000)]);
    pt.destroy(&mut mem);
    assert!(mem.tables.is_empty());
}

#[test]
fn limits_follow_the_formats() {
    assert_eq!(PageTable::<Stage2>::ADDRESS_LIMIT, 1 << 39);
    assert_eq!(PageTable::<Ept>::ADDRESS_LIMIT, 1 << 48);
    assert_eq!(PageTable::<Npt>::ADDRESS_LIMIT, 1 << 48);
}

/// Four levels translate all 48 bits: addresses that differ only above bit
/// 38 (which a three-level walk cannot tell apart) get their own pages, and
/// the 39-bit stage 2 refuses them.
#[test]
fn a_48_bit_address_works_on_four_levels() {
    let pages = [
        (0x1000, 0x8000_0000),
        (0x80_0000_1000, 0x8000_1000),
        (0x8000_0000_0000, 0x8000_2000),
        (0xffff_ffff_f000, 0x8000_3000),
    ];
    let mut mem = Arena::default();
    let mut ept = PageTable::<Ept>::new(&mut mem).unwrap();
    let mut stage2 = PageTable::<Stage2>::new(&mut mem).unwrap();
    for (va, pa) in pages {
        ept.map(&mut mem, va, pa, Perms::RW, false).unwrap();
        let expected = if va < 1 << 39 {
            Ok(())
        } else {
            Err(MapError::BadAddress)
        };
        assert_eq!(stage2.map(&mut mem, va, pa, Perms::RW, false), expected);
    }
    for (va, pa) in pages {
        assert_eq!(ept.translate(&mut mem, va + 8), Some((pa + 8, Perms::RW)));
    }
    let mut seen = vec![];
    ept.for_each_page(&mut mem, |va, pa, _| seen.push((va, pa)));
    assert_eq!(seen, pages);
    // The root and, below each of its four entries, one table per level.
    assert_eq!(ept.table_count(&mut mem), 1 + 4 * 3);
    assert_eq!(
        ept.unmap(&mut mem, 0x80_0000_1000),
        Ok((0x8000_1000, false))
    );
    assert_eq!(
        ept.translate(&mut mem, 0x1000),
        Some((0x8000_0000, Perms::RW))
    );
    ept.drain_range(&mut mem, 0, usize::MAX, |_, _, _, _| {});
    ept.destroy(&mut mem);
    stage2.drain_range(&mut mem, 0, usize::MAX, |_, _, _, _| {});
    stage2.destroy(&mut mem);
    assert!(mem.tables.is_empty());
}
