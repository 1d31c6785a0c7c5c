//! What the builder refuses, each with its error.

use super::*;

fn built(m: &AcpiMachine) -> Result<AcpiImage, AcpiError> {
    build(m, BASE, WINDOW)
}

#[test]
fn cpu_counts_outside_1_to_255() {
    assert_eq!(built(&AcpiMachine::pc(0)), Err(AcpiError::NoCpus));
    assert_eq!(
        built(&AcpiMachine::pc(256)),
        Err(AcpiError::TooManyCpus(256))
    );
    assert!(built(&AcpiMachine::pc(255)).is_ok());
}

#[test]
fn too_many_cpus_for_the_window() {
    let (_, small) = pc(1);
    let window = small.bytes.len() as u64;
    assert!(
        build(&AcpiMachine::pc(1), BASE, window).is_ok(),
        "exactly fits"
    );
    let err = build(&AcpiMachine::pc(1), BASE, window - 1).unwrap_err();
    assert_eq!(
        err,
        AcpiError::TooBig {
            need: window,
            window: window - 1
        }
    );
    // Each vCPU adds an 8-byte MADT entry.
    let err = build(&AcpiMachine::pc(100), BASE, window).unwrap_err();
    let need = window + 99 * 8;
    assert_eq!(err, AcpiError::TooBig { need, window });
    assert!(build(&AcpiMachine::pc(100), BASE, 1024).is_err());
}

#[test]
fn rsdp_outside_the_bios_area_or_misaligned() {
    let m = AcpiMachine::pc(1);
    for base in [0, 0x9_FC00, 0xD_FFF0, 0x10_0000, 0xFFFF_FFF0, u64::MAX - 15] {
        assert_eq!(
            build(&m, base, WINDOW),
            Err(AcpiError::RsdpOutsideBiosArea(base))
        );
    }
    // The last 16-byte slot leaves 16 bytes: too few for the 36-byte RSDP.
    assert_eq!(
        build(&m, 0xF_FFF0, WINDOW),
        Err(AcpiError::RsdpOutsideBiosArea(0xF_FFF0))
    );
    assert!(build(&m, 0xF_FFD0, WINDOW).is_ok());
    for base in [0xE_0008, 0xE_0001, u64::MAX] {
        assert_eq!(build(&m, base, WINDOW), Err(AcpiError::Misaligned(base)));
    }
}

#[test]
fn overrides_that_are_not_isa_or_not_on_the_ioapic() {
    let mut m = AcpiMachine::pc(1);
    m.overrides[0].irq = 16;
    assert_eq!(built(&m), Err(AcpiError::OverrideIrq(16)));
    let mut m = AcpiMachine::pc(1);
    m.overrides[1].irq = 0;
    assert_eq!(built(&m), Err(AcpiError::DuplicateOverride(0)));
    let mut m = AcpiMachine::pc(1);
    m.overrides[0].gsi = 24;
    assert_eq!(built(&m), Err(AcpiError::OverrideGsi { irq: 0, gsi: 24 }));
    m.ioapic.pins = 25;
    assert!(built(&m).is_ok());
    m.ioapic.gsi_base = 1;
    m.overrides[0].gsi = 0;
    assert_eq!(built(&m), Err(AcpiError::OverrideGsi { irq: 0, gsi: 0 }));
}

#[test]
fn ioapics_without_pins_or_past_the_last_gsi() {
    let mut m = AcpiMachine::pc(1);
    m.ioapic.pins = 0;
    assert_eq!(built(&m), Err(AcpiError::IoApicPins(0)));
    m.ioapic.pins = 2;
    m.ioapic.gsi_base = u32::MAX;
    assert_eq!(built(&m), Err(AcpiError::IoApicPins(2)));
}

#[test]
fn an_sci_that_reaches_no_pin() {
    let mut m = AcpiMachine::pc(1);
    m.sci_irq = 16;
    assert_eq!(built(&m), Err(AcpiError::SciIrq(16)));
    // IRQ 9's override sends it to GSI 9; with 8 pins that is no pin.
    let mut m = AcpiMachine::pc(1);
    m.ioapic.pins = 8;
    m.overrides.retain(|o| o.gsi < 8);
    m.overrides.push(Override {
        irq: 9,
        gsi: 30,
        polarity: Polarity::ActiveHigh,
        trigger: Trigger::Level,
    });
    assert_eq!(built(&m), Err(AcpiError::OverrideGsi { irq: 9, gsi: 30 }));
    m.overrides.pop();
    assert_eq!(
        built(&m),
        Err(AcpiError::SciIrq(9)),
        "identity-mapped to pin 9"
    );
    m.sci_irq = 5;
    assert!(built(&m).is_ok());
}

#[test]
fn a_missing_pm1_block() {
    let mut m = AcpiMachine::pc(1);
    m.pm.pm1a_cnt = 0;
    assert_eq!(built(&m), Err(AcpiError::NoPm1Block));
    let mut m = AcpiMachine::pc(1);
    m.pm.pm1a_evt = 0;
    assert_eq!(built(&m), Err(AcpiError::NoPm1Block));
}

#[test]
fn errors_say_what_is_wrong() {
    let too_big = AcpiError::TooBig {
        need: 0x500,
        window: 0x400,
    };
    assert_eq!(
        too_big.to_string(),
        "the ACPI tables need 0x500 bytes, the window has 0x400"
    );
    assert_eq!(
        AcpiError::RsdpOutsideBiosArea(0x1000).to_string(),
        "an RSDP at 0x1000 is outside 0xe0000-0xfffff"
    );
    assert!(AcpiError::TooManyCpus(300).to_string().contains("300"));
}

#[test]
fn a_shmem_device_needs_a_pin_and_a_region() {
    let good = SharedMemory {
        regs: 0xD000_0000,
        gsi: 23,
        region: 0x40_0000_0000,
        size: 0x1000,
    };
    let mut m = AcpiMachine::pc(1);
    m.shmem.push(good);
    assert!(built(&m).is_ok());
    m.shmem[0].gsi = 24;
    assert_eq!(built(&m), Err(AcpiError::DeviceGsi(24)));
    m.shmem[0] = SharedMemory { size: 0, ..good };
    assert_eq!(built(&m), Err(AcpiError::ShmemRegion(0x40_0000_0000)));
    m.shmem[0] = SharedMemory {
        region: u64::MAX,
        ..good
    };
    assert_eq!(built(&m), Err(AcpiError::ShmemRegion(u64::MAX)));
    m.shmem = alloc::vec![good; 257];
    assert_eq!(built(&m), Err(AcpiError::TooManyShmems(257)));
    assert_eq!(
        AcpiError::DeviceGsi(24).to_string(),
        "a device on GSI 24: no I/O APIC pin"
    );
}
