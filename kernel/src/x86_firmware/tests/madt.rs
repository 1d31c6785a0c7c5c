//! The MADT: QEMU's, every entry type, CPU and NMI limits, the boot CPU
//! first, ISA IRQ routing and broken entries.

use alloc::vec;
use alloc::vec::Vec;

use super::Image;
use super::build_acpi::{Entry, LEVEL_HIGH, install, madt, qemu_entries, x2apics};
use super::build_boot::{PvhSpec, QEMU_MEMMAP, pvh};
use super::pvh::{BASE, SIZE};
use crate::x86_firmware::{
    Cpu, FirmwareError, Handoff, IoApic, IrqOverride, IsaIrq, LapicNmi, MAX_IOAPICS, MAX_OVERRIDES,
    Polarity, Trigger, X86Board, read,
};

/// Where the MADT's entries start.
const MADT_ENTRIES: u64 = 44;
const LAPIC: u32 = 0xfee0_0000;
const PCAT_COMPAT: u32 = 1;
const ENABLED: u32 = 1;
const ONLINE_CAPABLE: u32 = 2;

/// Reads a board whose MADT has `entries`; also returns the address of
/// the first entry.
pub(super) fn board(flags: u32, entries: &[Entry]) -> (Result<X86Board, FirmwareError>, u64) {
    let mut img = Image::new(BASE, SIZE);
    let acpi = install(&mut img, &madt(LAPIC, flags, entries), None, true);
    let spec = PvhSpec {
        version: 1,
        cmdline: None,
        modules: &[],
        memmap: &QEMU_MEMMAP,
        rsdp: acpi.rsdp,
    };
    let si = pvh(&mut img, &spec).start_info;
    (read(Handoff::Pvh(si), &img.mem()), acpi.madt + MADT_ENTRIES)
}

fn cpu(apic_id: u32, uid: u32, enabled: bool, x2apic: bool) -> Cpu {
    Cpu {
        apic_id,
        uid,
        enabled,
        x2apic,
    }
}

fn isa(src: u8, gsi: u32, polarity: Polarity, trigger: Trigger) -> IrqOverride {
    IrqOverride {
        bus: 0,
        source: src,
        gsi,
        polarity,
        trigger,
    }
}

#[test]
fn qemu_madt_every_field() {
    let b = board(PCAT_COMPAT, &qemu_entries(4)).0.unwrap();
    let cpus: Vec<Cpu> = (0..4).map(|i| cpu(i, i, true, false)).collect();
    assert_eq!(b.cpus.as_slice(), cpus.as_slice());
    assert_eq!(
        (b.cpus_dropped, b.lapic_base, b.pc_at_compatible),
        (0, 0xfee0_0000, true)
    );
    assert_eq!(
        b.ioapics.as_slice(),
        &[IoApic {
            id: 0,
            address: 0xfec0_0000,
            gsi_base: 0
        }]
    );
    let (c, h, l) = (Polarity::Conforms, Polarity::High, Trigger::Level);
    let mut want = vec![isa(0, 2, c, Trigger::Conforms)];
    want.extend([5, 9, 10, 11].map(|i| isa(i, i.into(), h, l)));
    assert_eq!(b.overrides.as_slice(), want.as_slice());
    let nmi = LapicNmi {
        uid: None,
        lint: 1,
        polarity: c,
        trigger: Trigger::Conforms,
    };
    assert_eq!(b.nmis.as_slice(), &[nmi]);
    let edge = |gsi| IsaIrq {
        gsi,
        polarity: h,
        trigger: Trigger::Edge,
    };
    assert_eq!(b.isa_irq(0), edge(2));
    assert_eq!(b.isa_irq(4), edge(4));
    assert_eq!(
        b.isa_irq(9),
        IsaIrq {
            trigger: l,
            ..edge(9)
        }
    );
}

