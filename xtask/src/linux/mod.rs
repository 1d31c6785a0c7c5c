//! Linux guest files: a stock Debian kernel and a busybox initramfs, for
//! an arm64 guest (`target/linux`), an x86-64 one (`target/linux-amd64`)
//! and a 32-bit ARM one (`target/linux-armhf`), fetched as Debian packages (pinned versions, SHA-256 checked) with apt,
//! unpacked with `dpkg-deb`, and cached in the architecture's directory.
//!
//! When a pinned version has left the archive, the current one is taken
//! instead, with a warning (apt's check still applies): see [`debian`].

mod debian;
pub mod dtbs;
#[cfg(test)]
mod real_tests;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::build::run;
use debian::Package;

/// The architecture of a Linux guest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinuxArch {
    /// arm64: a raw arm64 `Image` in `target/linux`.
    Arm64,
    /// x86-64: a `bzImage` in `target/linux-amd64`.
    Amd64,
    /// 32-bit ARM (ARMv7-A, hard float): a `zImage` in `target/linux-armhf`.
    Armhf,
}

/// What one architecture's guest is made of, and where it goes.
struct Guest {
    /// Debian's name of the architecture (`apt-get download NAME:ARCH`).
    debian: &'static str,
    /// Debian's kernel flavour: the end of the kernel package's name, and
    /// of its metapackage's (`linux-image-FLAVOUR`).
    flavour: &'static str,
    /// The kernel package.
    kernel: Package,
    /// A static busybox for the initramfs.
    busybox: Package,
    /// The directory under the repository root.
    dir: &'static str,
    /// The kernel's file name in that directory.
    kernel_file: &'static str,
    /// The module of the watchdog `qvm` gives this architecture's VMs
    /// (`vdev wdt-sp805`, `vdev wdt-ib700`): in the initramfs, named in
    /// its `/etc/watchdog-module`, loaded by `/init` in its watchdog test
    /// (`qhv.wdt`) only.
    watchdog: &'static str,
}

/// The arm64 guest: Debian bookworm's 6.1 arm64 image (a raw arm64
/// `Image`).
const ARM64: Guest = Guest {
    debian: "arm64",
    flavour: "arm64",
    kernel: Package {
        name: "linux-image-6.1.0-47-arm64",
        version: "6.1.170-3",
        sha256: "ce3bc5a69b6182ba6d6a16f6c1aed27dbeab0a4c401c186aff692b75ce23e364",
        fallback: "linux-image-arm64",
    },
    busybox: Package {
        name: "busybox-static",
        version: "1:1.35.0-4+deb12u1+b1",
        sha256: "732c9135564fc71337e0e05fb4da4d11e6c28c1834bce3e405e575afef2a52f5",
        fallback: "busybox-static",
    },
    dir: "target/linux",
    kernel_file: "Image",
    watchdog: "sp805_wdt",
};

/// The x86-64 guest: Debian bookworm's 6.1 amd64 image (a `bzImage`, the
/// Linux boot protocol's setup header at 0x1f1).
const AMD64: Guest = Guest {
    debian: "amd64",
    flavour: "amd64",
    kernel: Package {
        name: "linux-image-6.1.0-47-amd64",
        version: "6.1.170-3",
        sha256: "e0061f95dbe31f5646e5a29ba9a62293f6b625a70e81fc2b04344d8ab7589c34",
        fallback: "linux-image-amd64",
    },
    busybox: Package {
        name: "busybox-static",
        version: "1:1.35.0-4+deb12u1+b1",
        sha256: "3d3fdbe91d4660c873e14b092c213fe81c1da6362daa236eb25d0171eb108744",
        fallback: "busybox-static",
    },
    dir: "target/linux-amd64",
    kernel_file: "bzImage",
    watchdog: "ib700wdt",
};

