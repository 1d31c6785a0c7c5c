//! The pass-through cases (`boot/boards/qemu-virt-pass.build`): QEMU's
//! PL031 real-time clock goes to a Linux VM. A `qvm` the host did not
//! grant the clock is refused with a message naming the `pass` line; a
//! `qvm` granted the clock's region and interrupt maps it into its VM
//! (`vm_map_device`) and binds its interrupt to guest INTID 40
//! (`vm_irq_pass`, a list register with the HW bit); the stock Debian
//! kernel probes it from the generated device-tree node, `hwclock` reads
//! the host's date and the alarm's interrupt reaches the guest. A third
//! `qvm`, granted the clock too but started while the Linux VM holds it,
//! is refused it. A third case boots the same kernel and `/init` bare on
//! QEMU and expects the guest to see the same.

use super::cases::{Case, INIT_EXIT_0, STARTUP, STARTUP_DONE, machine};
use super::linux_bare::LinuxBare;
use crate::linux::LinuxArch;
use crate::qemu::{Cpu, Gic};

/// The buildfile the cases boot.
pub const BUILDFILE: &str = "boot/boards/qemu-virt-pass.build";

/// The DMA-capable device's buildfile.
pub const BLK_BUILDFILE: &str = "boot/boards/qemu-virt-passblk.build";

/// One case per host GIC version, the guest bare on the board, and the
/// disk controller.
pub fn cases() -> Vec<Case> {
    let mut cases: Vec<Case> = [Gic::V3, Gic::V2].into_iter().map(case).collect();
    cases.push(bare());
    cases.push(disk(Gic::V3));
    cases.push(disk(Gic::V2));
    cases
}

/// QEMU's virtio-blk-device passed through to a Linux VM whose RAM is host
/// RAM set aside at boot, 1:1; a VM with ordinary RAM beside it refused.
fn disk(gic: Gic) -> Case {
    // The kernel reports the RAM it set aside before its banner.
    Case::bare(
        format!("pass-blk-linux-a72-gic{gic}-smp2"),
        machine(Cpu::CortexA72, gic, 2),
    )
    .buildfile(BLK_BUILDFILE)
    .disk(16)
    .timeout(300)
    .lines(&[r"^qhv: RAM 0x68000000\.\.0x78000000 \(256 MiB\) set aside for pass-through$"])
    .lines(&[format!(
        r"^qhv: hypervisor kernel at EL2, 2 CPUs, 1024 MiB RAM, GICv{gic}$"
    )])
    .lines(&[
        STARTUP,
        r"^qvm: dmaram: /etc/vm/linux-passblk-ram\.qvmconf:5: 'ram' is not: pass loc mem:0x1c100e00,0x200,rw=0xa003e00: /virtio_mmio@a003e00 masters DMA, and without an IOMMU it reaches host-physical addresses: all of the VM's RAM must be host RAM at guest-physical = host-physical \('pass loc mem:A,LEN,rwxcm=A' of RAM set aside at boot\)$",
        r"^init: 'dev=0xa003e00 qvm @/etc/vm/linux-passblk-ram\.qvmconf' exited with status 0x40$",
        r"linux: \[ *[0-9.]+\] virtio_blk virtio0: \[vda\] 32768 512-byte logical blocks",
        r"linux: linux-passblk: vda has 32768 sectors$",
        r"linux: linux-passblk: 4 MiB file read back with the same checksum$",
        r"linux: linux-passblk: powering off$",
        "qvm: linux: the guest powered off",
        STARTUP_DONE,
        INIT_EXIT_0,
    ])
}

/// What the guest's `/init` sees of the clock (`qhv.pass`), the same bare
/// on the board and passed through by `qvm`: only the clock's address
/// (the node's unit address) differs.
fn guest_sees(address: &str) -> Vec<String> {
    vec![
        format!(r"rtc-pl031 {address}\.pl031: registered as rtc0"),
        format!(r"linux-pass: rtc0 is rtc-pl031 {address}\.pl031$"),
        r"linux-pass: hwclock \w{3} \w{3} +\d+ \d\d:\d\d:\d\d 20[2-6]\d +0\.000000 seconds$".into(),
        r"linux-pass: alarm interrupts before: 0$".into(),
        r"linux-pass: alarm interrupts after: 1$".into(),
        r"linux-pass: powering off".into(),
    ]
}

/// Validate bare first, as the QNX guide advises: the same kernel and
/// `/init` straight on QEMU `virt`, with its own PL031 at 0x9010000.
fn bare() -> Case {
    Case::bare(
        "pass-rtc-linux-bare-a72",
        machine(Cpu::CortexA72, Gic::V3, 1),
    )
    .linux_bare(LinuxBare {
        arch: LinuxArch::Arm64,
        cmdline: "console=ttyAMA0 nokaslr rdinit=/init qhv.pass".into(),
        virtio: false,
    })
    .timeout(300)
    .lines(&guest_sees("9010000"))
}

fn case(gic: Gic) -> Case {
    Case::new(
        format!("pass-rtc-linux-a72-gic{gic}-smp2"),
        machine(Cpu::CortexA72, gic, 2),
    )
    .buildfile(BUILDFILE)
    .timeout(300)
    .lines(&[
        STARTUP,
        r"^qvm: nogrant: /etc/vm/linux-pass-nogrant\.qvmconf:8: pass loc mem:0x1c0a0000,0x1000,rw=0x9010000: the host did not grant qvm this device region \(put 'dev=ADDRESS' before qvm on its startup line\) \(EACCES\)$",
        r"^init: 'qvm @/etc/vm/linux-pass-nogrant\.qvmconf' exited with status 0x40$",
        // While the Linux VM boots, holding the clock.
        r"^ktest late: done after 1000 ms$",
        r"^qvm: busy: /etc/vm/linux-pass-busy\.qvmconf:10: pass loc mem:0x1c0a0000,0x1000,rw=0x9010000: another process or VM holds it \(EBUSY\)$",
        r"^init: 'dev=arm,pl031 irq=34 qvm @/etc/vm/linux-pass-busy\.qvmconf' exited with status 0x40$",
        STARTUP_DONE,
    ])
    .lines(&guest_sees("1c0a0000"))
    .lines(&[
        "qvm: linux: the guest powered off",
        r"init: background job 'dev=arm,pl031 irq=34 qvm @/etc/vm/linux-pass\.qvmconf' ended with status 0",
        INIT_EXIT_0,
    ])
}
