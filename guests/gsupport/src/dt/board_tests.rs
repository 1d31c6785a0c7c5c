//! The parser on trees shaped like the dev boards' (`testdata/*.dts`,
//! built with `dtc`): addresses through `ranges` (the Raspberry Pi 4), the
//! console's UART by `stdout-path` and its fallback, the ZynqMP's aliased
//! GIC CPU interface, spin-table CPUs, and the NOP tokens QEMU's edits
//! leave.

use super::tests::{IMAGE, load};
use super::*;
use std::vec::Vec;

fn parse_file(name: &str) -> Platform {
    parse(&load(name), 0x100_0000, IMAGE, 0).unwrap()
}

fn region(start: usize, len: usize) -> Region {
    Region {
        start,
        end: start + len,
    }
}

#[test]
fn a_pi4_shaped_tree_through_ranges() {
    let p = parse_file("rpi4-shaped.dtb");
    assert_eq!(p.model(), "Raspberry Pi 4 Model B");
    assert_eq!(p.ram(), &[region(0, 0x3c00_0000)]);
    // stdout-path is the alias serial1: the mini UART, 0x7e215040 on the
    // VideoCore bus.
    assert_eq!(
        p.console,
        Some(Uart {
            kind: UartKind::MiniUart,
            base: 0xfe21_5040,
            intid: Some(125)
        })
    );
    // The PL011 for the guests that use one as a device.
    assert_eq!((p.uart, p.uart_intid), (Some(0xfe20_1000), Some(153)));
    assert_eq!(
        p.gic,
        GicInfo::V2 {
            gicd: 0xff84_1000,
            gicc: 0xff84_2000
        }
    );
    assert_eq!(p.cpus(), &[0, 1, 2, 3]);
    let release: Vec<_> = (0..5).map(|cpu| p.spin_table(cpu)).collect();
    assert_eq!(
        release,
        [Some(0xd8), Some(0xe0), Some(0xe8), Some(0xf0), None]
    );
    assert_eq!(p.psci, Conduit::None);
    assert_eq!(p.timer, TimerIrqs::default());
    let devices = p.devices();
    // Through /emmc2bus's two-cell addresses.
    assert!(devices.contains(&region(0xfe34_0000, 0x100)));
    assert!(devices.contains(&region(0xfe20_1000, 0x200)));
    // The EEPROM's address is on the I2C bus, the mailbox's outside every
    // window of /soc: neither has a CPU address.
    assert!(!devices.iter().any(|d| d.start == 0x50));
    assert!(!devices.iter().any(|d| d.start & 0xff_ffff == 0x88_0000));
}

#[test]
fn device_nodes_at_cpu_addresses() {
    let dtb = load("rpi4-shaped.dtb");
    let mut nodes = [DeviceNode::default(); 2];
    assert_eq!(
        compatible_devices(&dtb, "brcm,bcm2711-emmc2", &mut nodes),
        Ok(1)
    );
    assert_eq!(nodes[0].reg, region(0xfe34_0000, 0x100));
    assert_eq!(nodes[0].intid, Some(158));
    // Not translatable: left out.
    assert_eq!(
        compatible_devices(&dtb, "example,outside", &mut nodes),
        Ok(0)
    );
    assert_eq!(compatible_devices(&dtb, "atmel,24c32", &mut nodes), Ok(0));
}

#[test]
fn nodes_by_path() {
    let dtb = load("rpi4-shaped.dtb");
    let fdt = Fdt::new(&dtb).unwrap();
    let (node, [reg]) = bus::find_path::<1>(&fdt, "/soc/serial@7e201000").unwrap();
    assert_eq!(node.name, "serial@7e201000");
    assert_eq!(reg, Some(region(0xfe20_1000, 0x200)));
    // A name without its unit address matches; a bus without `ranges`
    // gives its children no CPU address.
    let (node, [reg]) = bus::find_path::<1>(&fdt, "/soc/i2c/eeprom").unwrap();
    assert_eq!((node.name, reg), ("eeprom@50", None));
    let (_, [reg]) = bus::find_path::<1>(&fdt, "/emmc2bus/mmc@7e340000").unwrap();
    assert_eq!(reg, Some(region(0xfe34_0000, 0x100)));
    assert!(bus::find_path::<1>(&fdt, "/soc/serial@7e201001").is_none());
    assert!(bus::find_path::<1>(&fdt, "soc/serial@7e201000").is_none());
    // The GIC's four frames, in order.
    let (_, regs) = bus::find_path::<4>(&fdt, "/soc/interrupt-controller").unwrap();
    let starts: Vec<_> = regs.iter().map(|r| r.map(|r| r.start)).collect();
    assert_eq!(
        starts,
        [
            Some(0xff84_1000),
            Some(0xff84_2000),
            Some(0xff84_4000),
            Some(0xff84_6000)
        ]
    );
}

