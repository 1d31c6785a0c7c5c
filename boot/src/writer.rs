//! The bootfs writer (feature `std`).
//!
//! Collects files with [`BootfsWriter::add`] and lays them out with
//! [`BootfsWriter::finish`] in the format described in [`crate::bootfs`]:
//! header, entry table sorted by name, string table, then every file's data
//! at a [`DATA_ALIGN`]-aligned offset, zero padded. The total size is rounded
//! up to [`DATA_ALIGN`] too.

use std::collections::BTreeMap;
use std::fmt;

use crate::bootfs::{DATA_ALIGN, ENTRY_SIZE, HEADER_SIZE, MAGIC, VERSION};

/// Why a file could not be added to a [`BootfsWriter`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteError {
    /// The name is not a valid bootfs path; `reason` says why.
    BadName {
        /// The rejected name.
        name: String,
        /// What is wrong with it (from [`check_name`]).
        reason: &'static str,
    },
    /// A file with this name was already added.
    Duplicate(String),
    /// The image would exceed the format's limits (more than `u32::MAX`
    /// entries or string-table bytes).
    TooLarge,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadName { name, reason } => write!(f, "bad bootfs path '{name}': {reason}"),
            Self::Duplicate(name) => write!(f, "duplicate bootfs path '{name}'"),
            Self::TooLarge => write!(f, "bootfs too large"),
        }
    }
}

impl std::error::Error for WriteError {}

/// Checks that `name` is a valid bootfs path: non-empty, absolute, no NUL,
/// no empty component (`//`) and no trailing `/`. Returns the reason if not.
pub fn check_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        Err("empty path")
    } else if !name.starts_with('/') {
        Err("must start with '/'")
    } else if name.contains('\0') {
        Err("contains NUL")
    } else if name.contains("//") {
        Err("contains '//'")
    } else if name.ends_with('/') {
        Err("ends with '/'")
    } else {
        Ok(())
    }
}

/// Builds a bootfs image in memory.
#[derive(Clone, Debug, Default)]
pub struct BootfsWriter {
    /// Files by name (kept sorted), with their data and flags.
    files: BTreeMap<String, (Vec<u8>, u32)>,
    /// Sum of all name lengths: the string table size.
    strings_size: usize,
}

fn align_up(x: usize) -> usize {
    x.div_ceil(DATA_ALIGN) * DATA_ALIGN
}

fn put(out: &mut [u8], offset: usize, bytes: &[u8]) {
    out[offset..offset + bytes.len()].copy_from_slice(bytes);
}

impl BootfsWriter {
    /// An empty writer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file named `name` (an absolute path, see [`check_name`]) with
    /// contents `data` and entry `flags` ([`crate::bootfs::FLAG_EXEC`]).
    pub fn add(
        &mut self,
        name: &str,
        data: impl Into<Vec<u8>>,
        flags: u32,
    ) -> Result<(), WriteError> {
        check_name(name).map_err(|reason| WriteError::BadName {
            name: name.to_owned(),
            reason,
        })?;
        if self.files.contains_key(name) {
            return Err(WriteError::Duplicate(name.to_owned()));
        }
        let strings_size = self
            .strings_size
            .checked_add(name.len())
            .filter(|&size| u32::try_from(size).is_ok())
            .ok_or(WriteError::TooLarge)?;
        if u32::try_from(self.files.len() + 1).is_err() {
            return Err(WriteError::TooLarge);
        }
        self.strings_size = strings_size;
        self.files.insert(name.to_owned(), (data.into(), flags));
        Ok(())
    }

