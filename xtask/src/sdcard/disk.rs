//! The SD card's disk image, made in memory: an MBR with one primary
//! partition, bootable, of type 0x0c (FAT32 with LBA addressing), formatted
//! FAT32 and holding the boot files in its root folder.
//!
//! [`build`] writes the partition table with `mbrman` and the file system
//! with `fatfs`, both in process on a byte buffer (no `mount`, no root);
//! [`read`] reads an image back with the same crates, for the tests and for
//! `cargo xtask flash --dry-run`'s list of what a card will hold.

use std::io::{Cursor, Read, Write};

use anyhow::{Context, Result, anyhow, ensure};
use fatfs::{
    Date, DateTime, FatType, FileSystem, FormatVolumeOptions, FsOptions, Time, TimeProvider,
};
use mbrman::{BOOT_ACTIVE, CHS, MBR, MBRPartitionEntry};

/// Bytes per sector on an SD card.
pub const SECTOR: u64 = 512;
/// Where the partition starts: 1 MiB in, as card makers and the Raspberry
/// Pi OS images align it (sector 2048).
pub const PARTITION_START: u64 = 1 << 20;
/// The smallest FAT32 partition made: FAT32 needs at least 65525 clusters,
/// which `fatfs` makes 512 bytes each below 260 MiB (about 33 MiB); 64 MiB
/// leaves room to copy files onto the card later.
pub const MIN_PARTITION: u64 = 64 << 20;
/// MBR partition type 0x0c: FAT32 addressed by LBA, what the Raspberry Pi's
/// boot ROM and firmware and U-Boot's `fatload` read.
pub const FAT32_LBA: u8 = 0x0c;
/// The FAT volume label.
const LABEL: &[u8; 11] = b"QHV-BOOT   ";

/// The files' time: 1980-01-01 00:00, FAT's first day, always (`fatfs`
/// without `chrono` would write day 0 of month 0, which is no date).
#[derive(Debug)]
struct FixedTime;

/// The 1980-01-01 00:00 date and time.
const EPOCH: DateTime = DateTime {
    date: Date {
        year: 1980,
        month: 1,
        day: 1,
    },
    time: Time {
        hour: 0,
        min: 0,
        sec: 0,
        millis: 0,
    },
};

impl TimeProvider for FixedTime {
    fn get_current_date(&self) -> Date {
        EPOCH.date
    }

    fn get_current_date_time(&self) -> DateTime {
        EPOCH
    }
}

/// One file in the boot partition's root folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootFile {
    /// Its name (long names are fine: `fatfs` writes VFAT entries).
    pub name: String,
    /// Its bytes.
    pub data: Vec<u8>,
}

impl BootFile {
    /// A file named `name` holding `data`.
    pub fn new(name: &str, data: impl Into<Vec<u8>>) -> BootFile {
        BootFile {
            name: name.to_string(),
            data: data.into(),
        }
    }
}

/// The partition's size for `files`: their bytes rounded to 4 KiB each, an
/// eighth more for the FATs and folders, 8 MiB spare, rounded up to 1 MiB,
/// and at least [`MIN_PARTITION`].
pub fn partition_size(files: &[BootFile]) -> u64 {
    let data: u64 = files
        .iter()
        .map(|f| (f.data.len() as u64).div_ceil(4096) * 4096)
        .sum();
    let wanted = data + data / 8 + (8 << 20);
    wanted.div_ceil(1 << 20).max(MIN_PARTITION >> 20) << 20
}

