//! The `bootfs` target: the kernel's reader of the boot file system. A
//! bootfs it accepts must list files that lie inside it, be found by their
//! names, and come out the same when written again with the host's writer.

use boot::{Bootfs, BootfsWriter, bootfs::probe_size};

/// Reads `data` as a bootfs.
pub fn bootfs(data: &[u8]) {
    let size = probe_size(data);
    let Ok(fs) = Bootfs::parse(data) else { return };
    let total = fs.as_bytes().len();
    assert_eq!(size, Some(total as u64), "probe_size and parse disagree");
    assert!(total <= data.len());
    let image = fs.as_bytes().as_ptr_range();
    let mut writer = BootfsWriter::new();
    let mut unique = true;
    for (i, f) in fs.files().enumerate() {
        assert_eq!(fs.get(i), Some(f), "get({i}) and files() disagree");
        let r = f.data.as_ptr_range();
        assert!(
            image.start <= r.start && r.end <= image.end,
            "{}: data outside the bootfs",
            f.name
        );
        assert_eq!(
            r.start as usize - image.start as usize,
            f.offset,
            "{}: offset",
            f.name
        );
        assert!(f.name.starts_with('/'), "name {:?}", f.name);
        let found = fs.find(f.name).expect("a listed file is found by its name");
        assert_eq!(found.name, f.name);
        unique &= writer.add(f.name, f.data, f.flags).is_ok();
    }
    assert_eq!(fs.files().count(), fs.len());
    assert!(fs.get(fs.len()).is_none());
    if unique {
        // Written again by the host's writer, it reads back the same.
        let again = writer.finish();
        let fs2 = Bootfs::parse(&again).expect("the writer's image parses");
        let mut a: std::vec::Vec<_> = fs.files().map(|f| (f.name, f.data, f.flags)).collect();
        let b: std::vec::Vec<_> = fs2.files().map(|f| (f.name, f.data, f.flags)).collect();
        a.sort_unstable();
        assert_eq!(a, b, "written again, the files differ");
    }
}

/// Reads `data` as the boot image's reserve list (`[reserve]`, which the
/// kernel parses at boot): what it accepts is page-aligned, non-empty,
/// at most 8 ranges none overlapping, and reads back the same once
/// rendered as the bootfs stores it.
pub fn reserve_list(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let Ok(ranges) = boot::reserve::parse(text) else {
        return;
    };
    assert!(ranges.len() <= boot::reserve::MAX_RESERVED);
    for (i, r) in ranges.iter().enumerate() {
        assert!(
            r.size > 0 && r.base % 4096 == 0 && r.size % 4096 == 0,
            "{r:?}"
        );
        let end = r.base.checked_add(r.size).expect("no range wraps");
        for o in &ranges[..i] {
            assert!(
                end <= o.base || o.base + o.size <= r.base,
                "{r:?} overlaps {o:?}"
            );
        }
    }
    let again = boot::reserve::parse(&boot::reserve::render(&ranges)).expect("rendered parses");
    assert_eq!(again, ranges);
}
