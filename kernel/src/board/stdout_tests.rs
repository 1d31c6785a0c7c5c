//! Host tests of how the console UART is chosen: `/chosen/stdout-path` as
//! an alias with options (the Raspberry Pi 4's `serial1:115200n8`, its
//! mini UART) or a full path, else the first UART the kernel drives that
//! is not disabled; a bad `stdout-path` falls back the same way.

use super::testtree::{Node, cells, memory, one_cpu, root, stripped, text};
use super::*;

/// A Pi-4-like tree: under `/soc` (bus 0x7e000000 at 0xfe000000) the
/// PL011 (`serial0`, `pl011_status`) and the mini UART (`serial1`,
/// interrupt SPI 93), and `/chosen` with `stdout` as its `stdout-path`
/// when given.
fn tree(stdout: Option<&[u8]>, pl011_status: &'static str) -> std::vec::Vec<u8> {
    let mut top = vec![
        memory(0x3b40_0000),
        one_cpu(),
        Node(
            "aliases",
            vec![
                ("serial0", text("/soc/serial@7e201000")),
                ("serial1", text("/soc/serial@7e215040")),
            ],
            vec![],
        ),
        Node(
            "soc",
            vec![
                ("#address-cells", cells(&[1])),
                ("#size-cells", cells(&[1])),
                ("ranges", cells(&[0x7e00_0000, 0, 0xfe00_0000, 0x0180_0000])),
            ],
            vec![
                Node(
                    "serial@7e201000",
                    vec![
                        ("compatible", text("arm,pl011")),
                        ("reg", cells(&[0x7e20_1000, 0x200])),
                        ("interrupts", cells(&[0, 121, 4])),
                        ("status", text(pl011_status)),
                    ],
                    vec![],
                ),
                Node(
                    "serial@7e215040",
                    vec![
                        ("compatible", text("brcm,bcm2835-aux-uart")),
                        ("reg", cells(&[0x7e21_5040, 0x40])),
                        ("interrupts", cells(&[0, 93, 4])),
                    ],
                    vec![],
                ),
            ],
        ),
    ];
    if let Some(path) = stdout {
        top.push(Node("chosen", vec![("stdout-path", path.to_vec())], vec![]));
    }
    stripped(&root(top))
}

fn console(dtb: &[u8]) -> (usize, Option<u32>, UartKind) {
    let uart = parse(dtb).unwrap().uart.expect("a console UART");
    (uart.base, uart.intid, uart.kind)
}

const MINI: (usize, Option<u32>, UartKind) = (0xfe21_5040, Some(32 + 93), UartKind::MiniUart);
const PL011: (usize, Option<u32>, UartKind) = (0xfe20_1000, Some(32 + 121), UartKind::Pl011);

#[test]
fn an_alias_with_options_names_the_pi_4s_mini_uart() {
    assert_eq!(console(&tree(Some(b"serial1:115200n8\0"), "okay")), MINI);
    assert_eq!(console(&tree(Some(b"serial1\0"), "okay")), MINI);
}

#[test]
fn a_full_path_names_the_uart() {
    let dtb = tree(Some(b"/soc/serial@7e201000:115200n8\0"), "okay");
    assert_eq!(console(&dtb), PL011);
    let dtb = tree(Some(b"/soc/serial@7e215040\0"), "okay");
    assert_eq!(console(&dtb), MINI);
}

#[test]
fn without_stdout_path_the_first_enabled_uart_is_the_console() {
    assert_eq!(console(&tree(None, "okay")), PL011);
    assert_eq!(console(&tree(None, "disabled")), MINI);
}

#[test]
fn a_bad_stdout_path_falls_back_without_a_panic() {
    for bad in [
        &b""[..],
        b"\0",
        b":115200\0",
        b"serial7\0",
        b"/nowhere\0",
        b"\xff\xfe\0",
    ] {
        assert_eq!(console(&tree(Some(bad), "okay")), PL011, "{bad:?}");
    }
}
