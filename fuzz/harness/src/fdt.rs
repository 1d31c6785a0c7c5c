//! The `fdt_overlay` target: a user's `fdt load` file, read by qvm's
//! checked DTB reader and merged into a generated guest tree; the merged
//! tree must read back with qvm's reader and with the test guests' reader
//! (`gsupport::dt`, which reads the tree a VM is handed).

use std::sync::OnceLock;
use std::vec::Vec;

use gsupport::dt::Region as GuestRegion;
use qvm::config::parse_str;
use qvm::fdt::{Chosen, Overlay, build_with_overlays, parse};
use qvm::layout::{VmLayout, place};

/// The VM the overlays are merged into: GICv3, two vCPUs, every vdev kind
/// that has a node.
const BASE: &str = "system fuzz\nram 64M\ncpu\ncpu\nvdev gic version 3\n\
    vdev pl011\nvdev virtio-blk\nvdev virtio-net\nvdev virtio-console\n\
    vdev virtio-entropy\ncmdline \"console=ttyAMA0\"\n";

fn base() -> &'static VmLayout {
    static LAYOUT: OnceLock<VmLayout> = OnceLock::new();
    LAYOUT.get_or_init(|| {
        let config = parse_str("base.qvmconf", BASE).expect("the base config parses");
        place(&config).expect("the base config places")
    })
}

/// Reads `data` as a DTB; merges it into the base VM's tree.
pub fn fdt_overlay(data: &[u8]) {
    if let Ok(tree) = parse(data) {
        // What the reader returns, written and read again, is the same.
        if let Ok(dtb) = tree.to_dtb() {
            assert_eq!(
                parse(&dtb).as_ref(),
                Ok(&tree),
                "a tree written and read back differs"
            );
        }
    }
    let layout = base();
    let chosen = Chosen {
        bootargs: Some("console=ttyAMA0".into()),
        initrd: None,
        passed: Vec::new(),
        // With and without the timer's frequency, by the input's first byte.
        counter_hz: data
            .first()
            .map(|&b| u32::from(b) * 1_000_000)
            .filter(|&hz| hz != 0),
    };
    let overlay = Overlay {
        name: "fuzz.dtb",
        origin: None,
        dtb: data,
    };
    if let Ok(dtb) = build_with_overlays(layout, &chosen, &[overlay]) {
        // A merged tree must not upset a guest's reader either (qvm
        // refuses cell counts the `fdt` crate under it would trip on).
        check_generated(&dtb, layout, true);
    }
}

/// A tree qvm built for `layout`: its own reader reads it, and (with
/// `guest`) a guest's reader does not panic on it.
pub fn check_generated(dtb: &[u8], layout: &VmLayout, guest: bool) {
    let tree = match parse(dtb) {
        Ok(t) => t,
        Err(e) => panic!("qvm cannot read the tree it built: {e}"),
    };
    assert_eq!(tree.name, "", "the root node has a name");
    if !guest {
        return;
    }
    let ram: Vec<_> = layout.ram().collect();
    let at = ram.first().map_or(0, |m| m.region.base as usize);
    let image = GuestRegion {
        start: at,
        end: at + 0x1000,
    };
    if let Ok(p) = gsupport::dt::parse(dtb, at, image, 0) {
        assert!(p.ram().len() <= gsupport::dt::MAX_RAM);
        assert!(p.cpus().len() <= gsupport::MAX_CPUS);
    }
}