/// The 32-bit ARM guest: Debian bookworm's 6.1 `armmp` image (ARMv7-A
/// multiplatform without LPAE; an ARM `zImage`, its magic at 0x24), the
/// same kernel version as the arm64 one. Built in: virtio's core, the
/// PL011 and its console and earlycon, GICv2 and GICv3, the arch timer,
/// PSCI; modules: the same [`MODULES`] as arm64, and `sp805_wdt`.
const ARMHF: Guest = Guest {
    debian: "armhf",
    flavour: "armmp",
    kernel: Package {
        name: "linux-image-6.1.0-47-armmp",
        version: "6.1.170-3",
        sha256: "997b223b65d6d93b56d1bcce2d465e2424e7981a564450450c8ac2284bb91acf",
        fallback: "linux-image-armmp",
    },
    busybox: Package {
        name: "busybox-static",
        version: "1:1.35.0-4+deb12u1+b1",
        sha256: "2f68dbeaebeda49f3cde34ac421d5add85fb1c837ff7c4a4971945340d9d66ff",
        fallback: "busybox-static",
    },
    dir: "target/linux-armhf",
    kernel_file: "zImage",
    watchdog: "sp805_wdt",
};

/// Kernel modules the initramfs loads (the Debian kernels build their
/// virtio drivers and ext4 as modules, on arm64, amd64 and armhf alike), with
/// what they depend on; ext4 asks for crc32c by name, which needs
/// `crc32c_generic` loaded first. The watchdog drivers (modules too:
/// `CONFIG_ARM_SP805_WATCHDOG=m`, `CONFIG_IB700_WDT=m`) differ by
/// architecture: `Guest::watchdog`.
const MODULES: &[&str] = &[
    "virtio_mmio",
    "virtio_blk",
    "virtio_rng",
    "virtio_net",
    "virtio_console",
    "crc32c_generic",
    "ext4",
];

/// Bytes of the test disk.
const DISK_BYTES: usize = 16 << 20;

impl LinuxArch {
    /// Every architecture.
    pub const ALL: [LinuxArch; 3] = [LinuxArch::Arm64, LinuxArch::Amd64, LinuxArch::Armhf];

    fn guest(self) -> &'static Guest {
        match self {
            LinuxArch::Arm64 => &ARM64,
            LinuxArch::Amd64 => &AMD64,
            LinuxArch::Armhf => &ARMHF,
        }
    }

    /// Debian's name of the architecture: `arm64`, `amd64` or `armhf`.
    pub fn debian(self) -> &'static str {
        self.guest().debian
    }

    /// Where this guest's files go: `target/linux`, `target/linux-amd64`
    /// or `target/linux-armhf`.
    pub fn dir(self, root: &Path) -> PathBuf {
        root.join(self.guest().dir)
    }

    /// Whether `kernel` starts as this architecture's kernel file does: an
    /// arm64 `Image` has `ARM\x64` at 0x38, a `bzImage` the boot protocol's
    /// `HdrS` at 0x202, an ARM `zImage` the magic 0x016F2818 at 0x24.
    pub fn is_kernel(self, kernel: &[u8]) -> bool {
        let (at, magic): (usize, &[u8]) = match self {
            LinuxArch::Arm64 => (0x38, b"ARM\x64"),
            LinuxArch::Amd64 => (0x202, b"HdrS"),
            LinuxArch::Armhf => (0x24, &0x016F_2818u32.to_le_bytes()),
        };
        kernel.get(at..at + magic.len()) == Some(magic)
    }

    /// The kernel: `target/linux/Image`, `target/linux-amd64/bzImage` or
    /// `target/linux-armhf/zImage`.
    pub fn kernel(self, root: &Path) -> PathBuf {
        self.dir(root).join(self.guest().kernel_file)
    }

    /// The initramfs, `initrd.cpio` in [`LinuxArch::dir`].
    pub fn initrd(self, root: &Path) -> PathBuf {
        self.dir(root).join("initrd.cpio")
    }

    /// The 16 MiB zeroed test disk, `disk.img` in [`LinuxArch::dir`].
    pub fn disk(self, root: &Path) -> PathBuf {
        self.dir(root).join("disk.img")
    }
}

