//! The guest device tree, read back with the `fdt` crate and `dtc`.

// The AArch64 guest's layout (`qvm::arch::aarch64`): not with feature `guest-x86_64`.
#![cfg(not(feature = "guest-x86_64"))]

mod common;

use std::process::Command;

use common::{BASE, example};
use fdt::Fdt;
use qvm::config::Config;
use qvm::fdt::{Chosen, build};
use qvm::layout::{VmLayout, place};

fn dtb_of(config: &Config, initrd: Option<std::ops::Range<u64>>) -> (VmLayout, Vec<u8>) {
    let layout = place(config).unwrap();
    let chosen = Chosen {
        initrd,
        ..Chosen::from_config(config)
    };
    let dtb = build(&layout, &chosen).unwrap();
    (layout, dtb)
}

/// The 32-bit cells of a property.
fn cells(fdt: &Fdt, node: &str, prop: &str) -> Vec<u32> {
    let n = fdt
        .find_node(node)
        .unwrap_or_else(|| panic!("no node {node}"));
    let p = n
        .property(prop)
        .unwrap_or_else(|| panic!("no {node}/{prop}"));
    p.value
        .chunks(4)
        .map(|c| u32::from_be_bytes(c.try_into().unwrap()))
        .collect()
}

fn string(fdt: &Fdt, node: &str, prop: &str) -> String {
    let n = fdt
        .find_node(node)
        .unwrap_or_else(|| panic!("no node {node}"));
    n.property(prop)
        .and_then(|p| p.as_str())
        .unwrap_or_else(|| panic!("no {node}/{prop}"))
        .to_string()
}

fn strings(fdt: &Fdt, node: &str, prop: &str) -> Vec<String> {
    let n = fdt.find_node(node).unwrap();
    let v = n.property(prop).unwrap().value;
    v.split(|&b| b == 0)
        .filter(|s| !s.is_empty())
        .map(|s| String::from_utf8(s.to_vec()).unwrap())
        .collect()
}

