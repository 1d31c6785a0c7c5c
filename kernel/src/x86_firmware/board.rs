//! [`X86Board`]: what the kernel learns from the x86 boot hand-off (PVH or
//! Multiboot2) and the ACPI tables, the x86 counterpart of
//! [`crate::board::Board`]; and what it derives from it: the page for the
//! AP start-up trampoline (Intel SDM Vol. 3A §9.4.4: the SIPI vector
//! names a 4 KiB page below 1 MiB), the boot CPU first, and where an ISA
//! IRQ arrives (ACPI 6.5 §5.2.12.5).

use heapless::Vec;

use super::Handoff;
use super::records::{IoApic, IrqOverride, LapicNmi, PmTimer, Polarity, ResetRegister, Trigger};
use crate::board::{MAX_CPUS, MAX_RANGES, Range};

/// Most boot modules kept (more is an error).
pub const MAX_MODULES: usize = 8;
/// Most RAM ranges below 1 MiB kept (for [`X86Board::low_page`]).
pub const MAX_LOW_RANGES: usize = 4;
/// Most ranges the hand-off structures occupy: the start_info or the
/// boot information, the PVH module list, memory map and command lines.
pub const MAX_BOOT_DATA: usize = 4 + MAX_MODULES;
/// Most I/O APICs kept (more is an error).
pub const MAX_IOAPICS: usize = 8;
/// Most interrupt source overrides kept (more is an error: there are only
/// 16 ISA IRQs).
pub const MAX_OVERRIDES: usize = 16;
/// Most local APIC NMI entries kept (more are dropped and counted: some
/// firmware lists one per processor).
pub const MAX_NMIS: usize = MAX_CPUS;

/// Size of a page, and of the AP trampoline.
pub const PAGE_SIZE: u64 = 0x1000;
/// The trampoline page lies at or above this (page 0 holds the real-mode
/// interrupt vectors and BIOS data).
pub const LOW_PAGE_MIN: u64 = 0x1000;
/// The trampoline page ends at or below this (the EBDA and the legacy
/// video and ROM areas follow).
pub const LOW_PAGE_LIMIT: u64 = 0x9_f000;

/// A string in physical memory: `len` bytes at `addr`, not counting the
/// terminating NUL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Text {
    /// First byte.
    pub addr: u64,
    /// Bytes before the NUL.
    pub len: usize,
}

/// A module the loader placed in memory (an initrd, a boot image).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Module {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
    /// Its command line, if the loader gave one.
    pub cmdline: Option<Text>,
}

/// A processor from the MADT (ACPI 6.5 §5.2.12.2, §5.2.12.12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// Its (x2)APIC ID, as CPUID reports it.
    pub apic_id: u32,
    /// Its ACPI processor UID (what NMI entries name).
    pub uid: u32,
    /// Ready to use; `false` means Online Capable only (may be started
    /// later, e.g. hot-plugged).
    pub enabled: bool,
    /// From a local x2APIC entry (type 9) rather than a local APIC one.
    pub x2apic: bool,
}

/// Where an ISA IRQ arrives, overrides applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IsaIrq {
    /// Its global system interrupt.
    pub gsi: u32,
    /// `High` or `Low`.
    pub polarity: Polarity,
    /// `Edge` or `Level`.
    pub trigger: Trigger,
}

/// Everything the kernel reads from the x86 firmware.
///
/// `ram` is memory the firmware gives the OS; it still holds what the
/// loader put there (`modules`, `boot_data`), which the kernel must keep
/// until it has used or copied it. Memory below 1 MiB is kept out of
/// `ram` (legacy areas, real-mode structures), except that the kernel
/// needs one 4 KiB page there for the AP start-up trampoline:
/// [`X86Board::low_page`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct X86Board {
    /// The hand-off this was read from.
    pub handoff: Handoff,
    /// RAM at or above 1 MiB (e820 type 1), sorted, merged, with reserved
    /// ranges cut out.
    pub ram: Vec<Range, MAX_RANGES>,
    /// Every other memory-map range (reserved, ACPI reclaimable and NVS,
    /// unusable, persistent, ...), sorted and merged.
    pub reserved: Vec<Range, MAX_RANGES>,
    /// RAM below 1 MiB, sorted, merged, with reserved ranges cut out.
    pub low_ram: Vec<Range, MAX_LOW_RANGES>,
    /// Memory the hand-off structures occupy (in hand-off order).
    pub boot_data: Vec<Range, MAX_BOOT_DATA>,
    /// Boot modules, in hand-off order.
    pub modules: Vec<Module, MAX_MODULES>,
    /// The kernel's command line.
    pub cmdline: Option<Text>,
    /// Address of the RSDP used (for Multiboot2, of the loader's copy in
    /// the boot information).
    pub rsdp: u64,
    /// Address of the root table used (XSDT or RSDT).
    pub root_table: u64,
    /// Enabled and Online Capable processors, in MADT order, each APIC ID
    /// once.
    pub cpus: Vec<Cpu, MAX_CPUS>,
    /// Usable processors past [`MAX_CPUS`], not kept.
    pub cpus_dropped: usize,
    /// Physical address of the local APIC registers.
    pub lapic_base: u64,
    /// I/O APICs, in MADT order.
    pub ioapics: Vec<IoApic, MAX_IOAPICS>,
    /// Interrupt source overrides, in MADT order.
    pub overrides: Vec<IrqOverride, MAX_OVERRIDES>,
    /// Local APIC NMI inputs, in MADT order.
    pub nmis: Vec<LapicNmi, MAX_NMIS>,
    /// NMI entries past [`MAX_NMIS`], not kept.
    pub nmis_dropped: usize,
    /// The system also has dual 8259 PICs (MADT flag PCAT_COMPAT), which
    /// the kernel must mask.
    pub pc_at_compatible: bool,
    /// The FADT's reset register, if it has one.
    pub reset: Option<ResetRegister>,
    /// The FADT's ACPI PM timer, if it has one.
    pub pm_timer: Option<PmTimer>,
    /// The FADT's PM1a and PM1b control blocks (I/O ports), if it names
    /// them.
    pub pm1_control: Option<(u16, Option<u16>)>,
    /// The DSDT's address, from the FADT.
    pub dsdt: Option<u64>,
    /// SLP_TYPa and SLP_TYPb of S5 (soft off), from the DSDT's `\_S5`.
    pub s5: Option<(u8, u8)>,
}

