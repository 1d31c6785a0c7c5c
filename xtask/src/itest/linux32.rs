//! The 32-bit ARM Linux guest (`LinuxArch::Armhf`: Debian's `armmp`
//! zImage and the test initramfs, `target/linux-armhf`): booted bare on
//! QEMU `virt` with a 32-bit CPU and QEMU's own virtio-mmio devices, and
//! as an AArch32 VM under `qvm` on a Cortex-A72 host; each on GICv3 and
//! GICv2, running `/init`'s default checks to the power-off.

use super::cases::{Case, STARTUP, machine};
use super::linux_bare::LinuxBare;
use crate::linux::LinuxArch;
use crate::qemu::{Cpu, EntryLevel, Gic};

/// The bare cases' kernel command line: the PL011 of QEMU `virt` (also
/// as the early console), and a line typed into the virtio-console.
pub const BARE_CMDLINE: &str =
    "console=ttyAMA0 earlycon=pl011,mmio32,0x9000000 rdinit=/init qhv.typein";

/// The image with the VM (`guests/linux/linux32.qvmconf`).
pub const BUILDFILE: &str = "boot/boards/qemu-virt-linux32.build";

/// The cases: bare and under `qvm`, on GICv3 and GICv2.
pub fn cases() -> Vec<Case> {
    vec![
        bare(Gic::V3),
        bare(Gic::V2),
        under_qvm(Gic::V3),
        under_qvm(Gic::V2),
        refused(),
    ]
}

/// The same image on a CPU with AArch32 at EL0 only (QEMU's cortex-a76):
/// the kernel refuses the AArch32 VM and `qvm` says why, naming the image.
fn refused() -> Case {
    Case::new(
        "linux32-refused-a76-gic3-smp2",
        machine(Cpu::CortexA76, Gic::V3, 2),
    )
    .buildfile(BUILDFILE)
    .lines(&[
        STARTUP,
        r"^qvm: linux: this CPU has no AArch32 at EL1: the 32-bit guest /guests/linux32/zImage cannot run here \(on QEMU use -cpu cortex-a57 or cortex-a72\)$",
        r"^init: 'qvm @/etc/vm/linux32\.qvmconf' exited with status 0x40$",
    ])
}

/// The zImage under `qvm`: an AArch32 VM (2 vCPUs, the devices of the
/// arm64 Linux VM) on a Cortex-A72 host with `gic` and 2 CPUs; the same
/// kernel lines as the arm64 VM's, its `Linux version` the armmp one's.
fn under_qvm(gic: Gic) -> Case {
    Case::new(
        format!("linux32-a72-gic{gic}-smp2"),
        machine(Cpu::CortexA72, gic, 2),
    )
    .buildfile(BUILDFILE)
    .timeout(300)
    .lines(&[
        STARTUP,
        r"linux: \[ *[0-9.]+\] Booting Linux on physical CPU 0x0",
        r"linux: \[ *[0-9.]+\] Linux version 6\.1\.0-\d+-armmp ",
        r"linux: \[ *[0-9.]+\] psci: PSCIv1\.0 detected",
        r"linux: \[ *[0-9.]+\] Run /init as init process",
    ])
    .linux_init()
}