#[test]
fn the_spec_example_reads_back() {
    let (_, dtb) = dtb_of(&example("linux.qvmconf"), Some(0x8800_0000..0x8812_3456));
    let fdt = Fdt::new(&dtb).unwrap();
    assert_eq!(
        strings(&fdt, "/", "compatible"),
        ["qhv,qvm-virt", "linux,dummy-virt"]
    );
    assert_eq!(cells(&fdt, "/", "#address-cells"), [2]);
    assert_eq!(cells(&fdt, "/", "#size-cells"), [2]);

    let mem: Vec<_> = fdt
        .memory()
        .regions()
        .map(|r| (r.starting_address as u64, r.size))
        .collect();
    assert_eq!(mem, [(0x8000_0000, Some(512 << 20))]);
    assert_eq!(string(&fdt, "/memory@80000000", "device_type"), "memory");

    assert_eq!(fdt.cpus().count(), 2);
    for (i, cpu) in fdt.cpus().enumerate() {
        assert_eq!(cpu.ids().first(), i);
        assert_eq!(
            cpu.property("enable-method").unwrap().as_str(),
            Some("psci")
        );
        assert_eq!(
            cpu.property("compatible").unwrap().as_str(),
            Some("arm,armv8")
        );
    }
    assert_eq!(string(&fdt, "/psci", "method"), "hvc");
    assert_eq!(
        strings(&fdt, "/psci", "compatible"),
        ["arm,psci-1.0", "arm,psci-0.2"]
    );

    let gic = "/interrupt-controller@2f000000";
    assert_eq!(string(&fdt, gic, "compatible"), "arm,gic-v3");
    assert_eq!(
        cells(&fdt, gic, "reg"),
        [0, 0x2f00_0000, 0, 0x1_0000, 0, 0x2f10_0000, 0, 0x4_0000]
    );
    assert_eq!(cells(&fdt, gic, "#interrupt-cells"), [3]);
    assert_eq!(cells(&fdt, gic, "#redistributor-regions"), [1]);
    assert!(
        fdt.find_node(gic)
            .unwrap()
            .property("interrupt-controller")
            .is_some()
    );
    let phandle = cells(&fdt, gic, "phandle");
    assert_eq!(cells(&fdt, "/", "interrupt-parent"), phandle);

    assert_eq!(string(&fdt, "/timer", "compatible"), "arm,armv8-timer");
    assert_eq!(
        cells(&fdt, "/timer", "interrupts"),
        [1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4]
    );
    assert!(
        fdt.find_node("/timer")
            .unwrap()
            .property("always-on")
            .is_some()
    );

    let uart = "/pl011@1c090000";
    assert_eq!(
        strings(&fdt, uart, "compatible"),
        ["arm,pl011", "arm,primecell"]
    );
    assert_eq!(cells(&fdt, uart, "reg"), [0, 0x1c09_0000, 0, 0x1000]);
    assert_eq!(cells(&fdt, uart, "interrupts"), [0, 5, 4]);
    assert_eq!(strings(&fdt, uart, "clock-names"), ["uartclk", "apb_pclk"]);
    let clk = cells(&fdt, "/apb-pclk", "phandle")[0];
    assert_eq!(cells(&fdt, uart, "clocks"), [clk, clk]);
    assert_eq!(cells(&fdt, "/apb-pclk", "clock-frequency"), [24_000_000]);
    let reg = fdt.find_node(uart).unwrap().reg().unwrap().next().unwrap();
    assert_eq!(
        (reg.starting_address as u64, reg.size),
        (0x1c09_0000, Some(0x1000))
    );

    let blk = "/virtio_mmio@1c0d0000";
    assert_eq!(string(&fdt, blk, "compatible"), "virtio,mmio");
    assert_eq!(cells(&fdt, blk, "reg"), [0, 0x1c0d_0000, 0, 0x200]);
    assert_eq!(cells(&fdt, blk, "interrupts"), [0, 9, 4]);
    assert!(
        fdt.find_node(blk)
            .unwrap()
            .property("dma-coherent")
            .is_some()
    );
    assert_eq!(
        cells(&fdt, "/virtio_mmio@1c0c0000", "interrupts"),
        [0, 8, 4]
    );

    assert_eq!(
        fdt.chosen().bootargs(),
        Some("console=ttyAMA0 earlycon=pl011,mmio32,0x1c090000 rdinit=/init")
    );
    assert_eq!(fdt.chosen().stdout().unwrap().name, "pl011@1c090000");
    assert_eq!(
        cells(&fdt, "/chosen", "linux,initrd-start"),
        [0, 0x8800_0000]
    );
    assert_eq!(cells(&fdt, "/chosen", "linux,initrd-end"), [0, 0x8812_3456]);
    assert!(
        fdt.find_node("/chosen")
            .unwrap()
            .property("kaslr-seed")
            .is_none()
    );
    assert_eq!(string(&fdt, "/aliases", "serial0"), "/pl011@1c090000");
}

#[test]
fn the_timer_carries_the_hosts_tree_frequency_only_when_given() {
    let config = common::parse("ram 64M\ncpu");
    let (_, dtb) = dtb_of(&config, None);
    let fdt = Fdt::new(&dtb).unwrap();
    let timer = fdt.find_node("/timer").unwrap();
    assert!(timer.property("clock-frequency").is_none());

    let layout = place(&config).unwrap();
    let chosen = Chosen {
        counter_hz: Some(54_000_000),
        ..Chosen::from_config(&config)
    };
    let dtb = build(&layout, &chosen).unwrap();
    let fdt = Fdt::new(&dtb).unwrap();
    assert_eq!(cells(&fdt, "/timer", "clock-frequency"), [54_000_000]);
}

