//! The bootfs format and its reader.
//!
//! A bootfs is a flat, read-only file system appended to the kernel image.
//! All integers are little-endian. The layout is:
//!
//! | offset | size | field            | meaning                                      |
//! |--------|------|------------------|----------------------------------------------|
//! | 0      | 8    | `magic`          | [`MAGIC`] (`b"QHVBOOTF"`)                    |
//! | 8      | 4    | `version`        | [`VERSION`]                                  |
//! | 12     | 4    | `entry_count`    | number of entries                            |
//! | 16     | 8    | `total_size`     | size of the whole bootfs, header included    |
//! | 24     | 4    | `strings_offset` | offset of the name string table              |
//! | 28     | 4    | `strings_size`   | size of the name string table                |
//!
//! The entry table follows the header: `entry_count` entries of
//! [`ENTRY_SIZE`] bytes each:
//!
//! | offset | size | field         | meaning                                   |
//! |--------|------|---------------|-------------------------------------------|
//! | 0      | 4    | `name_offset` | offset of the name in the string table    |
//! | 4      | 4    | `name_len`    | length of the name in bytes               |
//! | 8      | 8    | `data_offset` | offset of the data from the bootfs start  |
//! | 16     | 8    | `data_len`    | length of the data in bytes               |
//! | 24     | 4    | `flags`       | bit 0: [`FLAG_EXEC`]                      |
//! | 28     | 4    | `reserved`    | 0                                         |
//!
//! Names are absolute UTF-8 paths without NUL (`/bin/init`). Each file's data
//! starts at a [`DATA_ALIGN`]-aligned offset so that a kernel can map it.
//! Writers sort the entries by name; this reader does not rely on it.
//!
//! The reader validates everything in [`Bootfs::parse`] and never panics or
//! allocates, whatever the input.
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::panic,
        clippy::unwrap_used,
        clippy::expect_used
    )
)]

use core::fmt;

/// Magic bytes at the start of every bootfs.
pub const MAGIC: [u8; 8] = *b"QHVBOOTF";
/// The format version this crate reads and writes.
pub const VERSION: u32 = 1;
/// Size of the header in bytes.
pub const HEADER_SIZE: usize = 32;
/// Size of one entry-table entry in bytes.
pub const ENTRY_SIZE: usize = 32;
/// Entry flag: the file is an executable program.
pub const FLAG_EXEC: u32 = 1 << 0;
/// Alignment of every file's data offset (from the bootfs start).
pub const DATA_ALIGN: usize = 4096;

// Header field offsets.
const H_VERSION: usize = 8;
const H_ENTRY_COUNT: usize = 12;
const H_TOTAL_SIZE: usize = 16;
const H_STRINGS_OFFSET: usize = 24;
const H_STRINGS_SIZE: usize = 28;

// Entry field offsets.
const E_NAME_OFFSET: usize = 0;
const E_NAME_LEN: usize = 4;
const E_DATA_OFFSET: usize = 8;
const E_DATA_LEN: usize = 16;
const E_FLAGS: usize = 24;

/// What is wrong with a bootfs, as reported by [`Bootfs::parse`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootfsError {
    /// The bytes do not start with [`MAGIC`].
    BadMagic,
    /// The header's version is not [`VERSION`].
    UnsupportedVersion(u32),
    /// Fewer bytes were given than the header or its `total_size` needs.
    Truncated {
        /// Bytes needed.
        need: u64,
        /// Bytes given.
        have: u64,
    },
    /// `total_size` is smaller than the header.
    BadTotalSize(u64),
    /// The entry table does not fit within `total_size`.
    EntryTableOutOfBounds,
    /// The string table does not fit within `total_size`.
    StringTableOutOfBounds,
    /// An entry's name does not fit within the string table.
    NameOutOfBounds {
        /// Index of the entry.
        index: usize,
    },
    /// An entry's name is not UTF-8 or not an absolute path.
    BadName {
        /// Index of the entry.
        index: usize,
    },
    /// An entry's data does not fit within `total_size`.
    EntryOutOfBounds {
        /// Index of the entry.
        index: usize,
    },
    /// An entry's data offset is not a multiple of [`DATA_ALIGN`].
    MisalignedData {
        /// Index of the entry.
        index: usize,
    },
}

