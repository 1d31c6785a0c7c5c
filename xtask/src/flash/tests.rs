//! Each check of `cargo xtask flash` on fake `/sys` and `/proc` trees, the
//! readers of the mount and swap tables and device numbers ([`readers`]),
//! and whole runs onto a plain file and, as root, a loop device ([`e2e`]).

mod e2e;
mod readers;

use std::path::{Path, PathBuf};

use super::MAX_CARD_BYTES;
use super::checks::{Check, Node, Policy, Target, examine};
use super::system::Host;

/// A fake `/sys`, `/proc/self/mountinfo` and `/proc/swaps` in a temp dir.
pub(super) struct Fake {
    pub dir: PathBuf,
}

impl Fake {
    pub fn new(name: &str) -> Fake {
        let dir = std::env::temp_dir().join(format!("xtask-flash-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sys/block")).unwrap();
        let fake = Fake { dir };
        fake.mounts("22 1 252:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n");
        fake.write("swaps", "Filename\tType\tSize\tUsed\tPriority\n");
        fake.disk("vda", (252, 0), false, 20 << 21)
            .part("vda", "vda1", (252, 1));
        fake
    }

    pub fn write(&self, rel: &str, text: &str) -> &Fake {
        let path = self.dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub fn mounts(&self, text: &str) -> &Fake {
        self.write("mountinfo", text)
    }

    /// A disk `name` with `sectors` of 512 bytes.
    pub fn disk(&self, name: &str, dev: (u32, u32), removable: bool, sectors: u64) -> &Fake {
        let d = format!("sys/block/{name}");
        self.write(&format!("{d}/dev"), &format!("{}:{}\n", dev.0, dev.1))
            .write(
                &format!("{d}/removable"),
                if removable { "1\n" } else { "0\n" },
            )
            .write(&format!("{d}/size"), &format!("{sectors}\n"))
            .write(&format!("{d}/ro"), "0\n")
            .write(&format!("{d}/device/model"), "Card Reader\n");
        std::fs::create_dir_all(self.dir.join(format!("{d}/holders"))).unwrap();
        self
    }

    pub fn part(&self, disk: &str, name: &str, dev: (u32, u32)) -> &Fake {
        let p = format!("sys/block/{disk}/{name}");
        self.write(&format!("{p}/dev"), &format!("{}:{}\n", dev.0, dev.1))
            .write(&format!("{p}/partition"), "1\n")
    }

    pub fn host(&self) -> Host {
        Host {
            sys: self.dir.join("sys"),
            mountinfo: self.dir.join("mountinfo"),
            swaps: self.dir.join("swaps"),
        }
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const IMAGE_LEN: u64 = 65 << 20;

fn policy(force: bool) -> Policy {
    Policy {
        force,
        image_len: IMAGE_LEN,
        max_bytes: MAX_CARD_BYTES,
    }
}

/// A fake machine with a 16 GiB card in a USB reader as sdb (8:16), with
/// two partitions, nothing of it mounted.
fn with_card(name: &str) -> Fake {
    let fake = Fake::new(name);
    fake.disk("sdb", (8, 16), true, 32 << 20)
        .part("sdb", "sdb1", (8, 17))
        .part("sdb", "sdb2", (8, 18));
    fake
}

/// The checks on `node` that refuse, by name.
fn refused(fake: &Fake, node: Node, force: bool) -> Vec<Check> {
    let exam = examine(Path::new("/dev/x"), node, &fake.host(), &policy(force));
    exam.refusals().into_iter().cloned().collect()
}

fn refused_names(fake: &Fake, node: Node) -> Vec<&'static str> {
    refused(fake, node, false).iter().map(|c| c.what).collect()
}

#[test]
fn a_card_in_a_reader_passes_every_check() {
    let fake = with_card("ok");
    let exam = examine(
        Path::new("/dev/sdb"),
        Node::Block(8, 16),
        &fake.host(),
        &policy(false),
    );
    assert!(exam.refusals().is_empty(), "{:#?}", exam.checks);
    let whats: Vec<&str> = exam.checks.iter().map(|c| c.what).collect();
    assert_eq!(
        whats,
        [
            "device",
            "removable",
            "writable",
            "mounted",
            "swap",
            "in use",
            "system disk",
            "size"
        ]
    );
    assert_eq!(
        exam.target,
        Some(Target::Disk {
            name: "sdb".into(),
            bytes: 16 << 30,
            model: "Card Reader".into()
        })
    );
    let root = exam
        .checks
        .iter()
        .find(|c| c.what == "system disk")
        .unwrap();
    assert!(root.detail.contains("on vda"), "{}", root.detail);
}

#[test]
fn a_partition_is_refused_with_the_disk_named() {
    let fake = with_card("part");
    let why = refused(&fake, Node::Block(8, 17), false);
    assert_eq!(why.len(), 1);
    assert!(
        why[0].detail.contains("partition sdb1 of disk sdb"),
        "{}",
        why[0].detail
    );
    assert!(why[0].detail.contains("/dev/sdb"));
}

#[test]
fn a_disk_that_is_not_removable_is_refused_even_with_force() {
    let fake = with_card("fixed");
    fake.disk("sdc", (8, 32), false, 32 << 21);
    assert_eq!(refused_names(&fake, Node::Block(8, 32)), ["removable"]);
    let forced: Vec<_> = refused(&fake, Node::Block(8, 32), true);
    assert_eq!(forced.len(), 1, "--force does not override removable");
}

#[test]
fn an_sd_card_in_an_mmc_slot_counts_as_removable() {
    let fake = Fake::new("mmc");
    fake.disk("mmcblk0", (179, 0), false, 32 << 21)
        .write("sys/block/mmcblk0/device/type", "SD\n");
    assert!(refused_names(&fake, Node::Block(179, 0)).is_empty());
    // An eMMC chip (type MMC) is not a card.
    fake.write("sys/block/mmcblk0/device/type", "MMC\n");
    assert_eq!(refused_names(&fake, Node::Block(179, 0)), ["removable"]);
}

#[test]
fn a_read_only_card_is_refused() {
    let fake = with_card("ro");
    fake.write("sys/block/sdb/ro", "1\n");
    assert_eq!(refused_names(&fake, Node::Block(8, 16)), ["writable"]);
}

#[test]
fn a_mounted_partition_is_refused_by_number_or_by_name() {
    let fake = with_card("mounted");
    let root = "22 1 252:1 / / rw - ext4 /dev/vda1 rw\n";
    fake.mounts(&format!(
        "{root}40 22 8:17 / /media/my\\040card rw - vfat /dev/sdb1 rw\n"
    ));
    let why = refused(&fake, Node::Block(8, 16), false);
    assert_eq!(why.len(), 1);
    assert_eq!(why[0].detail, "mounted: /dev/sdb1 on /media/my card");
    // btrfs shows an anonymous device number: the source names it.
    fake.mounts(&format!(
        "{root}41 22 0:45 / /mnt rw - btrfs /dev/sdb2 rw\n"
    ));
    assert_eq!(refused_names(&fake, Node::Block(8, 16)), ["mounted"]);
    // The whole disk mounted, no partition table.
    fake.mounts(&format!("{root}42 22 8:16 / /mnt rw - vfat /dev/sdb rw\n"));
    assert_eq!(refused_names(&fake, Node::Block(8, 16)), ["mounted"]);
}

#[test]
fn a_disk_with_swap_on_it_is_refused() {
    let fake = with_card("swap");
    fake.write(
        "swaps",
        "Filename\tType\tSize\tUsed\tPriority\n/dev/sdb2  partition\t1048572\t0\t-2\n",
    );
    assert_eq!(refused_names(&fake, Node::Block(8, 16)), ["swap"]);
}

#[test]
fn a_disk_under_device_mapper_is_refused() {
    let fake = with_card("holders");
    fake.write("sys/block/sdb/sdb2/holders/dm-0", "");
    let why = refused(&fake, Node::Block(8, 16), false);
    assert_eq!(why.len(), 1);
    assert_eq!(why[0].detail, "in use: sdb2 by dm-0");
}

#[test]
fn the_disk_the_system_runs_from_is_refused() {
    let fake = with_card("root");
    // / on a partition of the card's disk itself.
    fake.mounts("22 1 8:18 / / rw - ext4 /dev/sdb2 rw\n");
    let names = refused_names(&fake, Node::Block(8, 16));
    assert_eq!(names, ["mounted", "system disk"]);
    // / on LVM (dm-0) over sdb2: found through dm-0's slaves, and by its
    // /dev/mapper name when the number does not match (btrfs).
    fake.disk("dm-0", (254, 0), false, 1 << 21)
        .write("sys/block/dm-0/slaves/sdb2", "")
        .write("sys/block/dm-0/dm/name", "vg-root\n");
    fake.mounts("22 1 254:0 / / rw - ext4 /dev/mapper/vg-root rw\n");
    assert_eq!(refused_names(&fake, Node::Block(8, 16)), ["system disk"]);
    fake.mounts("22 1 0:31 / / rw - btrfs /dev/mapper/vg-root rw\n");
    assert_eq!(refused_names(&fake, Node::Block(8, 16)), ["system disk"]);
    // / on no block device (a container's overlay): no disk to refuse.
    fake.mounts("22 1 0:52 / / rw - overlay overlay rw\n");
    assert!(refused_names(&fake, Node::Block(8, 16)).is_empty());
}

#[test]
fn sizes_no_medium_too_small_and_too_big_unless_forced() {
    let fake = with_card("size");
    fake.write("sys/block/sdb/size", "0\n");
    assert!(
        refused(&fake, Node::Block(8, 16), true)[0]
            .detail
            .contains("no medium")
    );
    fake.write("sys/block/sdb/size", &format!("{}\n", IMAGE_LEN / 512 - 1));
    assert!(
        refused(&fake, Node::Block(8, 16), true)[0]
            .detail
            .contains("less than")
    );
    fake.write("sys/block/sdb/size", &format!("{}\n", IMAGE_LEN / 512));
    assert!(refused_names(&fake, Node::Block(8, 16)).is_empty());
    fake.write("sys/block/sdb/size", &format!("{}\n", (128u64 << 30) / 512));
    let why = refused(&fake, Node::Block(8, 16), false);
    assert_eq!(why.len(), 1);
    assert!(why[0].detail.contains("--force"), "{}", why[0].detail);
    assert!(refused(&fake, Node::Block(8, 16), true).is_empty());
}

#[test]
fn only_a_block_device_or_a_forced_regular_file_is_written() {
    let fake = with_card("kinds");
    assert_eq!(refused_names(&fake, Node::Regular), ["device"]);
    let exam = examine(
        Path::new("/tmp/card.img"),
        Node::Regular,
        &fake.host(),
        &policy(true),
    );
    assert!(exam.refusals().is_empty());
    assert_eq!(exam.target, Some(Target::File));
    assert!(
        refused(&fake, Node::Missing, true)[0]
            .detail
            .contains("does not exist")
    );
    let folder = refused(&fake, Node::Other("folder"), true);
    assert!(folder[0].detail.contains("is a folder"));
    // A block device sysfs does not list.
    assert!(
        refused(&fake, Node::Block(7, 99), true)[0]
            .detail
            .contains("lacks")
    );
}
