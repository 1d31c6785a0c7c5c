//! The readers of `/proc/self/mountinfo`, `/proc/swaps` and device
//! numbers, what `stat` says a path is, and the progress bar.

use std::path::Path;
use std::time::Duration;

use super::Fake;
use crate::flash::checks::Node;
use crate::flash::system::{parse_mountinfo, parse_swaps};
use crate::flash::write::{Progress, bar, write_and_verify};
use crate::flash::{dev_numbers, node_of};

#[test]
fn reads_the_mount_and_swap_tables() {
    let mounts = parse_mountinfo(
        "36 35 98:0 /mnt1 /mnt\\0402 rw,noatime master:1 - ext3 /dev/root rw\n\
         bad line\n\
         37 36 0:22 / /proc rw - proc proc rw\n",
    );
    assert_eq!(mounts.len(), 2);
    assert_eq!(mounts[0].dev, (98, 0));
    assert_eq!(mounts[0].mount_point, "/mnt 2");
    assert_eq!(mounts[0].fs_type, "ext3");
    assert_eq!(mounts[0].source, "/dev/root");
    let swaps = parse_swaps(
        "Filename Type Size Used Priority\n/dev/sdb2 partition 1 0 -2\n/swap\\040file file 1 0 -3\n",
    );
    assert_eq!(swaps, ["/dev/sdb2", "/swap file"]);
}

/// glibc's `makedev`.
fn makedev(major: u64, minor: u64) -> u64 {
    (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & !0xff) << 12) | ((major & !0xfff) << 32)
}

#[test]
fn device_numbers_come_apart_as_glibc_does_it() {
    for (major, minor) in [
        (8, 16),
        (179, 1),
        (259, 0),
        (8, 300),
        (4095, 1 << 19),
        (5000, 7),
    ] {
        assert_eq!(
            dev_numbers(makedev(major, minor)),
            (major as u32, minor as u32)
        );
    }
    assert_eq!(dev_numbers(0x0810), (8, 16));
}

#[test]
fn node_of_tells_files_folders_and_devices_apart() {
    let fake = Fake::new("nodes");
    let file = fake.dir.join("file");
    std::fs::write(&file, b"x").unwrap();
    assert_eq!(node_of(&file), Node::Regular);
    assert_eq!(node_of(&fake.dir), Node::Other("folder"));
    assert_eq!(node_of(&fake.dir.join("nothing")), Node::Missing);
    assert_eq!(
        node_of(Path::new("/dev/null")),
        Node::Other("character device")
    );
}

#[test]
fn the_bar_shows_share_size_and_rate() {
    let total = 64 << 20;
    assert_eq!(
        bar("write", 0, total, Duration::ZERO),
        "write  [                              ]   0% 0.0/64.0 MiB 0.0 MiB/s"
    );
    assert_eq!(
        bar("verify", 16 << 20, total, Duration::from_secs(2)),
        "verify [#######                       ]  25% 16.0/64.0 MiB 8.0 MiB/s"
    );
    assert!(
        bar("write", total, total, Duration::from_secs(1))
            .contains("[##############################] 100%")
    );
}

#[test]
fn on_a_terminal_the_bar_is_redrawn_in_place() {
    let fake = Fake::new("live");
    let dest = fake.dir.join("card.bin");
    std::fs::write(&dest, b"").unwrap();
    let image = vec![0x5au8; 9 << 20];
    let mut out = Vec::new();
    let mut progress = Progress {
        out: &mut out,
        live: true,
    };
    write_and_verify(&image, &dest, false, &mut progress).unwrap();
    let text = String::from_utf8(out).unwrap();
    // Three chunks of at most 4 MiB, each written and read back.
    assert_eq!(text.matches('\r').count(), 6, "{text:?}");
    assert_eq!(text.lines().count(), 2, "{text:?}");
    assert_eq!(std::fs::read(&dest).unwrap(), image);
}