impl fmt::Display for BootfsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::BadMagic => write!(f, "bad bootfs magic (expected \"QHVBOOTF\")"),
            Self::UnsupportedVersion(v) => {
                write!(f, "unsupported bootfs version {v} (expected {VERSION})")
            }
            Self::Truncated { need, have } => {
                write!(f, "bootfs truncated: need {need} bytes, have {have}")
            }
            Self::BadTotalSize(size) => {
                write!(f, "bootfs total size {size} is smaller than its header")
            }
            Self::EntryTableOutOfBounds => write!(f, "bootfs entry table out of bounds"),
            Self::StringTableOutOfBounds => write!(f, "bootfs string table out of bounds"),
            Self::NameOutOfBounds { index } => {
                write!(f, "bootfs entry {index}: name out of bounds")
            }
            Self::BadName { index } => {
                write!(
                    f,
                    "bootfs entry {index}: name is not an absolute UTF-8 path"
                )
            }
            Self::EntryOutOfBounds { index } => {
                write!(f, "bootfs entry {index}: data out of bounds")
            }
            Self::MisalignedData { index } => {
                write!(
                    f,
                    "bootfs entry {index}: data not {DATA_ALIGN}-byte aligned"
                )
            }
        }
    }
}

impl core::error::Error for BootfsError {}

/// One file of a bootfs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct File<'a> {
    /// Absolute path, e.g. `/bin/init`.
    pub name: &'a str,
    /// The file's contents.
    pub data: &'a [u8],
    /// Entry flags ([`FLAG_EXEC`]).
    pub flags: u32,
    /// Offset of `data` from the bootfs start; a multiple of [`DATA_ALIGN`].
    pub offset: usize,
}

impl File<'_> {
    /// Whether the file is marked executable ([`FLAG_EXEC`]).
    pub fn is_executable(&self) -> bool {
        self.flags & FLAG_EXEC != 0
    }
}

/// A validated bootfs borrowed from a byte slice.
#[derive(Clone, Copy, Debug)]
pub struct Bootfs<'a> {
    /// The whole bootfs (`total_size` bytes).
    image: &'a [u8],
    /// The entry table.
    table: &'a [u8],
    /// The name string table.
    strings: &'a [u8],
    /// Number of entries.
    count: usize,
}

/// The decoded header fields.
struct Header {
    entry_count: u32,
    total_size: u64,
    strings_offset: u32,
    strings_size: u32,
}

fn read_u32(bytes: &[u8], offset: usize) -> Option<u32> {
    let chunk = bytes.get(offset..)?.first_chunk::<4>()?;
    Some(u32::from_le_bytes(*chunk))
}

fn read_u64(bytes: &[u8], offset: usize) -> Option<u64> {
    let chunk = bytes.get(offset..)?.first_chunk::<8>()?;
    Some(u64::from_le_bytes(*chunk))
}

/// `bytes[offset..offset + len]`, or `None` if out of bounds or overflowing.
fn sub_slice(bytes: &[u8], offset: u64, len: u64) -> Option<&[u8]> {
    let offset = usize::try_from(offset).ok()?;
    let len = usize::try_from(len).ok()?;
    bytes.get(offset..offset.checked_add(len)?)
}

fn len_u64(bytes: &[u8]) -> u64 {
    u64::try_from(bytes.len()).unwrap_or(u64::MAX)
}

fn parse_header(bytes: &[u8]) -> Result<Header, BootfsError> {
    let truncated = BootfsError::Truncated {
        need: HEADER_SIZE as u64,
        have: len_u64(bytes),
    };
    let header = bytes.first_chunk::<HEADER_SIZE>().ok_or(truncated)?;
    if header.first_chunk::<8>() != Some(&MAGIC) {
        return Err(BootfsError::BadMagic);
    }
    let field = |offset| read_u32(header, offset).ok_or(truncated);
    let version = field(H_VERSION)?;
    if version != VERSION {
        return Err(BootfsError::UnsupportedVersion(version));
    }
    let total_size = read_u64(header, H_TOTAL_SIZE).ok_or(truncated)?;
    if total_size < HEADER_SIZE as u64 {
        return Err(BootfsError::BadTotalSize(total_size));
    }
    Ok(Header {
        entry_count: field(H_ENTRY_COUNT)?,
        total_size,
        strings_offset: field(H_STRINGS_OFFSET)?,
        strings_size: field(H_STRINGS_SIZE)?,
    })
}

