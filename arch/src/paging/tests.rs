//! Host tests of the walker over an arena of `Vec`-backed tables.

use super::*;
use crate::aarch64::stage2::Stage2;
use std::collections::BTreeMap;

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

#[test]
fn drain_range_unmaps_and_reports_each_page() {
    let mut mem = Arena::default();
    let mut pt = PageTable::<Stage2>::new(&mut mem).unwrap();
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

#[test]
fn map_translate_unmap() {
    let mut mem = Arena::default();
    let mut pt = PageTable::<Stage2>::new(&mut mem).unwrap();
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
    assert_eq!(
        pt.map(
            &mut mem,
            PageTable::<Stage2>::ADDRESS_LIMIT,
            0x9000_0000,
            Perms::RW,
            false
        ),
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
    assert_eq!(pt.table_count(&mut mem), 5);
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
    assert_eq!(mem.freed, 5);
}

#[test]
fn translate_out_of_range_is_none() {
    let mut mem = Arena::default();
    let pt = PageTable::<Stage2>::new(&mut mem).unwrap();
    assert_eq!(pt.translate(&mut mem, usize::MAX), None);
    assert_eq!(
        pt.translate(&mut mem, PageTable::<Stage2>::ADDRESS_LIMIT),
        None
    );
}