    /// Number of files added so far.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether no file was added yet.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Lays out the image: header, entry table (sorted by name), string
    /// table, then each file's data at a [`DATA_ALIGN`]-aligned offset.
    pub fn finish(self) -> Vec<u8> {
        let count = self.files.len();
        let strings_offset = HEADER_SIZE + count * ENTRY_SIZE;
        let mut cursor = align_up(strings_offset + self.strings_size);
        let mut data_offsets = Vec::with_capacity(count);
        for (data, _) in self.files.values() {
            data_offsets.push(cursor);
            cursor = align_up(cursor + data.len());
        }
        let total = cursor;

        let mut out = vec![0u8; total];
        put(&mut out, 0, &MAGIC);
        put(&mut out, 8, &VERSION.to_le_bytes());
        put(&mut out, 12, &(count as u32).to_le_bytes());
        put(&mut out, 16, &(total as u64).to_le_bytes());
        put(&mut out, 24, &(strings_offset as u32).to_le_bytes());
        put(&mut out, 28, &(self.strings_size as u32).to_le_bytes());

        let mut name_offset = 0usize;
        for (index, ((name, (data, flags)), data_offset)) in
            self.files.iter().zip(data_offsets).enumerate()
        {
            let entry = HEADER_SIZE + index * ENTRY_SIZE;
            put(&mut out, entry, &(name_offset as u32).to_le_bytes());
            put(&mut out, entry + 4, &(name.len() as u32).to_le_bytes());
            put(&mut out, entry + 8, &(data_offset as u64).to_le_bytes());
            put(&mut out, entry + 16, &(data.len() as u64).to_le_bytes());
            put(&mut out, entry + 24, &flags.to_le_bytes());
            // entry + 28: reserved, already zero.
            put(&mut out, strings_offset + name_offset, name.as_bytes());
            put(&mut out, data_offset, data);
            name_offset += name.len();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bootfs::{Bootfs, FLAG_EXEC, probe_size};

    #[test]
    fn round_trip() {
        let big: Vec<u8> = (0..10_000u32).map(|i| (i * 7) as u8).collect();
        let page: Vec<u8> = vec![0x5A; DATA_ALIGN];
        let mut w = BootfsWriter::new();
        assert!(w.is_empty());
        w.add("/etc/motd", b"hello\n".as_slice(), 0).unwrap();
        w.add("/bin/init", vec![1, 2, 3], FLAG_EXEC).unwrap();
        w.add("/lib/big", big.clone(), 0).unwrap();
        w.add("/empty", Vec::new(), 0).unwrap();
        w.add("/page", page.clone(), 0x8000_0000).unwrap();
        w.add("/bin/sh", b"sh".as_slice(), FLAG_EXEC).unwrap();
        assert_eq!(w.len(), 6);
        let img = w.finish();

        assert_eq!(img.len() % DATA_ALIGN, 0);
        assert_eq!(probe_size(&img), Some(img.len() as u64));
        let fs = Bootfs::parse(&img).unwrap();
        assert_eq!(fs.len(), 6);
        let names: Vec<_> = fs.files().map(|f| f.name).collect();
        assert_eq!(
            names,
            [
                "/bin/init",
                "/bin/sh",
                "/empty",
                "/etc/motd",
                "/lib/big",
                "/page"
            ]
        );
        let expect: [(&str, &[u8], u32); 6] = [
            ("/bin/init", &[1, 2, 3], FLAG_EXEC),
            ("/bin/sh", b"sh", FLAG_EXEC),
            ("/empty", b"", 0),
            ("/etc/motd", b"hello\n", 0),
            ("/lib/big", &big, 0),
            ("/page", &page, 0x8000_0000),
        ];
        for (name, data, flags) in expect {
            let f = fs.find(name).unwrap();
            assert_eq!(f.name, name);
            assert_eq!(f.data, data, "{name}");
            assert_eq!(f.flags, flags, "{name}");
            assert_eq!(f.is_executable(), flags & FLAG_EXEC != 0);
            assert_eq!(f.offset % DATA_ALIGN, 0, "{name}");
            assert_eq!(&img[f.offset..f.offset + data.len()], data);
        }
        // Data regions do not overlap and padding is zero.
        let mut files: Vec<_> = fs.files().collect();
        files.sort_by_key(|f| f.offset);
        for pair in files.windows(2) {
            assert!(pair[0].offset + pair[0].data.len() <= pair[1].offset);
            let pad = &img[pair[0].offset + pair[0].data.len()..pair[1].offset];
            assert!(pad.iter().all(|&b| b == 0));
        }
        // Reserved fields are zero.
        for i in 0..6 {
            let e = HEADER_SIZE + i * ENTRY_SIZE;
            assert_eq!(&img[e + 28..e + 32], &[0; 4]);
        }
    }

    #[test]
    fn empty_image() {
        let img = BootfsWriter::new().finish();
        assert_eq!(img.len(), DATA_ALIGN);
        let fs = Bootfs::parse(&img).unwrap();
        assert!(fs.is_empty());
    }

    #[test]
    fn rejects_bad_names() {
        let mut w = BootfsWriter::new();
        for (name, reason) in [
            ("", "empty path"),
            ("bin/init", "must start with '/'"),
            ("/bin\0init", "contains NUL"),
            ("/bin//init", "contains '//'"),
            ("/bin/", "ends with '/'"),
            ("/", "ends with '/'"),
        ] {
            let err = w.add(name, Vec::new(), 0).unwrap_err();
            assert_eq!(
                err,
                WriteError::BadName {
                    name: name.to_owned(),
                    reason
                }
            );
            assert_eq!(
                err.to_string(),
                format!("bad bootfs path '{name}': {reason}")
            );
        }
        assert!(w.is_empty());
    }

    #[test]
    fn rejects_duplicates() {
        let mut w = BootfsWriter::new();
        w.add("/a", b"1".as_slice(), 0).unwrap();
        let err = w.add("/a", b"2".as_slice(), FLAG_EXEC).unwrap_err();
        assert_eq!(err, WriteError::Duplicate("/a".into()));
        assert_eq!(err.to_string(), "duplicate bootfs path '/a'");
        let fs_img = w.finish();
        let fs = Bootfs::parse(&fs_img).unwrap();
        assert_eq!(fs.find("/a").unwrap().data, b"1");
    }

    #[test]
    fn writer_output_survives_corruption() {
        let mut w = BootfsWriter::new();
        w.add("/bin/init", vec![7; 5000], FLAG_EXEC).unwrap();
        w.add("/x", b"x".as_slice(), 0).unwrap();
        let img = w.finish();
        for len in 0..img.len() {
            assert!(Bootfs::parse(&img[..len]).is_err());
        }
        for pos in 0..128 {
            let mut copy = img.clone();
            copy[pos] ^= 0xA5;
            if let Ok(fs) = Bootfs::parse(&copy) {
                for f in fs.files() {
                    assert!(f.offset + f.data.len() <= copy.len());
                }
            }
        }
    }
}
