//! What an x86_64 guest learns about its machine: RAM and the command line
//! from the multiboot information, the CPUs, APICs and power control from
//! ACPI (and its other devices from the DSDT, on request), and where its
//! own image lies.

use super::acpi::{self, Root};
use super::multiboot::BootInfo;
use crate::acpi::crs::{self, Resources};
use crate::acpi::fadt::{self, Power};
use crate::acpi::madt::{self, IoApic, Madt};
use crate::dt::Region;

/// The local APIC's architectural default address (used without a MADT).
pub const DEFAULT_LAPIC: u64 = 0xFEE0_0000;

/// The machine as the guest found it.
#[derive(Debug)]
pub struct Platform {
    boot: BootInfo,
    /// The RSDP's OEM ID (empty without ACPI).
    oem_id: [u8; 6],
    /// The MADT, if there is one.
    pub madt: Option<Madt>,
    /// The local APIC's physical address.
    pub lapic: u64,
    /// The first I/O APIC, if the MADT lists one.
    pub ioapic: Option<IoApic>,
    /// Power-off and reset registers from the FADT (default: none).
    pub power: Power,
    /// The guest's image, `.bss` and stacks included.
    pub image: Region,
    /// The boot CPU's APIC ID.
    pub boot_apic_id: u32,
}

impl Platform {
    /// The available RAM regions.
    pub fn ram(&self) -> &[Region] {
        self.boot.ram()
    }

    /// APIC IDs of the enabled CPUs (from the MADT; without one, the boot
    /// CPU alone). Guest CPU numbers index this, the boot CPU being 0.
    pub fn cpus(&self) -> &[u32] {
        match &self.madt {
            Some(m) if m.cpus > 0 => m.apic_ids(),
            _ => core::slice::from_ref(&self.boot_apic_id),
        }
    }

    /// The RSDP's OEM ID, unpadded (empty without ACPI).
    pub fn oem(&self) -> &str {
        core::str::from_utf8(&self.oem_id)
            .unwrap_or("?")
            .trim_end_matches([' ', '\0'])
    }

    /// The multiboot command line.
    pub fn bootargs(&self) -> &str {
        self.boot.cmdline()
    }

    /// The value of `key=value` among the command line's words.
    pub fn arg(&self, key: &str) -> Option<&str> {
        self.bootargs()
            .split_ascii_whitespace()
            .find_map(|w| w.strip_prefix(key).and_then(|rest| rest.strip_prefix('=')))
    }

    /// The RAM region holding the image.
    pub fn image_ram(&self) -> Option<Region> {
        self.ram()
            .iter()
            .copied()
            .find(|r| r.contains(self.image.start))
    }

    /// The resources (`_CRS`) of the `n`th device (from 0) of the DSDT
    /// whose `_HID` is `hid`, if the DSDT has it.
    pub fn acpi_device(&self, hid: &str, n: usize) -> Option<Resources> {
        let dsdt = self
            .power
            .dsdt
            .and_then(acpi::table_at)
            .filter(|t| &t[..4] == b"DSDT")?;
        crs::find_device(&dsdt[crate::acpi::HEADER_LEN..], hid, n)
    }

    /// The first 2 MiB-aligned address above all RAM below 4 GiB that no
    /// device the guest knows (APICs, the BIOS area at the top) covers.
    pub fn unused_address(&self) -> Option<usize> {
        const BLOCK: usize = 2 << 20;
        let top = self
            .ram()
            .iter()
            .map(|r| r.end)
            .filter(|&e| e <= 1 << 32)
            .max()?;
        let addr = top.next_multiple_of(BLOCK);
        (addr < 0xC000_0000).then_some(addr)
    }
}

unsafe extern "C" {
    static __image_start: u8;
    static __image_end: u8;
}

static PLATFORM: spin::Once<Platform> = spin::Once::new();

/// Puts together the platform from the multiboot information and ACPI.
pub(crate) fn build(boot: BootInfo, root: Option<Root>) -> &'static Platform {
    let mut madt = root
        .and_then(|r| r.find(b"APIC"))
        .and_then(|t| madt::parse(&t[crate::acpi::HEADER_LEN..]));
    let mut power = root
        .and_then(|r| r.find(b"FACP"))
        .map(fadt::parse)
        .unwrap_or_default();
    power.slp_typ_s5 = power
        .dsdt
        .and_then(acpi::table_at)
        .filter(|t| &t[..4] == b"DSDT")
        .and_then(|t| fadt::s5_slp_typ(&t[crate::acpi::HEADER_LEN..]));
    let lapic = madt.map_or(DEFAULT_LAPIC, |m| m.lapic);
    let boot_apic_id = super::lapic::id_at(lapic);
    // The boot CPU is CPU 0, wherever the MADT lists it.
    if let Some(m) = madt.as_mut()
        && let Some(at) = m.apic_ids().iter().position(|&id| id == boot_apic_id)
    {
        m.apic_ids.swap(0, at);
    }
    PLATFORM.call_once(|| Platform {
        boot,
        oem_id: root.map_or([b' '; 6], |r| r.rsdp.oem_id),
        ioapic: madt.and_then(|m| m.ioapic),
        madt,
        lapic,
        power,
        image: Region {
            start: &raw const __image_start as usize,
            end: &raw const __image_end as usize,
        },
        boot_apic_id,
    })
}

/// The platform, once the boot CPU has built it.
pub fn get() -> Option<&'static Platform> {
    PLATFORM.get()
}
