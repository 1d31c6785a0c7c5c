//! A disk's `hostdev` naming a host block driver's disk instead of a
//! bootfs file: `/dev/NAME`, the block channel NAME's driver serves
//! (`vblk /dev/NAME ...`), the whole disk; or `/dev/NAME@FIRST,SECTORS`,
//! a range of it (a partition): SECTORS 512-byte sectors from sector
//! FIRST (numbers as elsewhere: decimal, `0x` hex; `K`, `M`, `G`
//! suffixes), checked against the disk when `qvm` connects.

use alloc::format;
use alloc::string::String;

/// Where a driver's disks are named.
pub const BLOCK_DRIVER_DIR: &str = "/dev/";

/// How long `qvm` waits at start for the driver of a `hostdev /dev/NAME`
/// disk to serve its channel, in seconds.
pub const DRIVER_WAIT_SECONDS: u64 = 10;

/// A range of a driver's disk, in 512-byte sectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// The first sector.
    pub first: u64,
    /// How many sectors (at least 1).
    pub sectors: u64,
}

/// A host block driver's disk, or a range of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockDevice<'a> {
    /// The block channel's name: `/dev/NAME`.
    pub channel: &'a str,
    /// The range the guest sees; `None`: the whole disk.
    pub partition: Option<Partition>,
}

/// What `hostdev PATH` of a disk names: `None` for a bootfs file (not
/// under `/dev/`, or deeper than `/dev/NAME`), else the driver's disk or
/// why the range is malformed.
pub fn block_device(path: &str) -> Option<Result<BlockDevice<'_>, String>> {
    let rest = path.strip_prefix(BLOCK_DRIVER_DIR)?;
    let (name, range) = match rest.split_once('@') {
        Some((name, range)) => (name, Some(range)),
        None => (rest, None),
    };
    if name.is_empty() || name.contains('/') {
        return None;
    }
    let channel = &path[..BLOCK_DRIVER_DIR.len() + name.len()];
    let Some(range) = range else {
        return Some(Ok(BlockDevice {
            channel,
            partition: None,
        }));
    };
    let bad = || {
        format!(
            "'{path}': a range of a driver's disk is '{channel}@FIRST,SECTORS' \
             (512-byte sectors, SECTORS at least 1)"
        )
    };
    let parsed = range.split_once(',').and_then(|(first, sectors)| {
        let first = super::number(first, true).ok()?;
        let sectors = super::number(sectors, true).ok()?;
        (sectors > 0 && first.checked_add(sectors).is_some())
            .then_some(Partition { first, sectors })
    });
    Some(
        parsed
            .map(|p| BlockDevice {
                channel,
                partition: Some(p),
            })
            .ok_or_else(bad),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_disks_and_ranges() {
        let whole = block_device("/dev/vblk0").unwrap().unwrap();
        assert_eq!(whole.channel, "/dev/vblk0");
        assert_eq!(whole.partition, None);
        let part = block_device("/dev/vblk0@2048,0x800").unwrap().unwrap();
        assert_eq!(part.channel, "/dev/vblk0");
        assert_eq!(
            part.partition,
            Some(Partition {
                first: 2048,
                sectors: 2048
            })
        );
        let k = block_device("/dev/d@1K,1M").unwrap().unwrap();
        assert_eq!(k.partition.unwrap().sectors, 1 << 20);
        for file in ["/disk.img", "/dev/", "/dev/a/b", "/devx/a", "dev/a"] {
            assert_eq!(block_device(file), None, "{file}");
        }
        for bad in [
            "/dev/vblk0@",
            "/dev/vblk0@5",
            "/dev/vblk0@5,0",
            "/dev/vblk0@x,5",
            "/dev/vblk0@5,",
            "/dev/vblk0@0xffffffffffffffff,2",
        ] {
            assert!(block_device(bad).unwrap().is_err(), "{bad}");
        }
    }
}
