//! The tables read back by the `acpi` crate, as a guest OS would: the
//! RSDP found by scanning low memory, the root tables, the FADT and the
//! MADT. The crate maps "physical memory" through an `AcpiHandler`, here
//! a copy of the guest's first MiB with the image in place; its API is
//! `unsafe` (it reads through raw pointers), so this file is where the
//! tests' only `unsafe` lives.

use std::ptr::NonNull;
use std::rc::Rc;

use acpi::address::{AccessSize, AddressSpace};
use acpi::fadt::Fadt;
use acpi::madt::{Madt, MadtEntry};
use acpi::rsdp::Rsdp;
use acpi::{AcpiHandler, AcpiTables, PhysicalMapping};

use super::*;

/// The guest's first MiB and a little more (the crate's RSDP scan reads
/// 16 bytes past 0xFFFFF), as `u64`s so that the buffer is as aligned
/// as guest-physical address 0.
const LOW_MEMORY: usize = (1 << 20) + 4096;

#[derive(Clone)]
struct LowMemory(Rc<Vec<u64>>);

impl LowMemory {
    fn new(image: &AcpiImage) -> LowMemory {
        let mut bytes = vec![0u8; LOW_MEMORY];
        let at = image.base as usize;
        bytes[at..at + image.bytes.len()].copy_from_slice(&image.bytes);
        let words = bytes
            .chunks(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()));
        LowMemory(Rc::new(words.collect()))
    }
}

impl AcpiHandler for LowMemory {
    unsafe fn map_physical_region<T>(&self, addr: usize, size: usize) -> PhysicalMapping<Self, T> {
        assert!(addr + size <= LOW_MEMORY, "mapped {addr:#x}+{size:#x}");
        let ptr = self.0.as_ptr().cast::<u8>().wrapping_add(addr);
        let virt = NonNull::new(ptr.cast::<T>().cast_mut()).unwrap();
        // SAFETY: `virt` is `size` bytes into the buffer, checked above to
        // hold them; the mapping keeps a clone of the `Rc`, so the buffer
        // outlives it, and nothing writes the buffer while it is mapped.
        unsafe { PhysicalMapping::new(addr, virt, size, size, self.clone()) }
    }

    fn unmap_physical_region<T>(_region: &PhysicalMapping<Self, T>) {}
}

/// The tables as the crate finds them by scanning for the RSDP.
fn scanned(image: &AcpiImage) -> AcpiTables<LowMemory> {
    // SAFETY: the handler maps only its own buffer (see above).
    unsafe { AcpiTables::search_for_rsdp_bios(LowMemory::new(image)) }.expect("tables found")
}

#[test]
fn rsdp_is_found_by_scanning_and_is_valid() {
    for base in [BASE, 0xF_0000, 0xF_FF00] {
        let m = AcpiMachine::pc(2);
        let image = build(&m, base, WINDOW).unwrap();
        // SAFETY: as in `scanned`.
        let rsdp = unsafe { Rsdp::search_for_on_bios(LowMemory::new(&image)) }.unwrap();
        assert_eq!(rsdp.physical_start() as u64, image.rsdp());
        assert!(rsdp.validate().is_ok(), "both checksums");
        assert_eq!(rsdp.revision(), 2);
        assert_eq!(rsdp.length(), 36);
        assert_eq!(rsdp.oem_id(), "QHV   ");
        assert_eq!(u64::from(rsdp.rsdt_address()), image.addrs.rsdt);
        assert_eq!(rsdp.xsdt_address(), image.addrs.xsdt);
    }
}

#[test]
fn xsdt_and_rsdt_list_the_fadt_and_madt_with_valid_checksums() {
    let (_, image) = pc(4);
    let tables = scanned(&image);
    assert_eq!(tables.revision(), 2);
    let listed: Vec<_> = tables
        .headers()
        .map(|h| (h.signature.as_str().to_owned(), h.oem_table_id().to_owned()))
        .collect();
    assert_eq!(
        listed,
        [
            ("FACP".into(), "QHV-PC  ".into()),
            ("APIC".into(), "QHV-PC  ".into())
        ]
    );
    // The RSDT, as an ACPI 1.0 OS reads it.
    // SAFETY: as in `scanned`.
    let rsdt =
        unsafe { AcpiTables::from_rsdt(LowMemory::new(&image), 0, image.addrs.rsdt as usize) };
    let rsdt = rsdt.expect("a valid RSDT");
    assert_eq!(rsdt.headers().count(), 2);
    // find_table validates signature and checksum (an invalid table is
    // reported missing).
    assert!(rsdt.find_table::<Fadt>().is_ok());
    assert!(tables.find_table::<Madt>().is_ok());
    let dsdt = tables.dsdt().expect("the DSDT, checksum valid");
    assert_eq!(dsdt.address as u64, image.addrs.dsdt + 36);
}

