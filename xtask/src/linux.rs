//! Linux guest files: a stock Debian arm64 kernel and a busybox initramfs,
//! fetched as Debian packages (pinned versions, SHA-256 checked) with apt,
//! unpacked with `dpkg-deb`, and cached under `target/linux`.
//!
//! apt checks every package against Debian's signed indexes; the pinned
//! SHA-256 adds that the bytes are the ones the tests were written with.
//! When a pinned version has left the archive, the current one is taken
//! instead, with a warning (apt's check still applies).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::build::{describe, run};
use crate::setup::Privilege;

/// A pinned Debian arm64 package.
struct Package {
    /// Package name.
    name: &'static str,
    /// Version.
    version: &'static str,
    /// SHA-256 of the .deb.
    sha256: &'static str,
    /// What to install when the pinned version is gone.
    fallback: &'static str,
}

/// The kernel: Debian bookworm's 6.1 arm64 image (a raw arm64 `Image`).
const KERNEL: Package = Package {
    name: "linux-image-6.1.0-47-arm64",
    version: "6.1.170-3",
    sha256: "ce3bc5a69b6182ba6d6a16f6c1aed27dbeab0a4c401c186aff692b75ce23e364",
    fallback: "linux-image-arm64",
};

/// A static busybox for the initramfs.
const BUSYBOX: Package = Package {
    name: "busybox-static",
    version: "1:1.35.0-4+deb12u1+b1",
    sha256: "732c9135564fc71337e0e05fb4da4d11e6c28c1834bce3e405e575afef2a52f5",
    fallback: "busybox-static",
};

/// Kernel modules the initramfs loads (the Debian kernel builds its virtio
/// drivers and ext4 as modules), with what they depend on; ext4 asks for
/// crc32c by name, which needs `crc32c_generic` loaded first.
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

/// The `.ko` files of `wanted` and their dependencies, each after what it
/// depends on, found in the unpacked kernel package.
fn modules_in_order(unpacked: &Path, wanted: &[&str]) -> Result<Vec<(String, PathBuf)>> {
    let lib = unpacked.join("lib/modules");
    let version = std::fs::read_dir(&lib)?
        .filter_map(|e| e.ok())
        .next()
        .context("no /lib/modules/VERSION")?
        .path();
    let mut files = HashMap::new();
    let mut stack = vec![version.join("kernel")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)?.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Some(stem) = p
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".ko"))
            {
                files.insert(stem.replace('-', "_"), p);
            }
        }
    }
    let mut order = Vec::new();
    for name in wanted {
        visit(name, &files, &mut order, 0)?;
    }
    Ok(order)
}

/// Puts module `name` into `order` after everything it depends on.
fn visit(
    name: &str,
    files: &HashMap<String, PathBuf>,
    order: &mut Vec<(String, PathBuf)>,
    depth: usize,
) -> Result<()> {
    if order.iter().any(|(n, _)| n == name) {
        return Ok(());
    }
    if depth > 16 {
        bail!("module dependencies of {name} nest too deep");
    }
    let path = files
        .get(name)
        .with_context(|| format!("no module {name} in the kernel package"))?;
    let data = std::fs::read(path)?;
    for dep in depends(&data) {
        visit(&dep, files, order, depth + 1)?;
    }
    order.push((name.to_string(), path.clone()));
    Ok(())
}

/// The `depends=` list of a module's `.modinfo`.
fn depends(ko: &[u8]) -> Vec<String> {
    let key = b"depends=";
    let Some(at) = ko.windows(key.len()).position(|w| w == key) else {
        return Vec::new();
    };
    let rest = &ko[at + key.len()..];
    let end = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
    String::from_utf8_lossy(&rest[..end])
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.replace('-', "_"))
        .collect()
}

/// Where the files go.
pub fn dir(root: &Path) -> PathBuf {
    root.join("target/linux")
}

