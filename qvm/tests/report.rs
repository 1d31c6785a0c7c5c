//! The `dryrun` report.

// The AArch64 guest's layout (`qvm::arch::aarch64`): not with feature `guest-x86_64`.
#![cfg(not(feature = "guest-x86_64"))]

mod common;

use qvm::layout::place;
use qvm::report::{render, size};

#[test]
fn the_spec_example_report() {
    let c = common::example("linux.qvmconf");
    let text = render(&c, &place(&c).unwrap());
    let want = common::read("linux.report").unwrap();
    assert_eq!(text, want, "got:\n{text}");
}

#[test]
fn every_line_of_the_full_example() {
    let c = common::example("full.qvmconf");
    let text = render(&c, &place(&c).unwrap());
    for want in [
        "system         full-vm",
        "rom            0x10000000-0x100fffff  1 MiB",
        "ram            0x50000000-0x53ffffff  64 MiB",
        "cpu 0          mpidr 0x0  sched 20r  runmask 0,2",
        "cpu 1          mpidr 0x1  sched 5f",
        "gic            v3  gicd 0x2f000000-0x2f00ffff  gicr 0x2f100000-0x2f15ffff  intids up to 81",
        "timer          intids 29 30 27 26 (ppi 13 14 11 10)",
        "pl011          0x1c091000-0x1c091fff  intid 38  hostdev </dev/ser2  name uart1",
        "virtio-blk     0x1c0d1000-0x1c0d11ff  intid 60  hostdev /images/data.img",
        "shmem          0x1c100000-0x1c100fff  intid 46  create ring 64 KiB",
        "wdt-sp805      0x1c0f0000-0x1c0f0fff  intid 44  action dump,terminate  frequency 1048576 Hz",
        "pass mem       0x30000000-0x3000ffff rw = host 0x9000000",
        "pass intr      intid 80 = host irq 120",
        "fdt            /guests/linux/extra.dtb",
        "data           0x10000000 /guests/fw.bin",
        "unsupported    instruction abort, reference ignore, register fail",
        "set            counter-offset 0x1000",
        "set            on-reset restart",
        "set            vendor-thing some value",
        "dump           /var/dumps",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(want)),
            "no line {want:?} in\n{text}"
        );
    }
    // One line per region, vCPU, device, pass, load, and the rest.
    assert_eq!(
        text.lines().count(),
        1 + 3 + 3 + 1 + 1 + 10 + 4 + 4 + 1 + 1 + 5 + 1
    );
    assert!(
        text.lines()
            .filter(|l| l.starts_with("ram"))
            .all(|l| l.contains("# full.qvmconf:"))
    );
}

#[test]
fn sizes() {
    assert_eq!(size(512 << 20), "512 MiB");
    assert_eq!(size(4096), "4 KiB");
    assert_eq!(size(3 << 30), "3 GiB");
    assert_eq!(size(1536 << 10), "1536 KiB");
    assert_eq!(size(1000), "1000 bytes");
    assert_eq!(size(0), "0 bytes");
}
