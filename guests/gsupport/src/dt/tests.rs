//! The parser on trees QEMU `virt` hands a guest, and on one shaped like
//! qvm's.

use super::*;

pub(super) fn load(name: &str) -> std::vec::Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub(super) const IMAGE: Region = Region {
    start: 0x4020_0000,
    end: 0x4026_0000,
};

#[test]
fn qemu_virt_gicv3_four_cpus() {
    let dtb = load("virt-gicv3-smp4.dtb");
    let p = parse(&dtb, 0x4000_0000, IMAGE, 0).unwrap();
    assert_eq!(
        p.ram(),
        &[Region {
            start: 0x4000_0000,
            end: 0x8000_0000
        }]
    );
    assert_eq!(p.uart, Some(0x900_0000));
    assert_eq!(p.uart_intid, Some(33));
    assert_eq!(
        p.console,
        Some(Uart {
            kind: UartKind::Pl011,
            base: 0x900_0000,
            intid: Some(33)
        })
    );
    assert_eq!(
        p.gic,
        GicInfo::V3 {
            gicd: 0x800_0000,
            gicr: 0x80a_0000
        }
    );
    assert_eq!(p.timer, TimerIrqs::default());
    assert_eq!(p.cpus(), &[0, 1, 2, 3]);
    assert_eq!(p.cpus_in_tree, 4);
    assert_eq!(p.boot_cpu, 0);
    assert_eq!(p.psci, Conduit::Hvc);
    assert_eq!(p.model(), "linux,dummy-virt");
    assert_eq!(p.bootargs(), "");
    assert_eq!(p.dtb.start, 0x4000_0000);
    assert_eq!(p.dtb.end - p.dtb.start, dtb.len());
    assert_eq!(p.unused_address(), Some(0x8000_0000));
    assert!(p.devices().iter().any(|d| d.contains(0x900_0000)));
    assert!(!p.devices().iter().any(|d| d.contains(0x4000_0000)));
}

#[test]
fn qemu_virt_gicv2_boot_cpu_by_affinity() {
    let dtb = load("virt-gicv2-smp4.dtb");
    let p = parse(&dtb, 0x4000_0000, IMAGE, 2).unwrap();
    assert_eq!(
        p.gic,
        GicInfo::V2 {
            gicd: 0x800_0000,
            gicc: 0x801_0000
        }
    );
    assert_eq!(p.boot_cpu, 2);
}

#[test]
fn a_qvm_shaped_tree() {
    let dtb = load("qvm-gicv3-smp2.dtb");
    let p = parse(&dtb, 0x8800_0000, IMAGE, 0x101).unwrap();
    assert_eq!(
        p.ram(),
        &[Region {
            start: 0x8000_0000,
            end: 0x8800_0000
        }]
    );
    assert_eq!(p.uart, Some(0x1c09_0000));
    assert_eq!(p.uart_intid, Some(37));
    assert_eq!(
        p.console.map(|u| (u.kind, u.base)),
        Some((UartKind::Pl011, 0x1c09_0000))
    );
    // PSCI starts its CPUs: no spin tables.
    assert_eq!(p.spin_table(0), None);
    assert_eq!(
        p.gic,
        GicInfo::V3 {
            gicd: 0x2f00_0000,
            gicr: 0x2f10_0000
        }
    );
    // The disabled CPU is left out.
    assert_eq!(p.cpus(), &[0x100, 0x101]);
    assert_eq!(p.boot_cpu, 1);
    assert_eq!(p.psci, Conduit::Hvc);
    assert_eq!(p.timer.virt, 27);
    assert_eq!(p.timer.hyp, 26);
    assert_eq!(p.bootargs(), "bench=vm-switch quiet");
    // 0x88000000 holds a device: the next 2 MiB block is free.
    assert_eq!(p.unused_address(), Some(0x8820_0000));
}

#[test]
fn virtio_mmio_nodes() {
    let dtb = load("virt-gicv3-smp4.dtb");
    let mut nodes = [DeviceNode::default(); 40];
    assert_eq!(compatible_devices(&dtb, "virtio,mmio", &mut nodes), Ok(32));
    let first = nodes[..32]
        .iter()
        .find(|d| d.reg.start == 0xa00_0000)
        .unwrap();
    assert_eq!(first.reg.end, 0xa00_0200);
    assert_eq!(first.intid, Some(48));
    // Fewer slots than nodes: the count still says how many there are.
    let mut two = [DeviceNode::default(); 2];
    assert_eq!(compatible_devices(&dtb, "virtio,mmio", &mut two), Ok(32));
    assert_eq!(compatible_devices(&dtb, "no,such-device", &mut two), Ok(0));

    let dtb = load("qvm-gicv3-smp2.dtb");
    let n = compatible_devices(&dtb, "virtio,mmio", &mut nodes).unwrap();
    assert_eq!(
        nodes[..n]
            .iter()
            .find(|d| d.reg.start == 0x8800_0000)
            .map(|d| d.intid),
        Some(Some(38))
    );
    assert!(compatible_devices(&[0u8; 64], "virtio,mmio", &mut nodes).is_err());
}

#[test]
fn refuses_what_is_not_a_tree() {
    assert!(parse(&[0u8; 64], 0, IMAGE, 0).is_err());
}

#[test]
fn regions() {
    let r = Region { start: 10, end: 20 };
    assert!(r.contains(10) && r.contains(19) && !r.contains(20));
    assert!(r.overlaps(&Region { start: 19, end: 30 }));
    assert!(!r.overlaps(&Region { start: 20, end: 30 }));
    assert_eq!(Conduit::Smc.name(), "smc");
}
