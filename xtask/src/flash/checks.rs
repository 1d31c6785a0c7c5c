//! Whether `cargo xtask flash` may write to a path: every check, each with
//! what it found, computed from a [`Node`] (what the path is) and a
//! [`Host`] (where `/sys` and the `/proc` files are), so that the tests run
//! each refusal on fake trees.
//!
//! A block device must be a whole disk, removable (or an SD card in an MMC
//! slot), writable, with nothing of it mounted, swapped on or stacked on
//! (device-mapper, md), not the disk of the root file system, with a
//! medium at least as big as the image, and no bigger than the size limit
//! unless `--force`. A regular file is written only with `--force`.
//! Nothing else is written.

use std::path::Path;

use super::system::{BlockDev, Host};
use super::usage::{mounted, swapped, system_disk};

/// What the path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// Nothing.
    Missing,
    /// A block device with these major and minor numbers.
    Block(u32, u32),
    /// A regular file.
    Regular,
    /// Something else (a folder, a character device, a socket...).
    Other(&'static str),
}

/// What the user allowed, and what is to be written.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// `--force`: a regular file, or a disk above `max_bytes`.
    pub force: bool,
    /// The image's length.
    pub image_len: u64,
    /// The largest disk written without `--force`.
    pub max_bytes: u64,
}

/// One check and what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked (`removable`).
    pub what: &'static str,
    /// Whether it allows the write.
    pub ok: bool,
    /// What was found.
    pub detail: String,
}

/// Where the image would go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A whole disk: its kernel name, size in bytes and a description.
    Disk {
        /// Kernel name (`sdb`).
        name: String,
        /// Size in bytes.
        bytes: u64,
        /// Vendor and model, as sysfs has them.
        model: String,
    },
    /// A regular file (`--force`).
    File,
}

/// Every check on one path, and the target if there is one.
#[derive(Debug)]
pub struct Examination {
    /// The target, when the path is a disk or a regular file.
    pub target: Option<Target>,
    /// Every check made, in order.
    pub checks: Vec<Check>,
}

impl Examination {
    /// The checks that refuse the write.
    pub fn refusals(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.ok).collect()
    }
}

/// A [`Check`].
pub(super) fn check(what: &'static str, ok: bool, detail: impl Into<String>) -> Check {
    Check {
        what,
        ok,
        detail: detail.into(),
    }
}

/// Every check for writing `policy.image_len` bytes to `path`, which is `node`.
pub fn examine(path: &Path, node: Node, host: &Host, policy: &Policy) -> Examination {
    let shown = path.display();
    let (major, minor) = match node {
        Node::Block(major, minor) => (major, minor),
        Node::Regular if policy.force => {
            let detail = format!("{shown} is a regular file, written because of --force");
            return Examination {
                target: Some(Target::File),
                checks: vec![check("device", true, detail)],
            };
        }
        other => {
            let detail = match other {
                Node::Missing => format!("{shown} does not exist"),
                Node::Regular => {
                    format!("{shown} is a regular file, not a block device (--force writes a file)")
                }
                Node::Other(kind) => format!("{shown} is a {kind}, not a block device"),
                Node::Block(..) => unreachable!("handled above"),
            };
            return Examination {
                target: None,
                checks: vec![check("device", false, detail)],
            };
        }
    };
    let devices = host.block_devices();
    let Some(dev) = devices.iter().find(|d| d.dev == (major, minor)) else {
        let detail = format!("{shown} is block device {major}:{minor}, which /sys/block lacks");
        return Examination {
            target: None,
            checks: vec![check("device", false, detail)],
        };
    };
    if dev.name != dev.disk {
        let detail = format!(
            "{shown} is partition {} of disk {}: give the whole disk, /dev/{}",
            dev.name, dev.disk, dev.disk
        );
        return Examination {
            target: None,
            checks: vec![check("device", false, detail)],
        };
    }
    let disk = dev.disk.as_str();
    let attr = |name: &str| host.attr(disk, name).unwrap_or_default();
    let model = [attr("device/vendor"), attr("device/model")]
        .iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let bytes = attr("size").parse::<u64>().unwrap_or(0).saturating_mul(512);
    let parts: Vec<&BlockDev> = devices.iter().filter(|d| d.disk == disk).collect();
    let mut checks = vec![check(
        "device",
        true,
        format!("{shown} is disk {disk} ({major}:{minor}) {model}"),
    )];
    let removable = attr("removable") == "1";
    let sd_slot = attr("device/type") == "SD";
    checks.push(match (removable, sd_slot) {
        (true, _) => check("removable", true, format!("{disk} is removable")),
        (false, true) => check(
            "removable",
            true,
            format!("{disk} is an SD card in an MMC slot"),
        ),
        _ => check(
            "removable",
            false,
            format!("{disk} is not a removable disk (/sys/block/{disk}/removable is not 1)"),
        ),
    });
    checks.push(match attr("ro").as_str() {
        "0" => check("writable", true, format!("{disk} is writable")),
        _ => check(
            "writable",
            false,
            format!("{disk} is read-only (a card's lock switch?)"),
        ),
    });
    checks.push(mounted(host, &devices, &parts));
    checks.push(swapped(host, &parts));
    let stacked: Vec<String> = parts
        .iter()
        .flat_map(|p| {
            host.holders(p)
                .into_iter()
                .map(move |h| format!("{} by {h}", p.name))
        })
        .collect();
    checks.push(if stacked.is_empty() {
        check("in use", true, "nothing stacked on it (device-mapper, md)")
    } else {
        check("in use", false, format!("in use: {}", stacked.join(", ")))
    });
    checks.push(system_disk(host, &devices, disk));
    checks.push(size_check(disk, bytes, policy));
    Examination {
        target: Some(Target::Disk {
            name: disk.to_string(),
            bytes,
            model,
        }),
        checks,
    }
}

fn size_check(disk: &str, bytes: u64, policy: &Policy) -> Check {
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    let size = format!("{disk} holds {bytes} bytes ({:.1} GiB)", gib(bytes));
    if bytes == 0 {
        check("size", false, format!("{disk} has no medium (size 0)"))
    } else if bytes < policy.image_len {
        let detail = format!("{size}, less than the image's {} bytes", policy.image_len);
        check("size", false, detail)
    } else if bytes > policy.max_bytes && !policy.force {
        let detail = format!(
            "{size}, more than {:.0} GiB: not like an SD card; --force writes it anyway",
            gib(policy.max_bytes)
        );
        check("size", false, detail)
    } else if bytes > policy.max_bytes {
        check("size", true, format!("{size}, over the limit but --force"))
    } else {
        check("size", true, size)
    }
}
