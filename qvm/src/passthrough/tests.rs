//! Host tests of pass-through planning.

use super::*;
use crate::config::parse_str;

fn rtc() -> HostRegion {
    HostRegion {
        index: 3,
        base: 0x901_0000,
        size: 0x1000,
        irqs: alloc::vec![34],
        edge: alloc::vec![false],
        path: "/pl031@9010000".into(),
        compatible: "arm,pl031".into(),
        ram: false,
        dma: false,
    }
}

fn slot() -> HostRegion {
    HostRegion {
        index: 40,
        base: 0xa00_3e00,
        size: 0x200,
        irqs: alloc::vec![79],
        edge: alloc::vec![true],
        path: "/virtio_mmio@a003e00".into(),
        compatible: "virtio,mmio".into(),
        ram: false,
        dma: true,
    }
}

fn carve_out() -> HostRegion {
    HostRegion {
        index: 41,
        base: 0x7000_0000,
        size: 0x800_0000,
        path: "/reserved-ram@70000000".into(),
        compatible: "qhv,reserved-ram".into(),
        ram: true,
        ..HostRegion::default()
    }
}

fn plan_all(text: &str) -> Result<Plan, String> {
    let config = parse_str("t.qvmconf", text).expect("parses");
    plan(&config, &[rtc(), slot(), carve_out()]).map_err(|e| e.to_string())
}

#[test]
fn a_dma_master_needs_all_ram_one_to_one() {
    let ok = plan_all(
        "pass loc mem:0x70000000,128M,rwxcm=0x70000000\n\
         pass loc mem:0x1c100e00,0x200,rw=0xa003e00\npass intr gic:79=79\n",
    )
    .unwrap();
    assert_eq!(ok.maps.len(), 2);
    assert!(ok.maps[0].ram && !ok.maps[1].ram);
    assert_eq!(ok.nodes.len(), 1, "no device node for RAM");
    assert_eq!(
        ok.nodes[0].irqs,
        [PassedIrq {
            intid: 79,
            edge: true
        }]
    );
    let e = plan_all(
        "ram 0x40000000,64M\npass loc mem:0x70000000,128M,rwxcm=0x70000000\n\
         pass loc mem:0x1c100e00,0x200,rw=0xa003e00\n",
    )
    .unwrap_err();
    assert!(
        e.starts_with("t.qvmconf:1: 'ram' is not: pass loc mem:0x1c100e00"),
        "{e}"
    );
    let e = plan_all(
        "pass loc mem:0x50000000,128M,rwxcm=0x70000000\n\
         pass loc mem:0x1c100e00,0x200,rw=0xa003e00\n",
    )
    .unwrap_err();
    assert!(e.starts_with("t.qvmconf:1: pass loc mem:0x50000000,0x8000000,rwxcm=0x70000000 is at guest-physical 0x50000000, host-physical 0x70000000"), "{e}");
    // Not a DMA master: RAM anywhere.
    plan_all("ram 0x40000000,64M\npass loc mem:0x1c0a0000,0x1000,rw=0x9010000\n").unwrap();
}

#[test]
fn ram_and_devices_are_not_mixed_up() {
    let e = plan_all("pass loc mem:0x1c0a0000,0x1000,rwxcm=0x9010000\n").unwrap_err();
    assert!(e.contains("is a device, not host RAM"), "{e}");
    let e = plan_all("pass loc mem:0x70000000,128M,rw=0x70000000\n").unwrap_err();
    assert!(e.contains("is host RAM set aside at boot"), "{e}");
}

fn plan_of(text: &str) -> Result<Plan, ConfigError> {
    let config = parse_str("t.qvmconf", text).expect("parses");
    plan(&config, &[rtc()])
}

#[test]
fn a_region_and_its_interrupt() {
    let p = plan_of("pass loc mem:0x1c0a0000,0x1000,rw=0x9010000\npass intr gic:40=34\n").unwrap();
    assert_eq!(p.maps.len(), 1);
    assert_eq!((p.maps[0].index, p.maps[0].gpa), (3, 0x1c0a_0000));
    assert_eq!((p.irqs[0].host, p.irqs[0].guest), (34, 40));
    assert_eq!(
        p.nodes,
        [PassedDevice {
            name: "pl031".into(),
            compatible: "arm,pl031".into(),
            region: Region {
                base: 0x1c0a_0000,
                size: 0x1000
            },
            irqs: alloc::vec![PassedIrq {
                intid: 40,
                edge: false
            }],
        }]
    );
}

#[test]
fn an_interrupt_alone_and_a_region_without_one() {
    let p = plan_of("pass intr gic:41=35\n").unwrap();
    assert!(p.maps.is_empty() && p.nodes.is_empty());
    let p = plan_of("pass loc mem:0x1c0a0000,0x1000,rw=0x9010000\n").unwrap();
    assert!(p.nodes[0].irqs.is_empty(), "34 not passed: not listed");
    assert_eq!(p.notes.len(), 1);
    assert!(
        p.notes[0]
            .to_string()
            .contains("has interrupt 34 on the host"),
        "{:?}",
        p.notes
    );
}

#[test]
fn regions_named_wrongly_are_refused_with_the_line() {
    let e = plan_of("pass loc mem:0x1c0a0000,0x1000,rw=0x9011000\n").unwrap_err();
    assert!(e.to_string().starts_with("t.qvmconf:1:"), "{e}");
    assert!(
        e.to_string().contains("no device region at 0x9011000"),
        "{e}"
    );
    let e = plan_of("\npass loc mem:0x1c0a0000,0x2000,rw=0x9010000\n").unwrap_err();
    assert!(e.to_string().starts_with("t.qvmconf:2:"), "{e}");
    assert!(e.to_string().contains("the length must be"), "{e}");
}

#[test]
fn node_names() {
    assert_eq!(node_name("/soc/pl031@9010000"), "pl031");
    assert_eq!(node_name("/virtio_mmio@a000000"), "virtio_mmio");
    assert_eq!(node_name("/"), "device");
}