/// The zImage bare on `virt` with `gic`: QEMU's Cortex-A15 (TCG cannot
/// run a Cortex-A72 without AArch64), 2 CPUs started through PSCI, 256 MiB,
/// a fresh 16 MiB disk, entropy, network and virtio-console. Besides
/// `/init`'s lines, the kernel's: the armmp kernel, PSCI, the GIC's
/// driver (GICv3's redistributor of CPU 1; GICv2's MSI frame, which QEMU
/// `virt` has beside its GICv2), both CPUs up.
fn bare(gic: Gic) -> Case {
    let mut board = machine(Cpu::CortexA15, gic, 2);
    board.mem = "256M".into();
    board.entry = EntryLevel::El1;
    let gic_line = match gic {
        Gic::V3 => r"\] GICv3: CPU1: found redistributor 1 ",
        Gic::V2 => r"\] GICv2m: range\[mem 0x08020000-0x08020fff\]",
    };
    Case::bare(format!("linux32-bare-a15-gic{gic}-smp2"), board)
        .linux_bare(LinuxBare {
            arch: LinuxArch::Armhf,
            cmdline: BARE_CMDLINE.into(),
            virtio: true,
        })
        .disk(16)
        .timeout(300)
        .lines(&[
            r"\] Booting Linux on physical CPU 0x0",
            r"\] Linux version 6\.1\.0-\d+-armmp ",
            r"\] psci: PSCIv\d+\.\d+ detected in firmware",
            gic_line,
            r"\] smp: Brought up 1 node, 2 CPUs",
            r"\] Run /init as init process",
        ])
        .linux_init_run("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::itest::cases::BAD_LINES;
    use crate::itest::matcher::check;
    use regex_lite::Regex;

    /// A recorded console of the GICv3 case (its lines of interest).
    const CONSOLE: &str = "\
[    0.000000] Booting Linux on physical CPU 0x0
[    0.000000] Linux version 6.1.0-47-armmp (debian-kernel@lists.debian.org) (gcc-12) #1 SMP Debian 6.1.170-3 (2026-05-08)
[    0.000000] psci: PSCIv1.1 detected in firmware.
[    0.000000] GICv3: 256 SPIs implemented
[    0.166541] GICv3: CPU1: found redistributor 1 region 0:0x080c0000
[    0.180083] smp: Brought up 1 node, 2 CPUs
[    3.913576] Run /init as init process
linux-init: running, 2 CPUs, 6.1.0-47-armmp
[    5.685248] virtio_blk virtio3: [vda] 32768 512-byte logical blocks (16.8 MB/16.0 MiB)
linux-init: interrupts: timer 1, virtio 4
linux-init: read 16384 bytes from /dev/hwrng
linux-init: disk: 4 MiB file read back with the same checksum
linux-init: hello through virtio-console
linux-init: eth0 up, MAC 52:54:00:00:01:02
linux-init: type a line on virtio-console
linux-init: virtio-console read 'typed into hvc0'
linux-init: powering off
[   15.436354] reboot: Power down";

    #[test]
    fn the_bare_cases_boot_the_zimage_on_a_32_bit_cpu() {
        let cases: Vec<Case> = cases()
            .into_iter()
            .filter(|c| c.linux_bare.is_some())
            .collect();
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["linux32-bare-a15-gic3-smp2", "linux32-bare-a15-gic2-smp2"]
        );
        for case in &cases {
            let bare = case.linux_bare.as_ref().unwrap();
            assert_eq!(bare.arch, LinuxArch::Armhf);
            assert!(bare.virtio && case.powers_off);
            assert_eq!(case.disk_mib, Some(16));
            assert_eq!(case.machine.cpu, Cpu::CortexA15);
            case.machine.validate().unwrap();
        }
        let bad: Vec<Regex> = BAD_LINES.iter().map(|b| Regex::new(b).unwrap()).collect();
        assert_eq!(check(&cases[0].expect, &bad, CONSOLE.lines()), Ok(()));
        // GICv2 expects its own driver's line.
        assert!(check(&cases[1].expect, &bad, CONSOLE.lines()).is_err());
        let v2 = CONSOLE.replace(
            "GICv3: CPU1: found redistributor 1 region 0:0x080c0000",
            "GICv2m: range[mem 0x08020000-0x08020fff], SPI[80:143]",
        );
        assert_eq!(check(&cases[1].expect, &bad, v2.lines()), Ok(()));
        let arm64 = CONSOLE.replace("-armmp ", "-arm64 ");
        assert!(check(&cases[0].expect, &bad, arm64.lines()).is_err());
        let no_read = CONSOLE.replace("virtio-console read", "virtio-console: FAIL");
        assert!(check(&cases[0].expect, &bad, no_read.lines()).is_err());
    }

    #[test]
    fn the_vm_cases_boot_the_linux32_image_on_a_64_bit_host() {
        let vms: Vec<Case> = cases()
            .into_iter()
            .filter(|c| c.linux_bare.is_none())
            .collect();
        let names: Vec<&str> = vms.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "linux32-a72-gic3-smp2",
                "linux32-a72-gic2-smp2",
                "linux32-refused-a76-gic3-smp2"
            ]
        );
        for (case, gic) in vms.iter().zip([Gic::V3, Gic::V2]) {
            assert_eq!(case.buildfile, BUILDFILE);
            assert_eq!(case.machine, machine(Cpu::CortexA72, gic, 2));
            assert_eq!(case.machine.entry, EntryLevel::El2);
            assert!(crate::build::root().join(BUILDFILE).is_file());
        }
    }
}
