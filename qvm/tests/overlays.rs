//! `fdt load`: trees merged into the generated one, and bad files refused.

// The AArch64 guest's layout (`qvm::arch::aarch64`): not with feature `guest-x86_64`.
#![cfg(not(feature = "guest-x86_64"))]

mod common;

use std::process::Command;

use fdt::Fdt;
use qvm::fdt::{Chosen, FdtError, Node, Overlay, build, build_with_overlays, cells, parse};
use qvm::layout::VmLayout;

fn layout() -> VmLayout {
    qvm::layout::place(&common::example("linux.qvmconf")).unwrap()
}

fn chosen() -> Chosen {
    Chosen {
        bootargs: Some("console=ttyAMA0".into()),
        initrd: None,
        passed: Vec::new(),
        counter_hz: None,
    }
}

fn merged(dtbs: &[&[u8]]) -> Result<Vec<u8>, FdtError> {
    let overlays: Vec<_> = dtbs
        .iter()
        .map(|d| Overlay {
            name: "extra.dtb",
            origin: None,
            dtb: d,
        })
        .collect();
    build_with_overlays(&layout(), &chosen(), &overlays)
}

/// `vm-fdt` refuses node names that start with `_`: tests write `xxoverlayxx`
/// and the like, then rename them in the blob (names are stored inline).
fn dtbo(root: &Node) -> Vec<u8> {
    let mut dtb = root.to_dtb().unwrap();
    for (from, to) in [
        (&b"xxoverlayxx"[..], &b"__overlay__"[..]),
        (b"xxsymbolsxx", b"__symbols__"),
        (b"xxfixupsxx", b"__fixups__"),
    ] {
        while let Some(i) = dtb.windows(from.len()).position(|w| w == from) {
            dtb[i..i + to.len()].copy_from_slice(to);
        }
    }
    dtb
}

fn u32s(v: &[u8]) -> Vec<u32> {
    v.chunks(4)
        .map(|c| u32::from_be_bytes(c.try_into().unwrap()))
        .collect()
}

/// A plain tree: a new node with a phandle, a new and a replaced property in
/// /chosen, a property added to the generated PL011.
fn plain_overlay() -> Vec<u8> {
    let mut root = Node::new("");
    let mut dev = Node::new("sensor@1d000000");
    dev.set_str("compatible", "acme,sensor")
        .set_u32("phandle", 1);
    root.add(dev);
    let mut user = Node::new("sensor-user");
    user.set_u32("sensor", 1);
    root.add(user);
    let mut ch = Node::new("chosen");
    ch.set_str("bootargs", "console=ttyAMA0 quiet")
        .set_str("acme,mode", "fast");
    root.add(ch);
    let mut uart = Node::new("pl011@1c090000");
    uart.set_str("status", "okay");
    root.add(uart);
    root.to_dtb().unwrap()
}

#[test]
fn a_plain_tree_merges_at_the_root() {
    let dtb = merged(&[&plain_overlay()]).unwrap();
    let fdt = Fdt::new(&dtb).unwrap();
    assert_eq!(fdt.chosen().bootargs(), Some("console=ttyAMA0 quiet"));
    let ch = fdt.find_node("/chosen").unwrap();
    assert_eq!(ch.property("acme,mode").unwrap().as_str(), Some("fast"));
    assert!(
        ch.property("stdout-path").is_some(),
        "generated properties stay"
    );
    let uart = fdt.find_node("/pl011@1c090000").unwrap();
    assert_eq!(uart.property("status").unwrap().as_str(), Some("okay"));
    assert!(uart.property("clocks").is_some());
    // The overlay keeps phandle 1; the generated ones move above it.
    let sensor = fdt.find_phandle(1).unwrap();
    assert_eq!(sensor.name, "sensor@1d000000");
    let gic = u32s(
        fdt.find_node("/")
            .unwrap()
            .property("interrupt-parent")
            .unwrap()
            .value,
    )[0];
    assert_eq!(gic, 2);
    assert_eq!(
        fdt.find_phandle(gic).unwrap().name,
        "interrupt-controller@2f000000"
    );
    let clk = fdt
        .find_node("/apb-pclk")
        .unwrap()
        .property("phandle")
        .unwrap()
        .value;
    assert_eq!(
        u32s(uart.property("clocks").unwrap().value),
        [u32s(clk)[0]; 2]
    );
}

#[test]
fn overlays_apply_in_order() {
    let mut a = Node::new("");
    let mut ch = Node::new("chosen");
    ch.set_str("x", "first");
    a.add(ch);
    let mut b = Node::new("");
    let mut ch = Node::new("chosen");
    ch.set_str("x", "second");
    b.add(ch);
    let dtb = merged(&[&a.to_dtb().unwrap(), &b.to_dtb().unwrap()]).unwrap();
    let fdt = Fdt::new(&dtb).unwrap();
    assert_eq!(
        fdt.find_node("/chosen")
            .unwrap()
            .property("x")
            .unwrap()
            .as_str(),
        Some("second")
    );
}