impl X86Board {
    /// Nothing read yet.
    pub(crate) fn empty(handoff: Handoff) -> Self {
        X86Board {
            handoff,
            ram: Vec::new(),
            reserved: Vec::new(),
            low_ram: Vec::new(),
            boot_data: Vec::new(),
            modules: Vec::new(),
            cmdline: None,
            rsdp: 0,
            root_table: 0,
            cpus: Vec::new(),
            cpus_dropped: 0,
            lapic_base: 0,
            ioapics: Vec::new(),
            overrides: Vec::new(),
            nmis: Vec::new(),
            nmis_dropped: 0,
            pc_at_compatible: false,
            reset: None,
            pm_timer: None,
            pm1_control: None,
            dsdt: None,
            s5: None,
        }
    }

    /// Total bytes of `ram`.
    pub fn ram_bytes(&self) -> u64 {
        self.ram.iter().map(|r| (r.end - r.start) as u64).sum()
    }

    /// The page for the AP start-up trampoline: the highest page-aligned
    /// page of RAM in `[LOW_PAGE_MIN, LOW_PAGE_LIMIT)` that no reserved
    /// range, hand-off structure or module touches.
    pub fn low_page(&self) -> Option<u64> {
        let busy = |page: u64| {
            let end = page + PAGE_SIZE;
            let module = self.modules.iter().any(|m| m.start < end && page < m.end);
            let other = self.reserved.iter().chain(&self.boot_data);
            module
                || other
                    .into_iter()
                    .any(|r| (r.start as u64) < end && page < r.end as u64)
        };
        for r in self.low_ram.iter().rev() {
            let (start, end) = (r.start as u64, (r.end as u64).min(LOW_PAGE_LIMIT));
            let mut page = end & !(PAGE_SIZE - 1);
            while page >= start.max(LOW_PAGE_MIN) + PAGE_SIZE {
                page -= PAGE_SIZE;
                if !busy(page) {
                    return Some(page);
                }
            }
        }
        None
    }

    /// Moves the boot CPU (APIC ID `apic_id`, from CPUID) to index 0,
    /// keeping the others' order, and marks it enabled. If it is not among
    /// the kept ones but CPUs were dropped, it is taken to be one of those
    /// and replaces the last kept one. Returns `false` (and changes
    /// nothing) if the MADT did not list it.
    pub fn boot_cpu_first(&mut self, apic_id: u32) -> bool {
        let i = match self.cpus.iter().position(|c| c.apic_id == apic_id) {
            Some(i) => i,
            None if self.cpus_dropped > 0 && self.cpus.is_full() => {
                let last = self.cpus.len() - 1;
                self.cpus[last] = Cpu {
                    apic_id,
                    uid: u32::MAX,
                    enabled: true,
                    x2apic: apic_id >= u32::from(u8::MAX),
                };
                last
            }
            None => return false,
        };
        self.cpus[..=i].rotate_right(1);
        self.cpus[0].enabled = true;
        true
    }

    /// Where ISA IRQ `irq` arrives: its override if the MADT has one for
    /// bus 0 (ISA), else GSI `irq`; unspecified polarity and trigger are
    /// ISA's (active high, edge).
    pub fn isa_irq(&self, irq: u8) -> IsaIrq {
        let found = self
            .overrides
            .iter()
            .find(|o| o.bus == super::records::BUS_ISA && o.source == irq);
        let (gsi, polarity, trigger) = match found {
            Some(o) => (o.gsi, o.polarity, o.trigger),
            None => (u32::from(irq), Polarity::Conforms, Trigger::Conforms),
        };
        IsaIrq {
            gsi,
            polarity: match polarity {
                Polarity::Low => Polarity::Low,
                _ => Polarity::High,
            },
            trigger: match trigger {
                Trigger::Level => Trigger::Level,
                _ => Trigger::Edge,
            },
        }
    }
}