#[test]
fn every_entry_type() {
    let entries = [
        Entry::Lapic {
            uid: 0,
            id: 0,
            flags: ENABLED,
        },
        Entry::Lapic {
            uid: 1,
            id: 1,
            flags: 0,
        },
        Entry::Lapic {
            uid: 2,
            id: 2,
            flags: ONLINE_CAPABLE,
        },
        Entry::Lapic {
            uid: 3,
            id: 0,
            flags: ENABLED,
        },
        Entry::X2apic {
            id: 0x100,
            flags: ENABLED,
            uid: 0x1000,
        },
        Entry::X2apic {
            id: 0x101,
            flags: 0,
            uid: 0x1001,
        },
        Entry::NmiSource { flags: 0, gsi: 3 },
        Entry::Nmi {
            uid: 0,
            flags: 0b1111,
            lint: 0,
        },
        Entry::X2Nmi {
            flags: 0b0101,
            uid: u32::MAX,
            lint: 1,
        },
        Entry::X2Nmi {
            flags: 0b1010,
            uid: 0x1000,
            lint: 0,
        },
        Entry::AddrOverride(0x1_fee0_0000),
        Entry::Raw(vec![0x7f, 4, 0xaa, 0xbb]),
        Entry::IoApic {
            id: 1,
            addr: 0xfec0_0000,
            gsi: 0,
        },
        Entry::IoApic {
            id: 2,
            addr: 0xfec0_1000,
            gsi: 24,
        },
        Entry::Override {
            bus: 0,
            src: 9,
            gsi: 20,
            flags: 0b1111,
        },
        // A longer entry than its type needs is read as far as known.
        Entry::Raw(vec![0, 10, 7, 7, 1, 0, 0, 0, 0xee, 0xee]),
    ];
    let b = board(0, &entries).0.unwrap();
    assert_eq!(
        b.cpus.as_slice(),
        &[
            cpu(0, 0, true, false),
            cpu(2, 2, false, false),
            cpu(0x100, 0x1000, true, true),
            cpu(7, 7, true, false),
        ]
    );
    assert_eq!((b.lapic_base, b.pc_at_compatible), (0x1_fee0_0000, false));
    assert_eq!(
        b.nmis.as_slice(),
        &[
            LapicNmi {
                uid: Some(0),
                lint: 0,
                polarity: Polarity::Low,
                trigger: Trigger::Level
            },
            LapicNmi {
                uid: None,
                lint: 1,
                polarity: Polarity::High,
                trigger: Trigger::Edge
            },
            // The reserved encodings read as "conforms".
            LapicNmi {
                uid: Some(0x1000),
                lint: 0,
                polarity: Polarity::Conforms,
                trigger: Trigger::Conforms
            },
        ]
    );
    assert_eq!(b.ioapics[1].gsi_base, 24);
    assert_eq!(
        b.overrides.as_slice(),
        &[isa(9, 20, Polarity::Low, Trigger::Level)]
    );
    assert_eq!(
        b.isa_irq(9),
        IsaIrq {
            gsi: 20,
            polarity: Polarity::Low,
            trigger: Trigger::Level
        }
    );
}

#[test]
fn broken_entries() {
    let one = Entry::Lapic {
        uid: 0,
        id: 0,
        flags: ENABLED,
    };
    // The broken entry follows `one` (8 bytes).
    let at = board(0, core::slice::from_ref(&one)).1 + 8;
    let bad = |len| FirmwareError::BadLength {
        what: "MADT entry",
        addr: at,
        len,
    };
    let cut = FirmwareError::Truncated {
        what: "MADT entry",
        addr: at,
    };
    let cases = [
        // A zero length would never move on.
        (vec![0, 0], bad(0)),
        // Shorter than a local APIC entry, or a local x2APIC one.
        (vec![0, 6, 0, 0, 1, 0], bad(6)),
        (vec![9, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], bad(12)),
        // Past the end of the table.
        (vec![1, 12, 0, 0], cut),
        (vec![0x7f], cut),
    ];
    for (raw, err) in cases {
        let got = board(0, &[one.clone(), Entry::Raw(raw.clone())]).0;
        assert_eq!(got.unwrap_err(), err, "{raw:?}");
    }
}

#[test]
fn missing_cpus_and_too_many_controllers() {
    let nocpu = [Entry::Lapic {
        uid: 0,
        id: 0,
        flags: ONLINE_CAPABLE,
    }];
    assert_eq!(board(0, &nocpu).0.unwrap_err(), FirmwareError::NoCpus);
    assert_eq!(board(0, &[]).0.unwrap_err(), FirmwareError::NoCpus);
    let mut many = x2apics(1);
    many.extend((0..=MAX_IOAPICS as u8).map(|id| Entry::IoApic {
        id,
        addr: 0,
        gsi: 0,
    }));
    let e = board(0, &many).0.unwrap_err();
    assert_eq!(
        e,
        FirmwareError::TooMany {
            what: "I/O APICs",
            max: MAX_IOAPICS
        }
    );
    let mut many = x2apics(1);
    many.extend((0..=MAX_OVERRIDES as u8).map(|src| Entry::Override {
        bus: 0,
        src,
        gsi: 0,
        flags: LEVEL_HIGH,
    }));
    let e = board(0, &many).0.unwrap_err();
    assert_eq!(
        e,
        FirmwareError::TooMany {
            what: "interrupt source overrides",
            max: MAX_OVERRIDES
        }
    );
}
