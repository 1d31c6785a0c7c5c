//! The persistent-disk case (`boot/boards/qemu-virt-linux-persist.build`):
//! QEMU gets a fresh raw disk as a `virtio-blk-device`; the host driver
//! `vblk` serves it to `qvm`, whose Linux VM has 8 MiB of it, from 1 MiB
//! on (`hostdev /dev/vblk0@2048,16384`), as `/dev/vda`.
//!
//! First boot: the guest finds no header on the disk, writes 1 MiB of
//! random bytes and a header with their SHA-256, each with `fsync` (a
//! virtio-blk `FLUSH` through `qvm` to the driver and the device), and
//! says so. The whole QEMU is then killed (SIGKILL: no shutdown, nothing
//! written back later). Second boot, on the same disk file: the guest
//! finds the header, reads the 1 MiB back and checks its SHA-256, then
//! powers off. Between the boots xtask checks the disk file itself
//! ([`check_disk`]).

use std::path::Path;
use std::process::{Command, Stdio};

use super::cases::{Case, STARTUP, machine};
use crate::qemu::{Cpu, Gic};

/// The buildfile the case boots.
pub const BUILDFILE: &str = "boot/boards/qemu-virt-linux-persist.build";

/// The driver's lines: QEMU's first virtio-blk-device, 16 MiB.
const DRIVER: [&str; 2] = [
    r"^vblk: /virtio_mmio@a003e00 at 0xa003e00, interrupt 79: virtio-blk, 32768 sectors \(16 MiB\), read-write, write cache flushed on FLUSH$",
    r"^vblk: serving /dev/vblk0$",
];

/// Where the VM's disk starts in the file (`@2048,16384`), and its size.
const RANGE: (usize, usize) = (2048 * 512, 16384 * 512);

/// The disk file after the first QEMU was killed: the guest's header at
/// the start of its range, the 1 MiB after it with that SHA-256, nothing
/// written outside the range.
pub fn check_disk(disk: &Path) -> Result<String, String> {
    let bytes = std::fs::read(disk).map_err(|e| format!("cannot read {}: {e}", disk.display()))?;
    let (start, len) = RANGE;
    if bytes.len() < start + len {
        return Err(format!("{} bytes, not 16 MiB", bytes.len()));
    }
    let outside = bytes[..start].iter().chain(&bytes[start + len..]);
    if outside.copied().any(|b| b != 0) {
        return Err("bytes written outside the VM's range".into());
    }
    let header = String::from_utf8_lossy(&bytes[start..start + 512]).to_string();
    let want = header
        .trim_end_matches('\0')
        .strip_prefix("qhv-persist ")
        .filter(|s| s.len() == 64)
        .ok_or_else(|| format!("no header at byte {start}"))?
        .to_string();
    let got = sha256(&bytes[start + 4096..start + 4096 + (1 << 20)])?;
    if got != want {
        return Err(format!(
            "the header says sha256 {want}, the 1 MiB has {got}"
        ));
    }
    Ok(format!(
        "header and 1 MiB with sha256 {got} on the disk file"
    ))
}

/// `sha256sum` of `data`.
fn sha256(data: &[u8]) -> Result<String, String> {
    use std::io::Write;
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run sha256sum: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(data)
            .map_err(|e| format!("sha256sum: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("sha256sum: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text.split_whitespace().next().unwrap_or("").to_string())
}

/// The one case.
pub fn cases() -> Vec<Case> {
    let boot_lines = |last: &'static str| {
        let mut lines = vec![STARTUP];
        lines.extend(DRIVER);
        lines.extend([
            r"linux: linux-init: running, 1 CPUs, 6\.1\.",
            // The 8 MiB range of the disk.
            r"linux: \[ *[0-9.]+\] virtio_blk virtio0: \[vda\] 16384 512-byte logical blocks",
            last,
        ]);
        lines
    };
    vec![
        Case::new(
            "linux-persist-a72-gic3-smp2",
            machine(Cpu::CortexA72, Gic::V3, 2),
        )
        .buildfile(BUILDFILE)
        .disk(16)
        .disk_check(check_disk)
        .timeout(400)
        .lines(&boot_lines(
            r"linux: linux-init: persist: wrote 1 MiB with sha256 [0-9a-f]{64}, synced",
        ))
        .reboot(&{
            let mut lines = boot_lines(
                r"linux: linux-init: persist: read back 1 MiB with sha256 [0-9a-f]{64}$",
            );
            lines.push("qvm: linux: the guest powered off");
            lines
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_disk_check_finds_what_the_guest_wrote_and_nothing_else() {
        let dir = std::env::temp_dir().join(format!("qhv-persist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("disk");
        let (start, len) = RANGE;
        let mut disk = vec![0u8; 16 << 20];
        std::fs::write(&file, &disk).unwrap();
        assert!(check_disk(&file).unwrap_err().contains("no header"));
        let data: Vec<u8> = (0..1 << 20).map(|i: u32| (i * 31 + 7) as u8).collect();
        disk[start + 4096..start + 4096 + data.len()].copy_from_slice(&data);
        let sum = sha256(&data).unwrap();
        let header = format!("qhv-persist {sum}");
        disk[start..start + header.len()].copy_from_slice(header.as_bytes());
        std::fs::write(&file, &disk).unwrap();
        assert!(check_disk(&file).unwrap().contains(&sum));
        disk[start + 5000] ^= 1;
        std::fs::write(&file, &disk).unwrap();
        assert!(check_disk(&file).unwrap_err().contains("the 1 MiB has"));
        disk[start + 5000] ^= 1;
        disk[start + len] = 1;
        std::fs::write(&file, &disk).unwrap();
        assert!(check_disk(&file).unwrap_err().contains("outside"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