/// Makes `arch`'s kernel ([`LinuxArch::kernel`]), `initrd.cpio` and
/// `disk.img`: the packages are downloaded once, the rest is rebuilt each
/// time (it takes a moment).
pub fn prepare_arch(root: &Path, arch: LinuxArch) -> Result<()> {
    let guest = arch.guest();
    let dir = arch.dir(root);
    let image = arch.kernel(root);
    let initrd = arch.initrd(root);
    let init = root.join("guests/linux/init");
    std::fs::create_dir_all(dir.join("debs"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    debian::enable_architecture(guest.debian)?;
    let kernel = debian::fetch(&dir, &guest.kernel, guest.debian)?;
    let busybox = debian::fetch(&dir, &guest.busybox, guest.debian)?;
    let unpacked = dir.join("unpacked");
    let _ = std::fs::remove_dir_all(&unpacked);
    for deb in [&kernel, &busybox] {
        run(Command::new("dpkg-deb").arg("-x").arg(deb).arg(&unpacked))?;
    }
    let vmlinuz = std::fs::read_dir(unpacked.join("boot"))
        .context("the kernel package has no /boot")?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("vmlinuz-") && n.ends_with(guest.flavour))
        })
        .with_context(|| {
            format!(
                "the kernel package has no /boot/vmlinuz-*-{}",
                guest.flavour
            )
        })?;
    let kernel_bytes =
        std::fs::read(&vmlinuz).with_context(|| format!("cannot read {}", vmlinuz.display()))?;
    if !arch.is_kernel(&kernel_bytes) {
        bail!(
            "{} is not a {} kernel file ({})",
            vmlinuz.display(),
            arch.debian(),
            guest.kernel_file
        );
    }
    std::fs::write(&image, &kernel_bytes)
        .with_context(|| format!("cannot write {}", image.display()))?;
    let busybox_bin = std::fs::read(unpacked.join("bin/busybox"))
        .context("busybox-static has no /bin/busybox")?;
    let init_script =
        std::fs::read(&init).with_context(|| format!("cannot read {}", init.display()))?;
    let modules = debian::modules_in_order(&unpacked, MODULES)?;
    let watchdog = debian::modules_in_order(&unpacked, &[guest.watchdog])?;
    let mut archive = crate::cpio::Archive::new()
        .dir("bin")
        .dir("dev")
        .dir("proc")
        .dir("sys")
        .dir("mnt")
        .dir("etc")
        .dir("lib")
        .dir("lib/modules")
        .file("bin/busybox", 0o755, &busybox_bin)
        .file("init", 0o755, &init_script);
    let mut order = String::new();
    for (name, path) in &modules {
        let data =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        archive = archive.file(&format!("lib/modules/{name}.ko"), 0o644, &data);
        order.push_str(name);
        order.push('\n');
    }
    // The watchdog's driver (and what it needs beyond the rest): there,
    // not loaded at boot (`ib700wdt` has no device to probe and would
    // claim its ports in every VM).
    for (name, path) in watchdog.iter().filter(|w| !modules.contains(w)) {
        let data =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        archive = archive.file(&format!("lib/modules/{name}.ko"), 0o644, &data);
    }
    let wdt_order: String = watchdog.iter().map(|(n, _)| format!("{n}\n")).collect();
    let archive = archive
        .file("etc/modules", 0o644, order.as_bytes())
        .file("etc/watchdog-module", 0o644, wdt_order.as_bytes())
        .finish();
    // The disk the test formats and fills: a RAM copy in qvm.
    std::fs::write(arch.disk(root), vec![0u8; DISK_BYTES])
        .context("cannot write the disk image")?;
    std::fs::write(&initrd, archive)
        .with_context(|| format!("cannot write {}", initrd.display()))?;
    eprintln!(
        "xtask: Linux guest ({}): {} and {}",
        arch.debian(),
        image.display(),
        initrd.display()
    );
    Ok(())
}
