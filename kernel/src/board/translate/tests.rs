//! Host tests of bus address translation over a tree shaped like the
//! Raspberry Pi 4's: a PL011 and a GIC-400 under `/soc`, whose `ranges`
//! maps the VideoCore bus to the CPU's addresses.

use super::*;
use crate::board::IrqControllerInfo;
use crate::board::testtree::{Node, cells, memory, one_cpu, root, stripped, text};

/// `/soc` with two windows (as bcm2711.dtsi: 0x7e000000 -> 0xfe000000,
/// 0x40000000 -> 0xff800000), holding a UART and a GIC; `/plain` with an
/// empty `ranges` holding a timer.
fn pi_like() -> std::vec::Vec<u8> {
    let tree = root(vec![
        memory(0x3b40_0000),
        one_cpu(),
        Node(
            "soc",
            vec![
                ("#address-cells", cells(&[1])),
                ("#size-cells", cells(&[1])),
                (
                    "ranges",
                    cells(&[
                        0x7e00_0000,
                        0,
                        0xfe00_0000,
                        0x0180_0000, //
                        0x4000_0000,
                        0,
                        0xff80_0000,
                        0x0080_0000,
                    ]),
                ),
            ],
            vec![
                Node(
                    "serial@7e201000",
                    vec![
                        ("compatible", text("arm,pl011")),
                        ("reg", cells(&[0x7e20_1000, 0x200])),
                    ],
                    vec![],
                ),
                Node(
                    "interrupt-controller@40041000",
                    vec![
                        ("compatible", text("arm,gic-400")),
                        ("reg", cells(&[0x4004_1000, 0x1000, 0x4004_2000, 0x2000])),
                    ],
                    vec![],
                ),
            ],
        ),
        Node(
            "plain",
            vec![
                ("#address-cells", cells(&[2])),
                ("#size-cells", cells(&[1])),
                ("ranges", vec![]),
            ],
            vec![Node(
                "timer@1000",
                vec![
                    ("compatible", text("test,timer")),
                    ("reg", cells(&[0, 0x1000, 0x100])),
                ],
                vec![],
            )],
        ),
    ]);
    stripped(&tree)
}

#[test]
fn soc_devices_get_their_cpu_addresses() {
    let dtb = pi_like();
    let fdt = fdt::Fdt::new(&dtb).unwrap();
    let (uart, path) = find_compatible(&fdt, &["arm,pl011"]).unwrap();
    let reg = uart.reg().unwrap().next().unwrap();
    assert_eq!(reg.starting_address as u64, 0x7e20_1000);
    assert_eq!(path.to_cpu(0x7e20_1000), Some(0xfe20_1000));
    let (gic, path) = find_compatible(&fdt, &["arm,gic-400"]).unwrap();
    let regs: std::vec::Vec<u64> = gic
        .reg()
        .unwrap()
        .map(|r| path.to_cpu(r.starting_address as u64).unwrap())
        .collect();
    assert_eq!(regs, [0xff84_1000, 0xff84_2000]);
    // Outside every window: no CPU address.
    assert_eq!(path.to_cpu(0x1000), None);
}

#[test]
fn an_empty_ranges_and_the_root_bus_are_the_identity() {
    let dtb = pi_like();
    let fdt = fdt::Fdt::new(&dtb).unwrap();
    let (_, path) = find_compatible(&fdt, &["test,timer"]).unwrap();
    assert_eq!(path.to_cpu(0x1000), Some(0x1000));
    let (soc, path) = find(&fdt, &|n: &FdtNode| n.name == "soc").unwrap();
    assert_eq!(soc.name, "soc");
    assert_eq!(path, BusPath::default());
    assert!(find_compatible(&fdt, &["no,such"]).is_none());
}

#[test]
fn a_malformed_ranges_hides_its_subtree_only() {
    // `ranges` of 5 cells where entries take 4: the subtree is skipped.
    let root = Node(
        "",
        vec![
            ("#address-cells", cells(&[1])),
            ("#size-cells", cells(&[1])),
        ],
        vec![
            Node(
                "bad",
                vec![
                    ("#address-cells", cells(&[1])),
                    ("#size-cells", cells(&[1])),
                    ("ranges", cells(&[0, 0, 0x1000, 7, 9])),
                ],
                vec![Node("a", vec![("compatible", text("x,y"))], vec![])],
            ),
            Node("b", vec![("compatible", text("x,y"))], vec![]),
        ],
    );
    let dtb = stripped(&root);
    let fdt = fdt::Fdt::new(&dtb).unwrap();
    let (found, path) = find_compatible(&fdt, &["x,y"]).unwrap();
    assert_eq!((found.name, path), ("b", BusPath::default()));
}

#[test]
fn the_board_gets_the_uart_and_gic_at_cpu_addresses() {
    let board = crate::board::parse(&pi_like()).unwrap();
    assert_eq!(board.uart.map(|u| u.base), Some(0xfe20_1000));
    assert_eq!(
        board.gic,
        IrqControllerInfo::V2 {
            gicd: 0xff84_1000,
            gicc: 0xff84_2000,
            gich: None,
            gicv: None
        }
    );
}