#[test]
fn a_zcu102_shaped_tree() {
    let p = parse_file("zcu102-shaped.dtb");
    assert_eq!(p.model(), "ZynqMP ZCU102 Rev1.0");
    assert_eq!(
        p.ram(),
        &[region(0, 0x7ff0_0000), region(0x8_0000_0000, 0x8000_0000)]
    );
    assert_eq!(
        p.console,
        Some(Uart {
            kind: UartKind::Cadence,
            base: 0xff00_0000,
            intid: Some(53)
        })
    );
    // No PL011 on this board.
    assert_eq!((p.uart, p.uart_intid), (None, None));
    // The CPU interface frame is 128 KiB: its 8 KiB interface from 0xf000.
    assert_eq!(
        p.gic,
        GicInfo::V2 {
            gicd: 0xf901_0000,
            gicc: 0xf902_f000
        }
    );
    assert_eq!(p.psci, Conduit::Smc);
    assert_eq!(p.cpus(), &[0, 1]);
    assert_eq!(p.spin_table(1), None);
}

#[test]
fn the_console_falls_back_to_the_first_uart_it_drives() {
    let p = parse_file("uart-fallback.dtb");
    // stdout-path's NS16550 is not driven, the Cadence UART is disabled.
    assert_eq!(
        p.console,
        Some(Uart {
            kind: UartKind::Pl011,
            base: 0x3000,
            intid: Some(35)
        })
    );
    assert_eq!(p.uart, Some(0x3000));
    assert_eq!(UartKind::MiniUart.name(), "mini UART");
}

fn be32(bytes: &[u8], at: usize) -> usize {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize
}

/// `dtb` with a NOP token after every token of its structure block but
/// `FDT_END` (libfdt leaves NOPs where a node or property was deleted),
/// the header's sizes and offsets grown to match; and how many NOPs.
fn with_nops(dtb: &[u8]) -> (Vec<u8>, usize) {
    let (off_struct, off_strings) = (be32(dtb, 8), be32(dtb, 12));
    let (size_strings, size_struct) = (be32(dtb, 32), be32(dtb, 36));
    assert!(off_struct < off_strings, "dtc's layout");
    let block = &dtb[off_struct..off_struct + size_struct];
    let (mut out, mut at, mut nops) = (Vec::new(), 0, 0);
    loop {
        let kind = be32(block, at);
        let len = match kind {
            1 => {
                let nul = block[at + 4..].iter().position(|&b| b == 0).unwrap();
                4 + (nul + 1).next_multiple_of(4)
            }
            3 => 12 + be32(block, at + 4).next_multiple_of(4),
            _ => 4,
        };
        out.extend_from_slice(&block[at..at + len]);
        at += len;
        if kind == 9 {
            break;
        }
        out.extend_from_slice(&4u32.to_be_bytes());
        nops += 1;
    }
    let mut blob = dtb[..off_struct].to_vec();
    blob.extend_from_slice(&out);
    let strings_at = blob.len();
    blob.extend_from_slice(&dtb[off_strings..off_strings + size_strings]);
    let total = blob.len();
    for (at, value) in [(4, total), (12, strings_at), (36, out.len())] {
        blob[at..at + 4].copy_from_slice(&(value as u32).to_be_bytes());
    }
    (blob, nops)
}

#[test]
fn nop_tokens_are_stripped() {
    for name in [
        "rpi4-shaped.dtb",
        "zcu102-shaped.dtb",
        "virt-gicv3-smp4.dtb",
    ] {
        let dtb = load(name);
        let (mut noisy, nops) = with_nops(&dtb);
        assert!(nops > 20, "{name}");
        let before = parse(&dtb, 0, IMAGE, 0).unwrap();
        // The `fdt` crate alone cannot read the tree with its NOPs.
        let copy = noisy.clone();
        let unstripped =
            std::panic::catch_unwind(move || parse(&copy, 0, IMAGE, 0).map(|p| (p.gic, p.console)));
        assert!(
            unstripped.is_err() || unstripped.unwrap() != Ok((before.gic, before.console)),
            "{name}"
        );

        assert_eq!(nops::strip(&mut noisy), Ok(nops), "{name}");
        let (off, size) = (be32(&dtb, 8), be32(&dtb, 36));
        assert_eq!(be32(&noisy, 36), size, "{name}");
        assert_eq!(noisy[off..off + size], dtb[off..off + size], "{name}");
        let after = parse(&noisy, 0, IMAGE, 0).unwrap();
        assert_eq!(after.ram(), before.ram(), "{name}");
        assert_eq!(after.devices(), before.devices(), "{name}");
        assert_eq!(
            (after.console, after.gic, after.cpus(), after.psci),
            (before.console, before.gic, before.cpus(), before.psci),
            "{name}"
        );
        // Nothing left to strip.
        assert_eq!(nops::strip(&mut noisy), Ok(0), "{name}");
    }
}

#[test]
fn a_malformed_tree_is_left_alone() {
    let (noisy, _) = with_nops(&load("rpi4-shaped.dtb"));
    let off = be32(&noisy, 8);
    // An unknown token where a NOP was...
    let mut bad = noisy.clone();
    let nop = off + 8;
    assert_eq!(
        be32(&noisy, nop),
        4,
        "a NOP after the root's FDT_BEGIN_NODE"
    );
    bad[nop..nop + 4].copy_from_slice(&7u32.to_be_bytes());
    let copy = bad.clone();
    assert_eq!(nops::strip(&mut bad), Err(nops::NotATree));
    assert_eq!(bad, copy);
    // ...a structure block running past the blob, or no tree at all.
    let mut cut = noisy[..noisy.len() - 200].to_vec();
    assert_eq!(nops::strip(&mut cut), Err(nops::NotATree));
    assert_eq!(nops::strip(&mut [0u8; 64]), Err(nops::NotATree));
}