#[test]
fn gicv2_tree() {
    let (_, dtb) = dtb_of(
        &common::parse("ram 64M\nvdev gic version 2\ncpu\ncpu\ncpu\ncpu"),
        None,
    );
    let fdt = Fdt::new(&dtb).unwrap();
    let gic = "/interrupt-controller@2c001000";
    assert_eq!(string(&fdt, gic, "compatible"), "arm,cortex-a15-gic");
    assert_eq!(
        cells(&fdt, gic, "reg"),
        [0, 0x2c00_1000, 0, 0x1000, 0, 0x2c00_2000, 0, 0x2000]
    );
    assert!(
        fdt.find_node(gic)
            .unwrap()
            .property("#redistributor-regions")
            .is_none()
    );
    // The PPIs go to the 4 CPUs: CPU mask 0xf in bits 15:8.
    assert_eq!(
        cells(&fdt, "/timer", "interrupts"),
        [1, 13, 0xf04, 1, 14, 0xf04, 1, 11, 0xf04, 1, 10, 0xf04]
    );
    assert_eq!(fdt.cpus().count(), 4);
}

#[test]
fn no_console_no_clock_no_cmdline() {
    let (_, dtb) = dtb_of(&common::parse(&format!("{BASE}vdev virtio-entropy")), None);
    let fdt = Fdt::new(&dtb).unwrap();
    assert!(fdt.find_node("/apb-pclk").is_none());
    assert!(fdt.find_node("/aliases").is_none());
    let chosen = fdt.find_node("/chosen").unwrap();
    assert_eq!(chosen.properties().count(), 0);
    assert_eq!(
        cells(&fdt, "/virtio_mmio@1c0e0000", "interrupts"),
        [0, 11, 4]
    );
    assert_eq!(fdt.cpus().count(), 1);
}

#[test]
fn other_devices() {
    let c = common::parse(&format!(
        "{BASE}vdev wdt-sp805\nvdev wdt-sp805 frequency 32768 name wd1\nvdev ser8250\nvdev shmem create ring,4K\n\
         pass loc mem:0x9000000,1M,rwm=0x40000000"
    ));
    let (_, dtb) = dtb_of(&c, None);
    let fdt = Fdt::new(&dtb).unwrap();
    let wd = "/watchdog@1c0f0000";
    assert_eq!(
        strings(&fdt, wd, "compatible"),
        ["arm,sp805", "arm,primecell"]
    );
    let pclk = cells(&fdt, "/apb-pclk", "phandle")[0];
    // Each watchdog counts on a fixed clock of its own (`wdog_clk`): its
    // `frequency`, else QNX's default of 25 MHz.
    assert_eq!(strings(&fdt, wd, "clock-names"), ["wdog_clk", "apb_pclk"]);
    for (node, hz) in [(wd, 25_000_000), ("/watchdog@1c0f1000", 32768)] {
        let clocks = cells(&fdt, node, "clocks");
        assert_ne!(clocks[0], pclk, "{node}");
        assert_eq!(clocks[1], pclk, "{node}");
        let own = fdt.find_phandle(clocks[0]).unwrap();
        assert_eq!(own.compatible().unwrap().first(), "fixed-clock");
        assert_eq!(
            own.property("clock-frequency").unwrap().as_usize(),
            Some(hz),
            "{node}"
        );
    }
    let wd1 = "/watchdog@1c0f1000";
    assert_eq!(string(&fdt, wd1, "label"), "wd1");
    // No PL011: the 8250 is the console.
    assert_eq!(string(&fdt, "/chosen", "stdout-path"), "/serial@1c100000");
    assert_eq!(string(&fdt, "/serial@1c100000", "compatible"), "ns16550a");
    assert_eq!(string(&fdt, "/shmem@1c101000", "qhv,region"), "ring");
    // `m` pass-through memory is RAM for the guest (`fdt` reads only the
    // first memory node).
    assert_eq!(
        cells(&fdt, "/memory@9000000", "reg"),
        [0, 0x900_0000, 0, 0x10_0000]
    );
}