/// The total size of the bootfs that `bytes` starts with, if its header
/// (the first [`HEADER_SIZE`] bytes) is valid.
///
/// This lets a kernel find out how big the bootfs is before it has mapped
/// more than the header. The rest is checked only by [`Bootfs::parse`].
pub fn probe_size(bytes: &[u8]) -> Option<u64> {
    parse_header(bytes).ok().map(|h| h.total_size)
}

impl<'a> Bootfs<'a> {
    /// Validates the bootfs at the start of `bytes`.
    ///
    /// Bytes beyond the header's `total_size` are ignored. Checks the magic,
    /// the version, that `total_size` fits in `bytes`, that the entry table,
    /// the string table and every entry's name and data lie within
    /// `total_size`, that every data offset is [`DATA_ALIGN`]-aligned and
    /// that every name is UTF-8 starting with `/`.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, BootfsError> {
        let header = parse_header(bytes)?;
        let truncated = BootfsError::Truncated {
            need: header.total_size,
            have: len_u64(bytes),
        };
        let image = sub_slice(bytes, 0, header.total_size).ok_or(truncated)?;
        let count =
            usize::try_from(header.entry_count).map_err(|_| BootfsError::EntryTableOutOfBounds)?;
        let table_len = u64::from(header.entry_count)
            .checked_mul(ENTRY_SIZE as u64)
            .ok_or(BootfsError::EntryTableOutOfBounds)?;
        let table = sub_slice(image, HEADER_SIZE as u64, table_len)
            .ok_or(BootfsError::EntryTableOutOfBounds)?;
        let strings = sub_slice(
            image,
            header.strings_offset.into(),
            header.strings_size.into(),
        )
        .ok_or(BootfsError::StringTableOutOfBounds)?;
        let fs = Self {
            image,
            table,
            strings,
            count,
        };
        for index in 0..count {
            fs.decode(index)?;
        }
        Ok(fs)
    }

    /// Decodes and checks entry `index`.
    fn decode(&self, index: usize) -> Result<File<'a>, BootfsError> {
        let raw = index
            .checked_mul(ENTRY_SIZE)
            .and_then(|start| self.table.get(start..)?.first_chunk::<ENTRY_SIZE>())
            .ok_or(BootfsError::EntryTableOutOfBounds)?;
        let out_of_table = BootfsError::EntryTableOutOfBounds;
        let name_offset = read_u32(raw, E_NAME_OFFSET).ok_or(out_of_table)?;
        let name_len = read_u32(raw, E_NAME_LEN).ok_or(out_of_table)?;
        let data_offset = read_u64(raw, E_DATA_OFFSET).ok_or(out_of_table)?;
        let data_len = read_u64(raw, E_DATA_LEN).ok_or(out_of_table)?;
        let flags = read_u32(raw, E_FLAGS).ok_or(out_of_table)?;

        let name = sub_slice(self.strings, name_offset.into(), name_len.into())
            .ok_or(BootfsError::NameOutOfBounds { index })?;
        let name = core::str::from_utf8(name).map_err(|_| BootfsError::BadName { index })?;
        if !name.starts_with('/') {
            return Err(BootfsError::BadName { index });
        }
        let data = sub_slice(self.image, data_offset, data_len)
            .ok_or(BootfsError::EntryOutOfBounds { index })?;
        // In bounds of `image`, so it fits in a usize.
        let offset =
            usize::try_from(data_offset).map_err(|_| BootfsError::EntryOutOfBounds { index })?;
        if offset & (DATA_ALIGN - 1) != 0 {
            return Err(BootfsError::MisalignedData { index });
        }
        Ok(File {
            name,
            data,
            flags,
            offset,
        })
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the bootfs has no files.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The whole bootfs (`total_size` bytes, header included).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.image
    }

    /// The file at entry-table position `index`.
    pub fn get(&self, index: usize) -> Option<File<'a>> {
        if index < self.count {
            self.decode(index).ok()
        } else {
            None
        }
    }

    /// The file named `path` (an absolute path such as `/bin/init`).
    pub fn find(&self, path: &str) -> Option<File<'a>> {
        self.files().find(|file| file.name == path)
    }

    /// All files, in entry-table order (sorted by name if the writer sorted).
    pub fn files(&self) -> impl Iterator<Item = File<'a>> + use<'a> {
        let fs = *self;
        (0..fs.count).filter_map(move |index| fs.decode(index).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// A test entry: name, data, flags.
    type Spec<'s> = (&'s str, &'s [u8], u32);

    /// Builds a valid image by hand (independent of the `std` writer).
    /// Returns the image and the byte offset of the entry table.
    fn build(files: &[Spec<'_>]) -> Vec<u8> {
        let table_end = HEADER_SIZE + files.len() * ENTRY_SIZE;
        let mut strings = Vec::new();
        let mut name_offsets = Vec::new();
        for (name, _, _) in files {
            name_offsets.push(strings.len());
            strings.extend_from_slice(name.as_bytes());
        }
        let align = |x: usize| x.div_ceil(DATA_ALIGN) * DATA_ALIGN;
        let mut cursor = align(table_end + strings.len());
        let mut data_offsets = Vec::new();
        for (_, data, _) in files {
            data_offsets.push(cursor);
            cursor = align(cursor + data.len());
        }
        let total = cursor;
        let mut img = std::vec![0u8; total];
        img[..8].copy_from_slice(&MAGIC);
        put32(&mut img, 8, VERSION);
        put32(&mut img, 12, files.len() as u32);
        put64(&mut img, 16, total as u64);
        put32(&mut img, 24, table_end as u32);
        put32(&mut img, 28, strings.len() as u32);
        for (i, (name, data, flags)) in files.iter().enumerate() {
            let e = HEADER_SIZE + i * ENTRY_SIZE;
            put32(&mut img, e, name_offsets[i] as u32);
            put32(&mut img, e + 4, name.len() as u32);
            put64(&mut img, e + 8, data_offsets[i] as u64);
            put64(&mut img, e + 16, data.len() as u64);
            put32(&mut img, e + 24, *flags);
            img[data_offsets[i]..data_offsets[i] + data.len()].copy_from_slice(data);
        }
        img[table_end..table_end + strings.len()].copy_from_slice(&strings);
        img
    }

    fn put32(img: &mut [u8], off: usize, v: u32) {
        img[off..off + 4].copy_from_slice(&v.to_le_bytes());
    }

    fn put64(img: &mut [u8], off: usize, v: u64) {
        img[off..off + 8].copy_from_slice(&v.to_le_bytes());
    }

    fn entry(i: usize) -> usize {
        HEADER_SIZE + i * ENTRY_SIZE
    }

    fn sample() -> Vec<u8> {
        build(&[
            ("/bin/init", b"\x7fELF init", FLAG_EXEC),
            ("/etc/motd", b"hello\n", 0),
            ("/empty", b"", 0),
        ])
    }

    /// Parses and, on success, walks everything, checking invariants.
    fn exercise(bytes: &[u8]) -> Result<usize, BootfsError> {
        let _ = probe_size(bytes);
        let fs = Bootfs::parse(bytes)?;
        let mut n = 0;
        for file in fs.files() {
            assert!(file.name.starts_with('/'));
            assert_eq!(file.offset % DATA_ALIGN, 0);
            assert!(file.offset + file.data.len() <= fs.as_bytes().len());
            assert!(fs.find(file.name).is_some());
            n += 1;
        }
        assert_eq!(n, fs.len());
        assert!(fs.get(fs.len()).is_none());
        Ok(n)
    }

    #[test]
    fn reads_hand_built_image() {
        let img = sample();
        assert_eq!(probe_size(&img), Some(img.len() as u64));
        assert_eq!(probe_size(&img[..HEADER_SIZE]), Some(img.len() as u64));
        let fs = Bootfs::parse(&img).unwrap();
        assert_eq!(fs.len(), 3);
        assert!(!fs.is_empty());
        let init = fs.find("/bin/init").unwrap();
        assert_eq!(init.data, b"\x7fELF init");
        assert!(init.is_executable());
        assert_eq!(init.offset % DATA_ALIGN, 0);
        let motd = fs.find("/etc/motd").unwrap();
        assert_eq!(motd.data, b"hello\n");
        assert!(!motd.is_executable());
        assert_eq!(fs.find("/empty").unwrap().data, b"");
        assert!(fs.find("/nope").is_none());
        assert!(fs.find("bin/init").is_none());
        let names: Vec<_> = fs.files().map(|f| f.name).collect();
        assert_eq!(names, ["/bin/init", "/etc/motd", "/empty"]);
        assert_eq!(fs.get(1).unwrap().name, "/etc/motd");
        assert!(fs.get(3).is_none());
        assert!(fs.get(usize::MAX).is_none());
    }

    #[test]
    fn empty_bootfs() {
        let img = build(&[]);
        let fs = Bootfs::parse(&img).unwrap();
        assert!(fs.is_empty());
        assert_eq!(fs.files().count(), 0);
        assert!(fs.find("/x").is_none());
    }

    #[test]
    fn trailing_bytes_ignored() {
        let mut img = sample();
        let total = img.len();
        img.extend_from_slice(&[0xAA; 100]);
        let fs = Bootfs::parse(&img).unwrap();
        assert_eq!(fs.as_bytes().len(), total);
        assert_eq!(exercise(&img), Ok(3));
    }

    #[test]
    fn bad_magic() {
        let mut img = sample();
        img[0] = b'X';
        assert_eq!(Bootfs::parse(&img).unwrap_err(), BootfsError::BadMagic);
        assert_eq!(probe_size(&img), None);
        assert_eq!(Bootfs::parse(&[0; 64]).unwrap_err(), BootfsError::BadMagic);
    }

    #[test]
    fn unsupported_version() {
        let mut img = sample();
        put32(&mut img, 8, 2);
        assert_eq!(
            Bootfs::parse(&img).unwrap_err(),
            BootfsError::UnsupportedVersion(2)
        );
        assert_eq!(probe_size(&img), None);
    }

    #[test]
    fn truncated_header() {
        let img = sample();
        for len in 0..HEADER_SIZE {
            assert_eq!(
                Bootfs::parse(&img[..len]).unwrap_err(),
                BootfsError::Truncated {
                    need: HEADER_SIZE as u64,
                    have: len as u64
                }
            );
            assert_eq!(probe_size(&img[..len]), None);
        }
    }

    #[test]
    fn total_size_larger_than_slice() {
        let img = sample();
        let short = &img[..img.len() - 1];
        assert_eq!(
            Bootfs::parse(short).unwrap_err(),
            BootfsError::Truncated {
                need: img.len() as u64,
                have: short.len() as u64
            }
        );
        // The header alone still tells the size.
        assert_eq!(probe_size(short), Some(img.len() as u64));
        let mut huge = sample();
        put64(&mut huge, 16, u64::MAX);
        assert_eq!(
            Bootfs::parse(&huge).unwrap_err(),
            BootfsError::Truncated {
                need: u64::MAX,
                have: huge.len() as u64
            }
        );
    }

    #[test]
    fn total_size_smaller_than_header() {
        let mut img = sample();
        put64(&mut img, 16, 31);
        assert_eq!(
            Bootfs::parse(&img).unwrap_err(),
            BootfsError::BadTotalSize(31)
        );
        assert_eq!(probe_size(&img), None);
    }

    #[test]
    fn entry_table_out_of_bounds() {
        for count in [600, 1000, u32::MAX / 32 + 1, u32::MAX] {
            let mut img = sample();
            put32(&mut img, 12, count);
            assert_eq!(
                Bootfs::parse(&img).unwrap_err(),
                BootfsError::EntryTableOutOfBounds,
                "count {count}"
            );
        }
        // Total size cutting into the table.
        let mut img = sample();
        put64(&mut img, 16, (HEADER_SIZE + ENTRY_SIZE) as u64);
        assert_eq!(
            Bootfs::parse(&img).unwrap_err(),
            BootfsError::EntryTableOutOfBounds
        );
    }

    #[test]
    fn string_table_out_of_bounds() {
        let len = sample().len() as u32;
        for (offset, size) in [(len, 1), (len - 4, 5), (u32::MAX, u32::MAX), (0, len + 1)] {
            let mut img = sample();
            put32(&mut img, 24, offset);
            put32(&mut img, 28, size);
            assert_eq!(
                Bootfs::parse(&img).unwrap_err(),
                BootfsError::StringTableOutOfBounds,
                "offset {offset} size {size}"
            );
        }
    }

    #[test]
    fn name_out_of_bounds() {
        let strings_size = "/bin/init/etc/motd/empty".len() as u32;
        for (offset, len) in [
            (strings_size, 1),
            (0, strings_size + 1),
            (u32::MAX, 1),
            (1, u32::MAX),
            (u32::MAX, u32::MAX),
        ] {
            let mut img = sample();
            put32(&mut img, entry(1), offset);
            put32(&mut img, entry(1) + 4, len);
            assert_eq!(
                Bootfs::parse(&img).unwrap_err(),
                BootfsError::NameOutOfBounds { index: 1 },
                "offset {offset} len {len}"
            );
        }
    }

    #[test]
    fn bad_names() {
        // Not absolute: point the name one byte in ("bin/init").
        let mut img = sample();
        put32(&mut img, entry(0), 1);
        put32(&mut img, entry(0) + 4, 8);
        assert_eq!(
            Bootfs::parse(&img).unwrap_err(),
            BootfsError::BadName { index: 0 }
        );
        // Empty name.
        let mut img = sample();
        put32(&mut img, entry(2) + 4, 0);
        assert_eq!(
            Bootfs::parse(&img).unwrap_err(),
            BootfsError::BadName { index: 2 }
        );
        // Non-UTF-8 name.
        let mut img = build(&[("/a\u{e9}", b"x", 0)]);
        let strings = u32::from_le_bytes(img[24..28].try_into().unwrap()) as usize;
        img[strings + 2] = 0xFF;
        assert_eq!(
            Bootfs::parse(&img).unwrap_err(),
            BootfsError::BadName { index: 0 }
        );
    }

    #[test]
    fn data_out_of_bounds() {
        let total = sample().len() as u64;
        for (offset, len) in [
            (total, 1),
            (total - 4096, 4097),
            (0, total + 1),
            (!4095, 1),
            (4096, u64::MAX),
            (u64::MAX, u64::MAX),
        ] {
            let mut img = sample();
            put64(&mut img, entry(2) + 8, offset);
            put64(&mut img, entry(2) + 16, len);
            assert_eq!(
                Bootfs::parse(&img).unwrap_err(),
                BootfsError::EntryOutOfBounds { index: 2 },
                "offset {offset} len {len}"
            );
        }
        // Zero-length data exactly at the end is fine.
        let mut img = sample();
        put64(&mut img, entry(2) + 8, total);
        put64(&mut img, entry(2) + 16, 0);
        assert_eq!(exercise(&img), Ok(3));
    }

    #[test]
    fn misaligned_data() {
        let mut img = sample();
        let off = u64::from_le_bytes(img[entry(1) + 8..entry(1) + 16].try_into().unwrap());
        put64(&mut img, entry(1) + 8, off + 1);
        assert_eq!(
            Bootfs::parse(&img).unwrap_err(),
            BootfsError::MisalignedData { index: 1 }
        );
    }

    #[test]
    fn errors_display() {
        let cases = [
            (BootfsError::BadMagic, "bad bootfs magic"),
            (BootfsError::UnsupportedVersion(7), "version 7"),
            (
                BootfsError::Truncated { need: 32, have: 3 },
                "need 32 bytes, have 3",
            ),
            (BootfsError::BadTotalSize(5), "total size 5"),
            (BootfsError::EntryTableOutOfBounds, "entry table"),
            (BootfsError::StringTableOutOfBounds, "string table"),
            (
                BootfsError::NameOutOfBounds { index: 4 },
                "entry 4: name out",
            ),
            (BootfsError::BadName { index: 4 }, "entry 4: name is not"),
            (
                BootfsError::EntryOutOfBounds { index: 4 },
                "entry 4: data out",
            ),
            (
                BootfsError::MisalignedData { index: 4 },
                "entry 4: data not 4096",
            ),
        ];
        for (err, want) in cases {
            let text = std::format!("{err}");
            assert!(text.contains(want), "{text:?} lacks {want:?}");
        }
    }

    #[test]
    fn every_prefix_parses_without_panic() {
        let img = sample();
        for len in 0..img.len() {
            assert!(exercise(&img[..len]).is_err(), "prefix {len}");
        }
        assert_eq!(exercise(&img), Ok(3));
    }

    #[test]
    fn byte_flips_never_panic() {
        let img = sample();
        // Every byte of the metadata, several ways.
        let meta_end = HEADER_SIZE + 3 * ENTRY_SIZE + 32;
        for pos in 0..meta_end {
            for mask in [0x01, 0x80, 0xFF, 0x7F, 0x10] {
                let mut copy = img.clone();
                copy[pos] ^= mask;
                let _ = exercise(&copy);
            }
            for value in [0x00, 0xFF] {
                let mut copy = img.clone();
                copy[pos] = value;
                let _ = exercise(&copy);
            }
        }
        // Pseudo-random multi-byte corruption anywhere.
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..2000 {
            let mut copy = img.clone();
            for _ in 0..(next() % 4 + 1) {
                let pos = (next() % meta_end as u64) as usize;
                copy[pos] = next() as u8;
            }
            let cut = (next() % (copy.len() as u64 + 1)) as usize;
            let _ = exercise(&copy);
            let _ = exercise(&copy[..cut]);
        }
    }
}