#[test]
fn fadt_round_trips_the_pm_blocks_reset_register_and_flags() {
    let (m, image) = pc(2);
    let fadt = scanned(&image).find_table::<Fadt>().unwrap();
    let evt = fadt.pm1a_event_block().unwrap();
    assert_eq!(evt.address_space, AddressSpace::SystemIo);
    assert_eq!((evt.address, evt.bit_width), (u64::from(PM_BASE), 32));
    let cnt = fadt.pm1a_control_block().unwrap();
    assert_eq!((cnt.address, cnt.bit_width), (u64::from(PM_BASE) + 4, 16));
    assert_eq!(cnt.access_size, AccessSize::WordAccess);
    assert!(fadt.pm1b_event_block().unwrap().is_none());
    assert!(fadt.pm1b_control_block().unwrap().is_none());
    assert!(fadt.pm2_control_block().unwrap().is_none());
    assert!(fadt.gpe0_block().unwrap().is_none());
    let tmr = fadt.pm_timer_block().unwrap().expect("a PM timer");
    assert_eq!(tmr.address, u64::from(PM_BASE) + 8);
    assert!({ fadt.flags }.pm_timer_is_32_bit());
    let reset = fadt.reset_register().unwrap();
    assert_eq!(reset.address_space, AddressSpace::SystemIo);
    assert_eq!(
        (reset.address, reset.bit_width, reset.bit_offset),
        (0xCF9, 8, 0)
    );
    assert_eq!(fadt.reset_value, RESET_VALUE);
    assert!({ fadt.flags }.supports_system_reset_via_fadt());
    assert_eq!({ fadt.sci_interrupt }, u16::from(m.sci_irq));
    assert_eq!({ fadt.smi_cmd_port }, 0, "no SMM: ACPI always enabled");
    assert!(!{ fadt.flags }.system_is_hw_reduced_acpi());
    assert!(!{ fadt.flags }.power_button_is_control_method());
    assert!({ fadt.flags }.sleep_button_is_control_method());
    assert!({ fadt.flags }.supports_equivalent_to_wbinvd());
    let arch = fadt.iapc_boot_arch;
    assert!(arch.motherboard_implements_8042());
    assert!(arch.legacy_devices_are_accessible());
    assert!(arch.dont_probe_vga());
    assert!(arch.dont_enable_msi());
    assert_eq!(fadt.facs_address().unwrap() as u64, image.addrs.facs);
    assert_eq!(fadt.dsdt_address().unwrap() as u64, image.addrs.dsdt);
    assert_eq!(fadt.century, 0x32);
}

#[test]
fn fadt_without_timer_or_reset_register_says_so() {
    let mut m = AcpiMachine::pc(1);
    m.pm.pm_tmr = None;
    m.reset = None;
    let image = build(&m, BASE, WINDOW).unwrap();
    let fadt = scanned(&image).find_table::<Fadt>().unwrap();
    assert!(fadt.pm_timer_block().unwrap().is_none());
    assert!(!{ fadt.flags }.pm_timer_is_32_bit());
    assert!(!{ fadt.flags }.supports_system_reset_via_fadt());
}

/// What the crate's MADT iterator yields, sorted by kind.
#[derive(Default, Debug, PartialEq)]
struct MadtSeen {
    lapics: Vec<(u8, u8, u32)>,
    ioapics: Vec<(u8, u32, u32)>,
    overrides: Vec<(u8, u8, u32, u16)>,
    nmis: Vec<(u8, u16, u8)>,
    pcat_compat: bool,
    lapic_base: u32,
}

fn madt_seen(image: &AcpiImage) -> MadtSeen {
    let madt = scanned(image).find_table::<Madt>().unwrap();
    let mut seen = MadtSeen {
        pcat_compat: madt.get().supports_8259(),
        lapic_base: madt.get().local_apic_address,
        ..MadtSeen::default()
    };
    for e in madt.get().entries() {
        match e {
            MadtEntry::LocalApic(l) => seen.lapics.push((l.processor_id, l.apic_id, l.flags)),
            MadtEntry::IoApic(i) => seen.ioapics.push((
                i.io_apic_id,
                i.io_apic_address,
                i.global_system_interrupt_base,
            )),
            MadtEntry::InterruptSourceOverride(o) => {
                seen.overrides
                    .push((o.bus, o.irq, o.global_system_interrupt, o.flags))
            }
            MadtEntry::LocalApicNmi(n) => seen.nmis.push((n.processor_id, n.flags, n.nmi_line)),
            other => panic!("unexpected MADT entry {other:?}"),
        }
    }
    seen
}

#[test]
fn madt_lists_exactly_the_cpus_ioapic_and_overrides() {
    for cpus in [1, 2, 7, 64, MAX_CPUS] {
        let (_, image) = pc(cpus);
        let seen = madt_seen(&image);
        let lapics: Vec<_> = (0..cpus as u8).map(|i| (i, i, 1)).collect();
        let expected = MadtSeen {
            lapics,
            ioapics: vec![(0, 0xFEC0_0000, 0)],
            overrides: vec![(0, 0, 2, 0x0000), (0, 9, 9, 0x000D)],
            nmis: vec![(0xFF, 0x0005, 1)],
            pcat_compat: true,
            lapic_base: 0xFEE0_0000,
        };
        assert_eq!(seen, expected, "{cpus} vCPUs");
    }
}

#[test]
fn madt_carries_a_machine_of_other_values() {
    let mut m = AcpiMachine::pc(3);
    m.lapic_base = 0xFED0_0000;
    m.ioapic = IoApic {
        id: 5,
        base: 0xFEC1_0000,
        gsi_base: 16,
        pins: 8,
    };
    m.sci_irq = 11;
    m.overrides = vec![Override {
        irq: 11,
        gsi: 23,
        polarity: Polarity::ActiveLow,
        trigger: Trigger::Level,
    }];
    let seen = madt_seen(&build(&m, BASE, WINDOW).unwrap());
    assert_eq!(seen.lapic_base, 0xFED0_0000);
    assert_eq!(seen.ioapics, [(5, 0xFEC1_0000, 16)]);
    assert_eq!(seen.overrides, [(0, 11, 23, 0x000F)]);
    assert_eq!(seen.lapics.len(), 3);
}
