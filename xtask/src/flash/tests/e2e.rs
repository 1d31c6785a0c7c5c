//! Whole `flash` runs: onto a plain file (`--force`), with and without
//! `--yes`, `--dry-run`, and refused without `--force`; and, when the
//! tests run as root where `losetup` works, the checks and the write on a
//! real loop device (skipped with a message otherwise).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::Fake;
use crate::flash::checks::{Node, Policy, examine};
use crate::flash::system::Host;
use crate::flash::{FlashArgs, MAX_CARD_BYTES, flash, node_of, write};
use crate::sdcard::disk::{self, BootFile};

/// A small card image in the fake tree's folder.
fn card_image(fake: &Fake) -> (PathBuf, Vec<u8>) {
    let files = [
        BootFile::new("qhv.img", vec![0x41u8; 100_000]),
        BootFile::new("config.txt", "arm_64bit=1\n"),
    ];
    let image = disk::build(&files).unwrap();
    let path = fake.dir.join("rpi4-sd.img");
    std::fs::write(&path, &image).unwrap();
    (path, image)
}

fn args(device: &Path) -> FlashArgs {
    FlashArgs {
        board: "rpi4".into(),
        device: device.to_path_buf(),
        force: false,
        dry_run: false,
        yes: false,
        no_build: true,
        with_firmware: false,
    }
}

/// Runs `flash` with `answer` on its input; its output, and its result.
fn run(args: &FlashArgs, image: &Path, fake: &Fake, answer: &str) -> (String, anyhow::Result<()>) {
    let mut out = Vec::new();
    let result = flash(
        args,
        image,
        &fake.host(),
        &mut answer.as_bytes(),
        &mut out,
        false,
    );
    (String::from_utf8_lossy(&out).into_owned(), result)
}

#[test]
fn flashes_a_plain_file_with_force_and_reads_it_back() {
    let fake = Fake::new("e2e-file");
    let (image_path, image) = card_image(&fake);
    let target = fake.dir.join("card.bin");
    std::fs::write(&target, b"old").unwrap();
    let mut a = args(&target);
    a.force = true;
    a.yes = true;
    let (out, result) = run(&a, &image_path, &fake, "");
    result.unwrap();
    assert!(out.contains("files qhv.img, config.txt"), "{out}");
    assert!(
        out.contains("100%") && out.contains("wrote and verified"),
        "{out}"
    );
    let written = std::fs::read(&target).unwrap();
    assert_eq!(written, image);
    let card = disk::read(&written).unwrap();
    assert_eq!(card.file("config.txt"), Some(&b"arm_64bit=1\n"[..]));
}

#[test]
fn asks_first_and_writes_only_after_yes() {
    let fake = Fake::new("e2e-ask");
    let (image_path, image) = card_image(&fake);
    let target = fake.dir.join("card.bin");
    std::fs::write(&target, b"old").unwrap();
    let mut a = args(&target);
    a.force = true;
    let (out, result) = run(&a, &image_path, &fake, "no\n");
    assert!(result.is_err());
    assert!(out.contains("Type yes to go on"), "{out}");
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
    run(&a, &image_path, &fake, "yes\n").1.unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), image);
}

#[test]
fn a_dry_run_prints_the_checks_and_writes_nothing() {
    let fake = Fake::new("e2e-dry");
    let (image_path, _) = card_image(&fake);
    let target = fake.dir.join("card.bin");
    std::fs::write(&target, b"old").unwrap();
    let mut a = args(&target);
    a.force = true;
    a.dry_run = true;
    let (out, result) = run(&a, &image_path, &fake, "");
    result.unwrap();
    assert!(out.contains("ok      device"), "{out}");
    assert!(out.contains("dry run: would write"), "{out}");
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
}

#[test]
fn a_plain_file_without_force_is_refused_untouched() {
    let fake = Fake::new("e2e-refuse");
    let (image_path, _) = card_image(&fake);
    let target = fake.dir.join("card.bin");
    std::fs::write(&target, b"old").unwrap();
    let (out, result) = run(&args(&target), &image_path, &fake, "yes\n");
    let err = format!("{:#}", result.unwrap_err());
    assert!(err.contains("not a block device"), "{err}");
    assert!(out.contains("REFUSED device"), "{out}");
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
    // Nor does a file that is not a card image get written anywhere.
    let (_, result) = run(&args(&target), &target, &fake, "yes\n");
    assert!(result.is_err());
}

/// A loop device on `backing`, with its partitions scanned; `None` (and a
/// message) where that cannot be done.
fn attach_loop(backing: &Path) -> Option<PathBuf> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        eprintln!("SKIP loop-device flash test: not running as root");
        return None;
    }
    let out = Command::new("losetup")
        .args(["--find", "--show", "--partscan"])
        .arg(backing)
        .output();
    match out {
        Ok(o) if o.status.success() => {
            Some(PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        }
        Ok(o) => {
            let why = String::from_utf8_lossy(&o.stderr);
            eprintln!(
                "SKIP loop-device flash test: losetup failed: {}",
                why.trim()
            );
            None
        }
        Err(e) => {
            eprintln!("SKIP loop-device flash test: cannot run losetup: {e}");
            None
        }
    }
}

#[test]
fn a_loop_device_is_read_from_the_real_sys_and_written() {
    let fake = Fake::new("e2e-loop");
    let (_, image) = card_image(&fake);
    let backing = fake.dir.join("backing.bin");
    let mut old = image.clone();
    old.resize(image.len() * 2, 0);
    std::fs::write(&backing, &old).unwrap();
    let Some(dev) = attach_loop(&backing) else {
        return;
    };
    let result = std::panic::catch_unwind(|| {
        let policy = Policy {
            force: false,
            image_len: image.len() as u64,
            max_bytes: MAX_CARD_BYTES,
        };
        let node = node_of(&dev);
        assert!(matches!(node, Node::Block(7, _)), "{node:?}");
        let exam = examine(&dev, node, &Host::real(), &policy);
        let by = |what| exam.checks.iter().find(|c| c.what == what).unwrap();
        // A loop device is no removable disk: flash refuses it, and the
        // other checks read the real /sys and /proc.
        let whats: Vec<&str> = exam.refusals().iter().map(|c| c.what).collect();
        assert_eq!(whats, ["removable"], "{:#?}", exam.checks);
        let size = format!("holds {} bytes", old.len());
        assert!(by("size").detail.contains(&size), "{:?}", by("size"));
        // Its partition, when udev made the node.
        let part = PathBuf::from(format!("{}p1", dev.display()));
        if let Node::Block(..) = node_of(&part) {
            let exam = examine(&part, node_of(&part), &Host::real(), &policy);
            assert!(exam.refusals()[0].detail.contains("partition"));
        } else {
            eprintln!(
                "no {} (no udev here): partitions only on fake trees",
                part.display()
            );
        }
        // The write path on a real block device: O_EXCL, flush, read back.
        let mut sink = std::io::sink();
        let mut progress = write::Progress {
            out: &mut sink,
            live: false,
        };
        write::write_and_verify(&image, &dev, true, &mut progress).unwrap();
    });
    let _ = Command::new("losetup").arg("-d").arg(&dev).status();
    result.unwrap();
    assert_eq!(
        &std::fs::read(&backing).unwrap()[..image.len()],
        image.as_slice()
    );
}
