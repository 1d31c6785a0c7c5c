//! Placement of x86 guests (feature `guest-x86_64`): the PC layout, the
//! legacy devices at their ports, I/O APIC pins, and what is refused.
#![cfg(feature = "guest-x86_64")]

mod common;

use common::{place_err, place_text};
use qvm::config::VdevKind;
use qvm::layout::{AddressSpace, Region};

const PC: &str = "ram 64M\nvdev ioapic loc 0xfec00000 intr apic name ioapic\n";

fn devices(text: &str) -> Vec<(VdevKind, AddressSpace, u64, u64, Option<u32>)> {
    let l = place_text(text).unwrap_or_else(|e| panic!("{e}"));
    l.vdevs
        .iter()
        .map(|v| (v.config.kind, v.space, v.slot.base, v.slot.size, v.intid))
        .collect()
}

#[test]
fn the_pc_devices_go_to_their_ports_and_isa_pins() {
    let text = format!(
        "{PC}vdev ser8250\nvdev timer8254\nvdev mc146818\nvdev pckeyboard\nvdev 8259\nvdev virtio-entropy\n"
    );
    use AddressSpace::{Io, Memory};
    assert_eq!(
        devices(&text),
        [
            (VdevKind::Ser8250, Io, 0x3f8, 8, Some(4)),
            (VdevKind::Timer8254, Io, 0x40, 4, Some(2)),
            (VdevKind::Mc146818, Io, 0x70, 2, Some(8)),
            (VdevKind::PcKeyboard, Io, 0x60, 1, Some(1)),
            (VdevKind::I8259, Io, 0x20, 2, None),
            (
                VdevKind::VirtioEntropy,
                Memory,
                0xd000_0000,
                0x1000,
                Some(16)
            ),
        ]
    );
    let l = place_text(&text).unwrap();
    assert_eq!(
        l.memory[0].region,
        Region {
            base: 0,
            size: 64 << 20
        }
    );
    assert_eq!(l.gic.ioapic.base, 0xfec0_0000);
    assert_eq!(l.gic.lapic.base, 0xfee0_0000);
    assert_eq!(l.gic.pins, 24);
}

#[test]
fn loc_and_intr_are_ports_and_pins() {
    let text = format!(
        "{PC}vdev ser8250 loc io:0x2f8 intr ioapic:3\nvdev ser8250 loc io:0x3f8 intr ioapic:4\n"
    );
    let d = devices(&text);
    assert_eq!(d[0].1, AddressSpace::Io);
    assert_eq!((d[0].2, d[0].4), (0x2f8, Some(3)));
    assert_eq!((d[1].2, d[1].4), (0x3f8, Some(4)));
}

#[test]
fn a_second_uart_without_loc_takes_the_next_free_ports() {
    let d = devices(&format!("{PC}vdev ser8250\nvdev ser8250\n"));
    assert_eq!((d[0].2, d[1].2), (0x3f8, 0x400));
    assert_eq!((d[0].4, d[1].4), (Some(4), Some(5)));
}

#[test]
fn refusals_name_the_line_and_the_reason() {
    for (extra, want) in [
        (
            "vdev ser8250 loc io:0x3f8\nvdev ser8250 loc io:0x3fc\n",
            "overlaps vdev ser8250 at ports 0x3f8-0x3ff",
        ),
        (
            "vdev ser8250 loc 0x10000000\n",
            "a PC device is at I/O ports",
        ),
        ("vdev virtio-blk loc io:0x100\n", "not io:"),
        (
            "vdev ser8250 intr ioapic:24\n",
            "I/O APIC pin 24 does not exist",
        ),
        (
            "vdev ser8250 intr gic:4\n",
            "this VM's I/O APIC is 'ioapic'",
        ),
        ("vdev pl011\n", "an ARM device, and this VM is x86"),
        ("vdev gic\n", "an ARM device"),
        ("vdev 8259 loc io:0x30\n", "the 8259 pair is at io:0x20"),
        (
            "vdev pckeyboard loc io:0x60\nvdev ser8250 loc io:0x64\n",
            "overlaps",
        ),
        ("vdev ser8250 loc io:0xfffc\n", "outside the port space"),
    ] {
        let err = place_err(&format!("{PC}{extra}"));
        assert!(err.contains(want), "{extra:?}: {err}");
        assert!(
            err.contains(".qvmconf:"),
            "{extra:?}: no file and line in {err}"
        );
    }
    let err = place_err("ram 64M\nvdev ser8250\n");
    assert!(err.contains("no 'vdev ioapic'"), "{err}");
}

#[test]
fn the_ib700_watchdog_takes_ports_0x441_to_0x444_and_no_pin() {
    assert_eq!(
        devices(&format!("{PC}vdev wdt-ib700 action terminate\n")),
        [(VdevKind::WdtIb700, AddressSpace::Io, 0x441, 4, None)]
    );
    let err = place_err(&format!(
        "{PC}vdev wdt-ib700 loc io:0x441\nvdev ser8250 loc io:0x440\n"
    ));
    assert!(err.contains("overlaps"), "{err}");
    let err = place_err(&format!("{PC}vdev wdt-sp805\n"));
    assert!(err.contains("an ARM device, and this VM is x86"), "{err}");
    // Honoured; an `intr` is warned about, `dump` refused.
    let check = |extra: &str| qvm::honour::check(&common::parse(&format!("{PC}{extra}")));
    assert_eq!(check("vdev wdt-ib700\n"), Ok(Vec::new()));
    let w = check("vdev wdt-ib700 intr ioapic:5\n").unwrap();
    assert_eq!(
        w.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
        [
            "t.qvmconf:3: vdev wdt-ib700: 'intr' is not used: the IB700 has no interrupt (its bite resets the machine)"
        ]
    );
    assert_eq!(
        check("vdev wdt-ib700 action dump,terminate\ndump /dev/vblk0\n"),
        Ok(Vec::new())
    );
}

#[test]
fn every_x86_configuration_the_repository_boots_runs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../boot/vm");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with("-x86.qvmconf") {
            continue;
        }
        let mut read = |name: &str| std::fs::read_to_string(name).map_err(|e| e.to_string());
        let arg = format!("@{}", path.display());
        let config = qvm::config::parse_args(&[&arg], &mut read)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        qvm::layout::place(&config).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Err(e) = qvm::honour::check(&config) {
            panic!("qvm would refuse {}: {e}", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} x86 configurations found");
}
