//! Unit tests of the per-architecture table, the kernel files' magic, the
//! .deb file-name matching and the module ordering (on a fake unpacked
//! kernel package). The real preparation is in `real_tests.rs`.

use super::debian::{depends, is_package, is_pinned, modules_in_order};
use super::*;

#[test]
fn architectures_differ() {
    let root = Path::new("/repo");
    assert_eq!(LinuxArch::Arm64.dir(root), Path::new("/repo/target/linux"));
    assert_eq!(
        LinuxArch::Armhf.dir(root),
        Path::new("/repo/target/linux-armhf")
    );
    assert_eq!(
        LinuxArch::Armhf.kernel(root),
        Path::new("/repo/target/linux-armhf/zImage")
    );
    assert_eq!(
        LinuxArch::Armhf.initrd(root),
        Path::new("/repo/target/linux-armhf/initrd.cpio")
    );
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
    assert_eq!(LinuxArch::Arm64.debian(), "arm64");
    assert_eq!(LinuxArch::Amd64.debian(), "amd64");
    assert_eq!(LinuxArch::Armhf.debian(), "armhf");
    // Each kernel package is its flavour's, all of one kernel version, and
    // the pins differ.
    for arch in LinuxArch::ALL {
        let g = arch.guest();
        assert!(g.kernel.name.starts_with("linux-image-6.1.0-47-"));
        assert!(g.kernel.name.ends_with(&format!("-{}", g.flavour)));
        assert_eq!(g.kernel.fallback, format!("linux-image-{}", g.flavour));
        assert_eq!(g.kernel.version, ARM64.kernel.version);
        assert_eq!(g.busybox.version, ARM64.busybox.version);
        assert_eq!(g.kernel.sha256.len(), 64);
        assert!(arch.kernel(Path::new("/r")).ends_with(g.kernel_file));
    }
    let pins = [&ARM64, &AMD64, &ARMHF].map(|g| (g.kernel.sha256, g.busybox.sha256));
    for (i, a) in pins.iter().enumerate() {
        for b in &pins[i + 1..] {
            assert!(a.0 != b.0 && a.1 != b.1);
        }
    }
}

/// Each architecture knows its kernel file by its magic, and no other's.
#[test]
fn kernel_files_by_their_magic() {
    let mut image = vec![0u8; 0x240];
    image[0x38..0x3c].copy_from_slice(b"ARM\x64");
    let mut bz = vec![0u8; 0x240];
    bz[0x202..0x206].copy_from_slice(b"HdrS");
    let mut z = vec![0u8; 0x240];
    // What `file` calls "Linux kernel ARM boot executable zImage".
    z[0x24..0x28].copy_from_slice(&[0x18, 0x28, 0x6f, 0x01]);
    for (arch, good) in [
        (LinuxArch::Arm64, &image),
        (LinuxArch::Amd64, &bz),
        (LinuxArch::Armhf, &z),
    ] {
        for other in [&image, &bz, &z] {
            assert_eq!(arch.is_kernel(other), other == good, "{arch:?}");
        }
        // Too short to hold the magic.
        assert!(!arch.is_kernel(&good[..0x25]));
    }
    assert!(!LinuxArch::Armhf.is_kernel(&[]));
}

/// image.rs picks the guest to prepare by the directory a file comes from:
/// an amd64 file must not count as the arm64 guest's (`target/linux` is a
/// prefix of `target/linux-amd64` as a string, not as a path).
#[test]
fn a_file_belongs_to_one_guest() {
    let root = Path::new("/repo");
    let bz = LinuxArch::Amd64.kernel(root);
    let image = LinuxArch::Arm64.kernel(root);
    let z = LinuxArch::Armhf.kernel(root);
    let owners = |p: &Path| -> Vec<LinuxArch> {
        LinuxArch::ALL
            .into_iter()
            .filter(|a| p.starts_with(a.dir(root)))
            .collect()
    };
    assert_eq!(owners(&bz), [LinuxArch::Amd64]);
    assert_eq!(owners(&image), [LinuxArch::Arm64]);
    assert_eq!(owners(&z), [LinuxArch::Armhf]);
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
    let k = "linux-image-6.1.0-47-armmp_6.1.170-3_armhf.deb";
    assert!(is_package(k, ARMHF.kernel.name, "armhf"));
    assert!(!is_package(k, ARMHF.kernel.name, "arm64"));
    assert!(is_pinned(k, &ARMHF.kernel));
    assert!(is_package(
        "linux-image-armmp_6.1.192-3_armhf.deb",
        ARMHF.kernel.fallback,
        "armhf"
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
