//! What `cargo xtask flash` reads about the machine's disks, from files
//! whose paths it is given ([`Host`]): `/sys/block` (disks, their
//! partitions, device numbers, attributes, what is stacked on them),
//! `/proc/self/mountinfo` and `/proc/swaps`. The tests hand it fake trees.

use std::path::{Path, PathBuf};

/// Where the facts are read.
#[derive(Debug, Clone)]
pub struct Host {
    /// sysfs, `/sys`.
    pub sys: PathBuf,
    /// The mount table with device numbers, `/proc/self/mountinfo`.
    pub mountinfo: PathBuf,
    /// Active swap areas, `/proc/swaps`.
    pub swaps: PathBuf,
}

impl Host {
    /// This machine's files.
    pub fn real() -> Host {
        Host {
            sys: PathBuf::from("/sys"),
            mountinfo: PathBuf::from("/proc/self/mountinfo"),
            swaps: PathBuf::from("/proc/swaps"),
        }
    }

    /// The attribute `attr` of disk `disk` (`removable`, `size`,
    /// `device/model`), trimmed, if readable.
    pub fn attr(&self, disk: &str, attr: &str) -> Option<String> {
        std::fs::read_to_string(self.sys.join("block").join(disk).join(attr))
            .ok()
            .map(|s| s.trim().to_string())
    }

    /// Every disk and partition in `/sys/block`.
    pub fn block_devices(&self) -> Vec<BlockDev> {
        let mut found = Vec::new();
        let block = self.sys.join("block");
        for disk in names_in(&block) {
            let dir = block.join(&disk);
            if let Some(dev) = dev_number(&dir) {
                found.push(BlockDev {
                    name: disk.clone(),
                    dev,
                    disk: disk.clone(),
                });
            }
            for part in names_in(&dir) {
                let part_dir = dir.join(&part);
                if !part_dir.join("partition").is_file() {
                    continue;
                }
                if let Some(dev) = dev_number(&part_dir) {
                    found.push(BlockDev {
                        name: part,
                        dev,
                        disk: disk.clone(),
                    });
                }
            }
        }
        found
    }

    /// What is stacked on block device `dev` (device-mapper, md RAID):
    /// the names in its `holders` folder.
    pub fn holders(&self, dev: &BlockDev) -> Vec<String> {
        names_in(&self.dev_dir(dev).join("holders"))
    }

    /// The block devices `dev` is made of (for a device-mapper or md
    /// device: its `slaves` folder).
    pub fn slaves(&self, dev: &BlockDev) -> Vec<String> {
        names_in(&self.dev_dir(dev).join("slaves"))
    }

    fn dev_dir(&self, dev: &BlockDev) -> PathBuf {
        let disk = self.sys.join("block").join(&dev.disk);
        if dev.name == dev.disk {
            disk
        } else {
            disk.join(&dev.name)
        }
    }

    /// The mount table; empty if unreadable.
    pub fn mounts(&self) -> Vec<Mount> {
        std::fs::read_to_string(&self.mountinfo)
            .map(|t| parse_mountinfo(&t))
            .unwrap_or_default()
    }

    /// The swap areas' paths; empty if unreadable.
    pub fn swaps(&self) -> Vec<String> {
        std::fs::read_to_string(&self.swaps)
            .map(|t| parse_swaps(&t))
            .unwrap_or_default()
    }
}

/// A disk or a partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockDev {
    /// Its kernel name: `sdb`, `sdb1`, `mmcblk0p1`, `dm-0`.
    pub name: String,
    /// Major and minor device numbers.
    pub dev: (u32, u32),
    /// The disk it is on (its own name for a disk).
    pub disk: String,
}

/// One line of `/proc/self/mountinfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// The device numbers of what is mounted (0:N for file systems on no
    /// block device, and for btrfs).
    pub dev: (u32, u32),
    /// Where it is mounted.
    pub mount_point: String,
    /// The file system type.
    pub fs_type: String,
    /// The mount source (`/dev/sda1`, `tmpfs`).
    pub source: String,
}

/// The entries of `/proc/self/mountinfo`:
/// `ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [TAGS...] - TYPE SOURCE SUPER_OPTIONS`,
/// with spaces in paths written `\040`. Malformed lines are left out.
pub fn parse_mountinfo(text: &str) -> Vec<Mount> {
    text.lines()
        .filter_map(|line| {
            let (front, back) = line.split_once(" - ")?;
            let front: Vec<&str> = front.split_whitespace().collect();
            let mut back = back.split_whitespace();
            let dev = parse_dev(front.get(2)?)?;
            Some(Mount {
                dev,
                mount_point: unescape(front.get(4)?),
                fs_type: back.next()?.to_string(),
                source: unescape(back.next().unwrap_or("")),
            })
        })
        .collect()
}

/// The paths in `/proc/swaps` (its first column, after the header line).
pub fn parse_swaps(text: &str) -> Vec<String> {
    text.lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next().map(unescape))
        .collect()
}

/// `MAJ:MIN`.
pub fn parse_dev(text: &str) -> Option<(u32, u32)> {
    let (major, minor) = text.trim().split_once(':')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The kernel's octal escapes in mount tables (`\040` is a space).
fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match (bytes[i], octal) {
            (b'\\', Some(d)) => {
                out.push((d[0] - b'0') * 64 + (d[1] - b'0') * 8 + (d[2] - b'0'));
                i += 4;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The `dev` attribute of a sysfs block folder.
fn dev_number(dir: &Path) -> Option<(u32, u32)> {
    parse_dev(&std::fs::read_to_string(dir.join("dev")).ok()?)
}

/// The names in folder `dir`, sorted; none if it cannot be read.
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    names
}
