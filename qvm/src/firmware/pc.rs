//! What an x86 guest finds besides its image, as on a PC booted by a
//! multiboot loader: the ACPI tables in the BIOS area (where a guest that
//! scans for the RSDP finds them), the multiboot information (memory map,
//! command line, the `initrd load` file as a module) above the image, and
//! the boot vCPU in 32-bit protected mode with EAX and EBX as the header's
//! version says (`qvm::multiboot`).

use crate::bootfs::load_file;
use crate::buses::Buses;
use crate::guestmem::GuestMem;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use qvm::arch::guest;
use qvm::arch::x86_64::acpi::{self, AcpiMachine};
use qvm::arch::x86_64::memmap::memory_map;
use qvm::config::Config;
use qvm::layout::VmLayout;
use qvm::loader::{Placed, Ram};
use qvm::multiboot::{self, BootInfo, LOADER_NAME, Module, Version};

/// Where the ACPI tables go: the BIOS area's first 64 KiB, where the
/// RSDP is searched for (ACPI 6.5 5.2.5.1).
const ACPI_BASE: u64 = 0xE_0000;
/// Room for them.
const ACPI_WINDOW: u64 = 0x1_0000;
/// Bytes of an image's start that hold any multiboot header (Multiboot2
/// 3.1.1: within the first 32768 bytes).
const HEADER_SEARCH: usize = 32 * 1024;
/// Pages.
const PAGE: u64 = 0x1000;

/// The ACPI machine of `layout`: the PC's, with its vCPUs.
fn acpi_machine(layout: &VmLayout) -> AcpiMachine {
    let mut m = AcpiMachine::pc(layout.cpus.len() as u32);
    m.ioapic.base = layout.gic.ioapic.base as u32;
    m
}

/// The `dryrun` line: the ACPI tables' size.
pub fn describe(_config: &Config, layout: &VmLayout) -> Result<String, String> {
    acpi::build(&acpi_machine(layout), ACPI_BASE, ACPI_WINDOW)
        .map(|t| alloc::format!("ACPI tables of {} bytes at {ACPI_BASE:#x}", t.bytes.len()))
        .map_err(|e| alloc::format!("ACPI tables: {e}"))
}

/// Writes the ACPI tables, the `initrd load` module and the multiboot
/// information; the boot vCPU's registers.
pub fn write(
    config: &Config,
    layout: &VmLayout,
    mem: &mut GuestMem,
    placed: &Placed,
    ram: Ram,
    passed: Vec<qvm::fdt::PassedDevice>,
) -> Result<guest::VcpuRegs, String> {
    if !passed.is_empty() {
        return Err("pass: devices with device-tree nodes: an x86 guest has no device tree".into());
    }
    if let Some(load) = config.fdt_overlays().next() {
        return Err(alloc::format!(
            "{}: fdt load: an x86 guest has no device tree",
            load.origin
        ));
    }
    let image = config.image().ok_or("nothing to run")?;
    let len = crate::bootfs::file_len(&image.path)?;
    let mut head = alloc::vec![0; len.min(HEADER_SEARCH)];
    crate::bootfs::read_into(&image.path, 0, &mut head)?;
    let header = multiboot::find_header(&head)
        .map_err(|e| alloc::format!("{}: {e}", image.path))?
        .ok_or_else(|| {
            alloc::format!(
                "{}: no Multiboot or Multiboot2 header: qvm starts x86 guests as multiboot kernels",
                image.path
            )
        })?;
    for why in &header.ignored {
        log::warn!("qvm: {}: {why}", image.path);
    }

    let tables = acpi::build(&acpi_machine(layout), ACPI_BASE, ACPI_WINDOW)
        .map_err(|e| alloc::format!("ACPI tables: {e}"))?;
    mem.write(tables.base, &tables.bytes)?;

    // Above the image, page by page: the module, then the information.
    let mut next = placed.span.1.next_multiple_of(PAGE);
    let mut modules = Vec::new();
    if let Some(load) = config.initrd() {
        let len = crate::bootfs::file_len(&load.path)?;
        let at = load.gpa.unwrap_or(next);
        load_file(mem, &load.path, 0, len, at)?;
        next = next.max(at + len as u64).next_multiple_of(PAGE);
        modules.push(Module {
            start: at,
            end: at + len as u64,
            string: load.path.as_str(),
        });
    }
    header.check_modules(&modules)?;
    let map = memory_map(&layout.memory);
    // The RSDP of ACPI 2.0 and later: 36 bytes (ACPI 6.5 5.2.5.3).
    let at = (tables.rsdp() - tables.base) as usize;
    let rsdp = tables
        .bytes
        .get(at..at + 36)
        .ok_or("the RSDP lies outside the tables")?;
    let info = BootInfo {
        memory: &map,
        cmdline: config.cmdline.as_deref().unwrap_or(""),
        loader_name: LOADER_NAME,
        modules: &modules,
        rsdp: Some(rsdp),
    };
    let bytes = match header.version {
        Version::V1 => multiboot::build_v1(&info, next)?,
        Version::V2 => multiboot::build_v2(&info, next)?,
    };
    if !ram.fits(next, bytes.len() as u64) {
        return Err("the multiboot information does not fit in RAM above the image".into());
    }
    mem.write(next, &bytes)?;
    let entry = header.entry.map_or(placed.entry, u64::from);
    let state = multiboot::entry_state(header.version, entry, next)?;
    Ok(guest::boot_regs(&state))
}

/// The devices the ACPI tables describe: the PM1 block (power-off through
/// S5) with the SCI on its ISA IRQ's pin (identity-mapped, no override
/// moves it), and the 0xCF9 reset register.
pub fn add_devices(buses: &mut Buses) -> Result<(), String> {
    use vdev::pc::{AcpiPm, ResetControl};
    let pm = AcpiPm::new(Box::new(ulib::sys::clock), acpi::SLP_TYP_S5);
    let id = buses.add_ports(
        u64::from(acpi::PM_BASE),
        AcpiPm::SIZE,
        Box::new(pm),
        Some(u32::from(acpi::SCI_IRQ)),
    )?;
    buses.platform.pm = Some(id);
    let id = buses.add_ports(
        u64::from(acpi::RESET_PORT),
        1,
        Box::new(ResetControl::new()),
        None,
    )?;
    buses.platform.reset = Some(id);
    Ok(())
}
