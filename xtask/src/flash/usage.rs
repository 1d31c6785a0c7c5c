//! The checks of [`super::checks`] on what uses a disk: mounts of it or
//! its partitions, swap on them, and whether the root file system lives on
//! it (through partitions, device-mapper and md).

use super::checks::{Check, check};
use super::system::{BlockDev, Host, Mount};

/// The device a mount's source or a swap path names (`/dev/sdb1`,
/// `/dev/mapper/NAME`), among `devices`.
fn named<'a>(host: &Host, devices: &'a [BlockDev], path: &str) -> Option<&'a BlockDev> {
    let name = path.strip_prefix("/dev/")?;
    if let Some(dm) = name.strip_prefix("mapper/") {
        return devices
            .iter()
            .find(|d| host.attr(&d.disk, "dm/name").as_deref() == Some(dm));
    }
    devices.iter().find(|d| d.name == name)
}

/// The disk's mounted parts: matched by device number, or by source path
/// (btrfs mounts show an anonymous 0:N).
pub(super) fn mounted(host: &Host, devices: &[BlockDev], parts: &[&BlockDev]) -> Check {
    let on_disk = |m: &Mount| {
        parts.iter().any(|p| {
            p.dev == m.dev || named(host, devices, &m.source).is_some_and(|d| d.name == p.name)
        })
    };
    let found: Vec<String> = host
        .mounts()
        .iter()
        .filter(|m| on_disk(m))
        .map(|m| format!("{} on {}", m.source, m.mount_point))
        .collect();
    if found.is_empty() {
        check("mounted", true, "none of its partitions is mounted")
    } else {
        check("mounted", false, format!("mounted: {}", found.join(", ")))
    }
}

pub(super) fn swapped(host: &Host, parts: &[&BlockDev]) -> Check {
    let found: Vec<String> = host
        .swaps()
        .into_iter()
        .filter(|s| {
            parts
                .iter()
                .any(|p| s.strip_prefix("/dev/") == Some(p.name.as_str()))
        })
        .collect();
    if found.is_empty() {
        check("swap", true, "no swap on it")
    } else {
        check("swap", false, format!("swap on {}", found.join(", ")))
    }
}

/// Whether `disk` holds the root file system: the device of `/`'s mount,
/// followed from a partition to its disk and from a device-mapper or md
/// device to the disks it is made of.
pub(super) fn system_disk(host: &Host, devices: &[BlockDev], disk: &str) -> Check {
    let mounts = host.mounts();
    let Some(root) = mounts.iter().rev().find(|m| m.mount_point == "/") else {
        return check("system disk", true, "no mount of / in the mount table");
    };
    let start = devices
        .iter()
        .find(|d| d.dev == root.dev)
        .or_else(|| named(host, devices, &root.source));
    let Some(start) = start else {
        let detail = format!("/ is {} ({}), on no disk here", root.source, root.fs_type);
        return check("system disk", true, detail);
    };
    let mut disks = Vec::new();
    let mut todo = vec![start.clone()];
    while let Some(d) = todo.pop() {
        if disks.len() > 64 {
            break;
        }
        let slaves = host.slaves(&d);
        if slaves.is_empty() {
            disks.push(d.disk.clone());
        }
        for s in slaves {
            todo.extend(devices.iter().find(|x| x.name == s).cloned());
        }
    }
    if disks.iter().any(|d| d == disk) {
        let detail = format!(
            "/ ({}) is on {disk}: the disk this system runs from",
            root.source
        );
        check("system disk", false, detail)
    } else {
        let detail = format!("/ ({}) is on {}", root.source, disks.join(", "));
        check("system disk", true, detail)
    }
}
