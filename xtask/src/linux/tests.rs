//! Unit tests of the per-architecture table, the .deb file-name matching and
//! the module ordering (on a fake unpacked kernel package); and, ignored,
//! the real preparation of both guests (it downloads ~130 MB once).

use super::debian::{depends, is_package, is_pinned, modules_in_order};
use super::*;

#[test]
fn architectures_differ() {
    let root = Path::new("/repo");
    assert_eq!(LinuxArch::Arm64.dir(root), Path::new("/repo/target/linux"));
    assert_eq!(dir(root), LinuxArch::Arm64.dir(root));
    assert_eq!(
        LinuxArch::Amd64.dir(root),
        Path::new("/repo/target/linux-amd64")
    );
    assert_eq!(
        LinuxArch::Arm64.kernel(root),
        Path::new("/repo/target/linux/Image")
    );
    assert_eq!(
        LinuxArch::Amd64.kernel(root),
        Path::new("/repo/target/linux-amd64/bzImage")
    );
    assert_eq!(
        LinuxArch::Amd64.initrd(root),
        Path::new("/repo/target/linux-amd64/initrd.cpio")
    );
    assert_eq!(
        LinuxArch::Amd64.disk(root),
        Path::new("/repo/target/linux-amd64/disk.img")
    );
    assert_eq!(LinuxArch::Arm64.guest().debian, "arm64");
    assert_eq!(LinuxArch::Amd64.guest().debian, "amd64");
    // Each kernel package is its architecture's, and the pins differ.
    for arch in LinuxArch::ALL {
        let g = arch.guest();
        assert!(g.kernel.name.ends_with(&format!("-{}", g.debian)));
        assert_eq!(g.kernel.fallback, format!("linux-image-{}", g.debian));
    }
    assert_ne!(ARM64.kernel.sha256, AMD64.kernel.sha256);
    assert_ne!(ARM64.busybox.sha256, AMD64.busybox.sha256);
}

/// image.rs picks the guest to prepare by the directory a file comes from:
/// an amd64 file must not count as the arm64 guest's (`target/linux` is a
/// prefix of `target/linux-amd64` as a string, not as a path).
#[test]
fn a_file_belongs_to_one_guest() {
    let root = Path::new("/repo");
    let bz = LinuxArch::Amd64.kernel(root);
    let image = LinuxArch::Arm64.kernel(root);
    let owners = |p: &Path| -> Vec<LinuxArch> {
        LinuxArch::ALL
            .into_iter()
            .filter(|a| p.starts_with(a.dir(root)))
            .collect()
    };
    assert_eq!(owners(&bz), [LinuxArch::Amd64]);
    assert_eq!(owners(&image), [LinuxArch::Arm64]);
    assert!(owners(Path::new("/repo/target/linuxes/x")).is_empty());
}

#[test]
fn deb_file_names() {
    let bb = "busybox-static_1%3a1.35.0-4+deb12u1+b1_amd64.deb";
    assert!(is_package(bb, "busybox-static", "amd64"));
    assert!(!is_package(bb, "busybox-static", "arm64"));
    assert!(!is_package(bb, "busybox", "amd64"));
    assert!(is_pinned(bb, &AMD64.busybox));
    assert!(is_pinned(bb, &ARM64.busybox)); // same version, other arch
    let k = "linux-image-6.1.0-47-amd64_6.1.170-3_amd64.deb";
    assert!(is_package(k, AMD64.kernel.name, "amd64"));
    assert!(!is_package(k, ARM64.kernel.name, "amd64"));
    assert!(!is_package(k, "linux-image-amd64", "amd64"));
    assert!(is_pinned(k, &AMD64.kernel));
    // A newer build taken through the metapackage is not checked against
    // the pin's SHA-256.
    assert!(!is_pinned(
        "linux-image-6.1.0-47-amd64_6.1.170-4_amd64.deb",
        &AMD64.kernel
    ));
    let meta = "linux-image-amd64_6.1.170-3_amd64.deb";
    assert!(is_package(meta, AMD64.kernel.fallback, "amd64"));
    assert!(!is_package(meta, "linux-image", "amd64"));
    assert!(!is_package(
        "linux-image-amd64_6.1.170-3_amd64.deb.part",
        "linux-image-amd64",
        "amd64"
    ));
}

#[test]
fn modinfo_depends() {
    let ko = b"\x7fELF junk\0license=GPL\0depends=virtio,virtio-ring\0name=x\0";
    assert_eq!(depends(ko), ["virtio", "virtio_ring"]);
    assert_eq!(depends(b"\0depends=\0"), Vec::<String>::new());
    assert_eq!(depends(b"no modinfo"), Vec::<String>::new());
}

