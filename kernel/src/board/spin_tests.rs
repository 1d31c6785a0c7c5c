//! Host tests of the CPUs' start methods read from a device tree: a
//! spin-table CPU's release address (as on the Raspberry Pi 4), a PSCI
//! one's none. The tree is built here, with a few NOP tokens where QEMU's
//! edits leave them (stripped first, as the kernel does at boot).

use super::testtree::{Node, blob, cells, cpus, memory, text};
use super::*;

fn cpu(n: u32, method: &'static str, release: Option<u32>) -> Node {
    let mut props = vec![
        ("device_type", text("cpu")),
        ("reg", cells(&[n])),
        ("enable-method", text(method)),
    ];
    if let Some(addr) = release {
        props.push(("cpu-release-addr", cells(&[0, addr])));
    }
    Node(if n == 0 { "cpu@0" } else { "cpu@1" }, props, vec![])
}

#[test]
fn spin_table_cpus_get_their_release_address() {
    let root = Node(
        "",
        vec![
            ("#address-cells", cells(&[2])),
            ("#size-cells", cells(&[1])),
        ],
        vec![
            memory(0x3b40_0000),
            cpus(vec![
                cpu(0, "spin-table", Some(0xd8)),
                cpu(1, "psci", Some(0xe0)),
            ]),
        ],
    );
    let mut dtb = blob(&root);
    assert_eq!(nops::strip(&mut dtb), Ok(5));
    let board = parse(&dtb).unwrap();
    assert_eq!(board.cpus.as_slice(), &[0, 1]);
    // A release address counts only with the spin-table method.
    assert_eq!(board.cpu_release.as_slice(), &[Some(0xd8), None]);
    assert_eq!(
        board.ram.as_slice(),
        &[Range {
            start: 0,
            end: 0x3b40_0000
        }]
    );
}
