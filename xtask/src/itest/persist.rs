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
//! powers off.

use super::cases::{Case, STARTUP, machine};
use crate::qemu::{Cpu, Gic};

/// The buildfile the case boots.
pub const BUILDFILE: &str = "boot/boards/qemu-virt-linux-persist.build";

/// The driver's lines: QEMU's first virtio-blk-device, 16 MiB.
const DRIVER: [&str; 2] = [
    r"^vblk: /virtio_mmio@a003e00 at 0xa003e00, interrupt 79: virtio-blk, 32768 sectors \(16 MiB\), read-write, write cache flushed on FLUSH$",
    r"^vblk: serving /dev/vblk0$",
];

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