/// `dtc -I dtb -O dts` of `dtb`, or `None` (with a message) without dtc.
fn dtc_decompile(dtb: &[u8], name: &str) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("qvm-dtc-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.dtb");
    std::fs::write(&path, dtb).unwrap();
    let out = match Command::new("dtc")
        .args(["-I", "dtb", "-O", "dts"])
        .arg(&path)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("skipped: dtc is not installed ({e}); apt install device-tree-compiler");
            return None;
        }
    };
    std::fs::remove_dir_all(&dir).ok();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "dtc failed: {stderr}");
    assert!(stderr.trim().is_empty(), "dtc warns: {stderr}");
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn dtc_round_trip() {
    for name in [
        "hello.qvmconf",
        "linux.qvmconf",
        "include.qvmconf",
        "full.qvmconf",
    ] {
        let (_, dtb) = dtb_of(&example(name), Some(0x8800_0000..0x8900_0000));
        let Some(dts) = dtc_decompile(&dtb, name) else {
            return;
        };
        assert!(
            dts.contains("compatible = \"qhv,qvm-virt\\0linux,dummy-virt\";"),
            "{dts}"
        );
        assert!(dts.contains("method = \"hvc\";"), "{dts}");
        assert!(dts.contains("linux,initrd-start"), "{dts}");
    }
}

#[test]
fn layouts_match_their_trees() {
    // Every vdev of the full example is in the tree at its slot.
    let (layout, dtb) = dtb_of(&example("full.qvmconf"), None);
    let fdt = Fdt::new(&dtb).unwrap();
    for v in &layout.vdevs {
        let found = fdt.all_nodes().any(|n| {
            n.property("reg")
                .is_some_and(|r| r.value.len() == 16 && r.value[..8] == v.slot.base.to_be_bytes())
        });
        assert!(found, "{:?} at {:#x}", v.config.kind, v.slot.base);
    }
}

#[test]
fn a_passed_primecell_gets_its_clock_and_interrupt() {
    let config = qvm::config::parse_str(
        "p.qvmconf",
        "system p\nram 0x80000000,128M\ncpu\nload /guest.img\nvdev gic version 3\n\
         pass loc mem:0x1c0a0000,0x1000,rw=0x9010000\npass intr gic:40=34\n",
    )
    .unwrap();
    let layout = place(&config).unwrap();
    let chosen = Chosen {
        passed: vec![qvm::fdt::PassedDevice {
            name: "pl031".into(),
            compatible: "arm,pl031".into(),
            region: qvm::layout::Region {
                base: 0x1c0a_0000,
                size: 0x1000,
            },
            irqs: vec![
                qvm::fdt::PassedIrq {
                    intid: 40,
                    edge: false,
                },
                qvm::fdt::PassedIrq {
                    intid: 41,
                    edge: true,
                },
            ],
        }],
        ..Chosen::from_config(&config)
    };
    let dtb = build(&layout, &chosen).unwrap();
    let fdt = Fdt::new(&dtb).unwrap();
    let node = "/pl031@1c0a0000";
    assert_eq!(
        strings(&fdt, node, "compatible"),
        ["arm,pl031", "arm,primecell"]
    );
    assert_eq!(cells(&fdt, node, "reg"), [0, 0x1c0a_0000, 0, 0x1000]);
    assert_eq!(cells(&fdt, node, "interrupts"), [0, 8, 4, 0, 9, 1]);
    assert_eq!(strings(&fdt, node, "clock-names"), ["apb_pclk"]);
    let clock = cells(&fdt, node, "clocks")[0];
    let clk = fdt
        .all_nodes()
        .find(|n| n.property("phandle").and_then(|p| p.as_usize()) == Some(clock as usize))
        .expect("the clock node");
    assert_eq!(
        clk.property("compatible").and_then(|p| p.as_str()),
        Some("fixed-clock")
    );
}