/// A fresh empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xtask-linux-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn modules_after_their_dependencies() {
    let d = scratch("modules");
    let k = d.join("lib/modules/6.1.0-47-amd64/kernel");
    let ko = |rel: &str, deps: &str| {
        let p = k.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, format!("\0depends={deps}\0vermagic=6.1\0")).unwrap();
    };
    ko("drivers/virtio/virtio.ko", "");
    ko("drivers/virtio/virtio_ring.ko", "");
    ko("drivers/virtio/virtio_mmio.ko", "virtio,virtio_ring");
    ko("drivers/block/virtio_blk.ko", "virtio,virtio_ring");
    ko("lib/crc16.ko", "");
    ko("crypto/crc32c_generic.ko", "");
    ko("fs/mbcache.ko", "");
    ko("fs/jbd2/jbd2.ko", "");
    ko("fs/ext4/ext4.ko", "mbcache,jbd2,crc16");
    let order =
        modules_in_order(&d, &["virtio_mmio", "virtio_blk", "crc32c_generic", "ext4"]).unwrap();
    let names: Vec<&str> = order.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "virtio",
            "virtio_ring",
            "virtio_mmio",
            "virtio_blk",
            "crc32c_generic",
            "mbcache",
            "jbd2",
            "crc16",
            "ext4"
        ]
    );
    assert!(order[8].1.ends_with("fs/ext4/ext4.ko"));
    let missing = modules_in_order(&d, &["virtio_net"]).unwrap_err();
    assert!(format!("{missing:#}").contains("no module virtio_net"));
    let _ = std::fs::remove_dir_all(&d);
}

/// The files of a `newc` cpio archive: name and contents.
fn cpio_files(mut a: &[u8]) -> Vec<(String, Vec<u8>)> {
    let field = |h: &[u8], i: usize| {
        usize::from_str_radix(std::str::from_utf8(&h[6 + 8 * i..14 + 8 * i]).unwrap(), 16).unwrap()
    };
    let up4 = |n: usize| n.div_ceil(4) * 4;
    let mut files = Vec::new();
    loop {
        assert!(a.starts_with(b"070701"));
        let (size, namesize) = (field(a, 6), field(a, 11));
        let name = String::from_utf8(a[110..110 + namesize - 1].to_vec()).unwrap();
        let data = up4(110 + namesize);
        if name == "TRAILER!!!" {
            return files;
        }
        files.push((name, a[data..data + size].to_vec()));
        a = &a[up4(data + size)..];
    }
}

/// Prepares both guests for real and checks what came out: the amd64
/// `bzImage` has the boot protocol's "HdrS" at 0x202, its initramfs an
/// x86-64 busybox and the modules (`cargo test -p xtask -- --ignored
/// linux::tests::prepares_both`).
#[test]
#[ignore = "downloads the Debian packages (~130 MB) and unpacks them"]
fn prepares_both() {
    let root = crate::build::root();
    for arch in LinuxArch::ALL {
        prepare_arch(&root, arch).unwrap();
        let kernel = std::fs::read(arch.kernel(&root)).unwrap();
        let initrd = std::fs::read(arch.initrd(&root)).unwrap();
        let files = cpio_files(&initrd);
        let file = |name: &str| {
            &files
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("{arch:?}: no {name} in the initramfs"))
                .1
        };
        let busybox = file("bin/busybox");
        assert_eq!(&busybox[..4], b"\x7fELF");
        // e_machine: 62 is x86-64, 183 aarch64.
        let machine = u16::from_le_bytes([busybox[18], busybox[19]]);
        let modules = String::from_utf8(file("etc/modules").clone()).unwrap();
        for m in MODULES {
            assert!(modules.lines().any(|l| l == *m), "{arch:?}: {m} not loaded");
        }
        let watchdog = String::from_utf8(file("etc/watchdog-module").clone()).unwrap();
        assert_eq!(
            watchdog.lines().last(),
            Some(match arch {
                LinuxArch::Arm64 => "sp805_wdt",
                LinuxArch::Amd64 => "ib700wdt",
            })
        );
        for m in modules.lines().chain(watchdog.lines()) {
            assert_eq!(&file(&format!("lib/modules/{m}.ko"))[..4], b"\x7fELF");
        }
        assert_eq!(
            file("init"),
            &std::fs::read(root.join("guests/linux/init")).unwrap()
        );
        assert_eq!(
            std::fs::metadata(arch.disk(&root)).unwrap().len(),
            DISK_BYTES as u64
        );
        match arch {
            LinuxArch::Amd64 => {
                assert_eq!(&kernel[0x202..0x206], b"HdrS");
                assert_eq!(machine, 62);
            }
            LinuxArch::Arm64 => {
                // The arm64 Image header's magic "ARM\x64" at 0x38.
                assert_eq!(&kernel[0x38..0x3c], b"ARM\x64");
                assert_eq!(machine, 183);
            }
        }
        eprintln!("{arch:?}: modules {}", modules.replace('\n', " "));
    }
}