/// The disk image: MBR, the FAT32 partition from [`PARTITION_START`] to the
/// end, `files` in its root. The MBR's disk signature and the volume's
/// serial number are a CRC-32 of the files, so the same files give the same
/// image byte for byte (file times are 1980-01-01 00:00: no clock is read).
pub fn build(files: &[BootFile]) -> Result<Vec<u8>> {
    let part_bytes = partition_size(files);
    let total = PARTITION_START + part_bytes;
    let mut image = vec![0u8; usize::try_from(total).context("the image is too big")?];
    let mut crc = crc32fast::Hasher::new();
    for f in files {
        crc.update(f.name.as_bytes());
        crc.update(&f.data);
    }
    let id = crc.finalize();

    let mut disk = Cursor::new(image.as_mut_slice());
    let mut mbr = MBR::new_from(&mut disk, SECTOR as u32, id.to_le_bytes())
        .map_err(|e| anyhow!("cannot start a partition table: {e}"))?;
    mbr[1] = MBRPartitionEntry {
        boot: BOOT_ACTIVE,
        first_chs: CHS::empty(),
        sys: FAT32_LBA,
        last_chs: CHS::empty(),
        starting_lba: (PARTITION_START / SECTOR) as u32,
        sectors: u32::try_from(part_bytes / SECTOR).context("the partition is too big")?,
    };
    mbr.write_into(&mut disk)
        .map_err(|e| anyhow!("cannot write the partition table: {e}"))?;

    let part = &mut image[PARTITION_START as usize..];
    let options = FormatVolumeOptions::new()
        .fat_type(FatType::Fat32)
        .volume_id(id)
        .volume_label(*LABEL);
    fatfs::format_volume(Cursor::new(&mut *part), options)
        .context("cannot format the FAT32 partition")?;
    let options = FsOptions::new().time_provider(&FixedTime);
    let fs = FileSystem::new(Cursor::new(&mut *part), options)
        .context("cannot open the new FAT32 partition")?;
    {
        let root = fs.root_dir();
        for f in files {
            let mut file = root
                .create_file(&f.name)
                .with_context(|| format!("cannot create {} in the FAT partition", f.name))?;
            file.write_all(&f.data)
                .with_context(|| format!("cannot write {} in the FAT partition", f.name))?;
            file.flush()?;
        }
    }
    // Counting the free clusters records the count in the FSInfo sector,
    // which `fsck.fat` otherwise reports as uninitialized.
    fs.stats()
        .context("cannot count the FAT partition's free clusters")?;
    fs.unmount().context("cannot finish the FAT partition")?;
    Ok(image)
}

/// What [`read`] finds in a disk image.
#[derive(Debug)]
pub struct Contents {
    /// The first partition's type byte.
    pub partition_type: u8,
    /// Whether the first partition is marked bootable.
    pub bootable: bool,
    /// Its first sector.
    pub start_lba: u32,
    /// Its length in sectors.
    pub sectors: u32,
    /// The FAT type of its file system.
    pub fat_type: FatType,
    /// The files of its root folder, in folder order.
    pub files: Vec<BootFile>,
}

/// Reads an SD-card image made by [`build`] (or any MBR disk whose first
/// partition is FAT): the partition entry and the root folder's files.
pub fn read(image: &[u8]) -> Result<Contents> {
    let mut disk = Cursor::new(image);
    let mbr = MBR::read_from(&mut disk, SECTOR as u32)
        .map_err(|e| anyhow!("no MBR partition table: {e}"))?;
    let entry = &mbr[1];
    ensure!(entry.is_used(), "the first partition entry is empty");
    let start = u64::from(entry.starting_lba) * SECTOR;
    let end = start + u64::from(entry.sectors) * SECTOR;
    ensure!(
        end <= image.len() as u64,
        "the first partition ends at byte {end}, past the image's end ({})",
        image.len()
    );
    // `fatfs` opens only storage it could write to: a copy, then.
    let part = image[start as usize..end as usize].to_vec();
    let fs = FileSystem::new(Cursor::new(part), FsOptions::new())
        .context("the first partition holds no FAT file system")?;
    let mut files = Vec::new();
    for entry in fs.root_dir().iter() {
        let entry = entry?;
        if !entry.is_file() {
            continue;
        }
        let mut data = Vec::new();
        entry.to_file().read_to_end(&mut data)?;
        files.push(BootFile {
            name: entry.file_name(),
            data,
        });
    }
    Ok(Contents {
        partition_type: entry.sys,
        bootable: entry.boot == BOOT_ACTIVE,
        start_lba: entry.starting_lba,
        sectors: entry.sectors,
        fat_type: fs.fat_type(),
        files,
    })
}

impl Contents {
    /// The bytes of the file `name` (FAT names compare without case).
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
            .map(|f| f.data.as_slice())
    }
}