/// Makes `target/linux/Image`, `initrd.cpio` and `disk.img`: the packages
/// are downloaded once, the rest is rebuilt each time (it takes a moment).
pub fn prepare(root: &Path) -> Result<()> {
    let dir = dir(root);
    let image = dir.join("Image");
    let initrd = dir.join("initrd.cpio");
    let init = root.join("guests/linux/init");
    std::fs::create_dir_all(dir.join("debs"))
        .with_context(|| format!("cannot create {}", dir.display()))?;
    enable_arm64()?;
    let kernel = fetch(&dir, &KERNEL)?;
    let busybox = fetch(&dir, &BUSYBOX)?;
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
                .is_some_and(|n| n.starts_with("vmlinuz-"))
        })
        .context("the kernel package has no /boot/vmlinuz-*")?;
    std::fs::copy(&vmlinuz, &image)
        .with_context(|| format!("cannot copy {}", vmlinuz.display()))?;
    let busybox_bin = std::fs::read(unpacked.join("bin/busybox"))
        .context("busybox-static has no /bin/busybox")?;
    let init_script =
        std::fs::read(&init).with_context(|| format!("cannot read {}", init.display()))?;
    let modules = modules_in_order(&unpacked, MODULES)?;
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
    let archive = archive
        .file("etc/modules", 0o644, order.as_bytes())
        .finish();
    // The disk the test formats and fills: a RAM copy in qvm.
    std::fs::write(dir.join("disk.img"), vec![0u8; DISK_BYTES])
        .context("cannot write the disk image")?;
    std::fs::write(&initrd, archive)
        .with_context(|| format!("cannot write {}", initrd.display()))?;
    eprintln!(
        "xtask: Linux guest: {} and {}",
        image.display(),
        initrd.display()
    );
    Ok(())
}

/// Lets apt see arm64 packages (`dpkg --add-architecture arm64`).
fn enable_arm64() -> Result<()> {
    let out = Command::new("dpkg")
        .arg("--print-foreign-architectures")
        .output()
        .context("cannot run dpkg")?;
    if String::from_utf8_lossy(&out.stdout)
        .lines()
        .any(|l| l.trim() == "arm64")
    {
        return Ok(());
    }
    eprintln!("xtask: adding the arm64 architecture to apt (for the Linux guest's packages)");
    let privilege = Privilege::find().context(
        "adding the arm64 architecture needs root: run `sudo dpkg --add-architecture arm64 && sudo apt-get update`",
    )?;
    let mut add = privilege.command("dpkg");
    add.args(["--add-architecture", "arm64"]);
    run(&mut add)?;
    run(&mut privilege.apt(&["update", "-q"]))
}

fn sha256(path: &Path) -> Result<String> {
    let out = Command::new("sha256sum")
        .arg(path)
        .output()
        .context("cannot run sha256sum")?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_string())
}

/// Downloads a package into `dir/debs`; returns the .deb's path.
fn fetch(dir: &Path, package: &Package) -> Result<PathBuf> {
    let debs = dir.join("debs");
    let pinned = format!("{}:arm64={}", package.name, package.version);
    let find = |name: &str| -> Option<PathBuf> {
        std::fs::read_dir(&debs)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("{name}_")))
            })
    };
    if find(package.name).is_none() {
        let mut cmd = Command::new("apt-get");
        cmd.args(["download", "-q", &pinned]).current_dir(&debs);
        let ok = cmd.status().is_ok_and(|s| s.success());
        if !ok {
            eprintln!(
                "xtask: warning: {pinned} is not in the archive any more; taking the current {}",
                package.fallback
            );
            let mut cmd = Command::new("apt-get");
            cmd.args(["download", "-q", &format!("{}:arm64", package.fallback)])
                .current_dir(&debs);
            run(&mut cmd).with_context(|| {
                format!("cannot download {} ({})", package.fallback, describe(&cmd))
            })?;
        }
    }
    // The fallback of the kernel metapackage is only a dependency: follow it.
    let deb = match find(package.name) {
        Some(deb) => deb,
        None => follow_metapackage(&debs, package)?,
    };
    if deb
        .to_string_lossy()
        .contains(&package.version.replace(':', "%3a"))
    {
        let sum = sha256(&deb)?;
        if sum != package.sha256 {
            bail!(
                "{} has SHA-256 {sum}, expected {}",
                deb.display(),
                package.sha256
            );
        }
    }
    Ok(deb)
}

/// Downloads what a metapackage (`linux-image-arm64`) depends on.
fn follow_metapackage(debs: &Path, package: &Package) -> Result<PathBuf> {
    let meta = std::fs::read_dir(debs)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{}_", package.fallback)))
        })
        .with_context(|| format!("no {} package downloaded", package.fallback))?;
    let out = Command::new("dpkg-deb")
        .args(["-f"])
        .arg(&meta)
        .arg("Depends")
        .output()?;
    let depends = String::from_utf8_lossy(&out.stdout);
    let name = depends
        .split([',', ' '])
        .find(|w| w.starts_with("linux-image-"))
        .context("no kernel in the metapackage")?;
    let mut cmd = Command::new("apt-get");
    cmd.args(["download", "-q", &format!("{name}:arm64")])
        .current_dir(debs);
    run(&mut cmd)?;
    std::fs::read_dir(debs)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&format!("{name}_")))
        })
        .context("the kernel package did not arrive")
}