#[test]
fn fragments_merge_at_their_target_path() {
    let mut root = Node::new("");
    let mut frag = Node::new("fragment@0");
    frag.set_str("target-path", "/cpus/cpu@1");
    let mut body = Node::new("xxoverlayxx");
    body.set_str("status", "disabled");
    frag.add(body);
    root.add(frag);
    root.add(Node::new("xxsymbolsxx"));
    let dtb = merged(&[&dtbo(&root)]).unwrap();
    let fdt = Fdt::new(&dtb).unwrap();
    let cpu = fdt.find_node("/cpus/cpu@1").unwrap();
    assert_eq!(cpu.property("status").unwrap().as_str(), Some("disabled"));
    assert!(fdt.find_node("/fragment@0").is_none());
    assert!(fdt.find_node("/__symbols__").is_none());
}

#[test]
fn a_dtc_built_overlay_merges() {
    let dts = common::data_dir().join("overlay.dts");
    let out = std::env::temp_dir().join(format!("qvm-overlay-{}.dtbo", std::process::id()));
    let status = match Command::new("dtc")
        .args(["-@", "-I", "dts", "-O", "dtb", "-q", "-o"])
        .arg(&out)
        .arg(&dts)
        .status()
    {
        Ok(s) => s,
        Err(e) => {
            eprintln!("skipped: dtc is not installed ({e}); apt install device-tree-compiler");
            return;
        }
    };
    assert!(status.success());
    let dtbo = std::fs::read(&out).unwrap();
    std::fs::remove_file(&out).ok();
    let dtb = merged(&[&dtbo]).unwrap();
    let fdt = Fdt::new(&dtb).unwrap();
    let sensor = fdt.find_node("/sensor@1d000000").unwrap();
    assert_eq!(
        sensor.property("compatible").unwrap().as_str(),
        Some("acme,sensor")
    );
    let ph = u32s(sensor.property("phandle").unwrap().value)[0];
    let user = fdt.find_node("/sensor-user").unwrap();
    assert_eq!(u32s(user.property("sensor").unwrap().value), [ph]);
    assert_eq!(
        fdt.find_node("/chosen")
            .unwrap()
            .property("acme,mode")
            .unwrap()
            .as_str(),
        Some("fast")
    );
    assert_eq!(fdt.chosen().bootargs(), Some("console=ttyAMA0"));
}

fn overlay_err(dtb: &[u8]) -> String {
    let origin = qvm::config::Origin::new("vm.qvmconf", 7);
    let o = Overlay {
        name: "extra.dtb",
        origin: Some(&origin),
        dtb,
    };
    build_with_overlays(&layout(), &chosen(), &[o])
        .unwrap_err()
        .to_string()
}

#[test]
fn bad_overlays_are_refused_with_their_line() {
    let pre = "vm.qvmconf:7: fdt load extra.dtb: ";
    assert_eq!(
        overlay_err(b"hello"),
        format!("{pre}not a device tree blob (bad magic)")
    );
    assert_eq!(
        overlay_err(&[]),
        format!("{pre}too short for a device tree header")
    );
    let good = plain_overlay();
    assert_eq!(
        overlay_err(&good[..good.len() - 8]),
        format!("{pre}shorter than its header's totalsize")
    );

    let mut root = Node::new("");
    let mut frag = Node::new("fragment@0");
    frag.set("target", cells(&[7]));
    frag.add(Node::new("xxoverlayxx"));
    root.add(frag);
    assert_eq!(
        overlay_err(&dtbo(&root)),
        format!("{pre}fragment@0: 'target' needs labels of the generated tree; use 'target-path'")
    );

    let mut root = Node::new("");
    let mut frag = Node::new("fragment@0");
    frag.set_str("target-path", "/nowhere");
    frag.add(Node::new("xxoverlayxx"));
    root.add(frag);
    assert_eq!(
        overlay_err(&dtbo(&root)),
        format!("{pre}fragment@0: target-path '/nowhere' is not in the generated tree")
    );

    let mut root = Node::new("");
    let mut fixups = Node::new("xxfixupsxx");
    fixups.set_str("gic", "/foo:interrupt-parent:0");
    root.add(fixups);
    assert!(overlay_err(&dtbo(&root)).contains("__fixups__"));

    let mut root = Node::new("");
    let mut gic = Node::new("interrupt-controller@2f000000");
    gic.set_u32("phandle", 9);
    root.add(gic);
    assert_eq!(
        overlay_err(&dtbo(&root)),
        format!(
            "{pre}node /interrupt-controller@2f000000: an overlay may not change the phandle of a generated node"
        )
    );
}

#[test]
fn two_overlays_with_one_phandle_are_refused() {
    let one = |name: &str| {
        let mut root = Node::new("");
        let mut n = Node::new(name);
        n.set_u32("phandle", 5);
        root.add(n);
        root.to_dtb().unwrap()
    };
    let e = merged(&[&one("a"), &one("b")]).unwrap_err();
    assert_eq!(e, FdtError::DuplicatePhandle(5));
    assert_eq!(e.to_string(), "device tree: two nodes have the phandle 0x5");
}

#[test]
fn the_reader_never_panics_on_damaged_blobs() {
    let dtb = build(&layout(), &chosen()).unwrap();
    let tree = parse(&dtb).unwrap();
    assert_eq!(
        tree.to_dtb().unwrap(),
        dtb,
        "read and written back unchanged"
    );
    for n in 0..dtb.len() {
        let _ = parse(&dtb[..n]);
    }
    // Flip each byte of the header and a stride of the rest.
    for i in (0..40).chain((40..dtb.len()).step_by(7)) {
        for x in [0x01, 0x80, 0xff] {
            let mut bad = dtb.clone();
            bad[i] ^= x;
            let _ = parse(&bad);
        }
    }
}
