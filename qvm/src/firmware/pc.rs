//! What an x86 guest finds besides its image, as on a PC booted by a
//! multiboot loader: the ACPI tables in the BIOS area (where a guest that
//! scans for the RSDP finds them), the multiboot information (memory map,
//! command line, the `initrd load` file as a module) above the image, and
//! the boot vCPU. A multiboot kernel (a header of either version, ELF32,
//! ELF64 or placed by its address fields) starts in 32-bit protected mode
//! with EAX and EBX as its header's version says (`qvm::multiboot`); an
//! ELF64 image without a header starts in 64-bit long mode on an identity
//! map `qvm` writes at the top of the first RAM region, reserved in the
//! memory map, with RBX the Multiboot2 information
//! (`qvm::arch::x86_64::long_mode`; docs/qvmconf.md, "How an x86 guest
//! starts"). Anything else (a raw image, an ELF32 image without a header)
//! is refused.

use super::identity::write_identity_map;
use crate::bootfs::load_file;
use crate::buses::Buses;
use crate::guestmem::GuestMem;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use qvm::arch::guest;
use qvm::arch::x86_64::acpi;
use qvm::arch::x86_64::acpi::vm::machine_of;
use qvm::arch::x86_64::boot::long_mode_regs;
use qvm::arch::x86_64::linux;
use qvm::arch::x86_64::memmap::{memory_map, reserve};
use qvm::config::Config;
use qvm::layout::VmLayout;
use qvm::loader::{Format, Placed, Ram};
use qvm::multiboot::{self, BootInfo, Header, LOADER_NAME, Module, Version};

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
/// Bytes of an ACPI 2.0 RSDP (ACPI 6.5 5.2.5.3).
const RSDP_LEN: usize = 36;

/// The `dryrun` line: the ACPI tables' size.
pub fn describe(_config: &Config, layout: &VmLayout) -> Result<String, String> {
    acpi::build(&machine_of(layout)?, ACPI_BASE, ACPI_WINDOW)
        .map(|t| alloc::format!("ACPI tables of {} bytes at {ACPI_BASE:#x}", t.bytes.len()))
        .map_err(|e| alloc::format!("ACPI tables: {e}"))
}

/// How the image starts: through its multiboot header, in long mode, or
/// by Linux's 64-bit boot protocol.
enum Start {
    Multiboot(Header),
    LongMode,
    Linux(Vec<u8>),
}

/// The multiboot header of the image at `path` (placed as `placed`), or
/// a long-mode start for an ELF64 image without one.
fn start_of(path: &str, placed: &Placed) -> Result<Start, String> {
    let len = crate::bootfs::file_len(path)?;
    let mut head = alloc::vec![0; len.min(HEADER_SEARCH)];
    crate::bootfs::read_into(path, 0, &mut head)?;
    if linux::is_bzimage(&head) {
        return Ok(Start::Linux(head));
    }
    let header = multiboot::find_header(&head).map_err(|e| alloc::format!("{path}: {e}"))?;
    match (header, placed.format) {
        (Some(h), _) => Ok(Start::Multiboot(h)),
        (None, Format::Elf) => Ok(Start::LongMode),
        (None, Format::Elf32) => Err(alloc::format!(
            "{path}: an ELF32 image without a Multiboot or Multiboot2 header: qvm starts 32-bit \
             x86 kernels through their multiboot header (ELF64 images without one start in \
             long mode)"
        )),
        (None, _) => Err(alloc::format!(
            "{path}: no Multiboot or Multiboot2 header: qvm starts x86 guests as multiboot \
             kernels, or ELF64 images in long mode"
        )),
    }
}

/// Writes the ACPI tables, the `initrd load` module, the long-mode page
/// tables if the image starts so, and the multiboot information; the boot
/// vCPU's registers.
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
    let start = start_of(&image.path, placed)?;
    if let Start::Multiboot(header) = &start {
        for why in &header.ignored {
            log::warn!("qvm: {}: {why}", image.path);
        }
    }

    let tables = acpi::build(&machine_of(layout)?, ACPI_BASE, ACPI_WINDOW)
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
    let rsdp = (tables.rsdp() - tables.base) as usize;
    let rsdp = tables
        .bytes
        .get(rsdp..rsdp + RSDP_LEN)
        .ok_or("the RSDP lies outside the tables")?;
    let mut map = memory_map(&layout.memory);
    let info = BootInfo {
        memory: &[],
        cmdline: config.cmdline.as_deref().unwrap_or(""),
        loader_name: LOADER_NAME,
        modules: &modules,
        rsdp: Some(rsdp),
    };
    match start {
        Start::Linux(head) => {
            let linux = super::pc_linux::Linux {
                head: &head,
                cmdline: info.cmdline,
                initrd: modules.first(),
                rsdp: tables.rsdp(),
                acpi: ("the ACPI tables", ACPI_BASE, ACPI_BASE + ACPI_WINDOW),
                next,
            };
            super::pc_linux::start(&linux, layout, mem, placed, ram, map)
        }
        Start::Multiboot(header) => {
            header.check_modules(&modules)?;
            let info = BootInfo {
                memory: &map,
                ..info
            };
            let at = write_info(mem, ram, &info, header.version, next, None)?;
            let entry = header.entry.map_or(placed.entry, u64::from);
            let state = multiboot::entry_state(header.version, entry, at)?;
            Ok(guest::boot_regs(&state))
        }
        Start::LongMode => {
            let acpi = ("the ACPI tables", ACPI_BASE, ACPI_BASE + ACPI_WINDOW);
            let (cr3, end) = write_identity_map(layout, mem, placed, ram, &modules, acpi)?;
            reserve(&mut map, cr3, end);
            let info = BootInfo {
                memory: &map,
                ..info
            };
            let at = write_info(mem, ram, &info, Version::V2, next, Some((cr3, end)))?;
            Ok(long_mode_regs(placed.entry, cr3, at))
        }
    }
}

/// Writes the multiboot information of `version` for `info` at `at`
/// (above the image and modules), in `ram` and clear of `tables` (the
/// long-mode page tables); returns `at`.
fn write_info(
    mem: &mut GuestMem,
    ram: Ram,
    info: &BootInfo<'_>,
    version: Version,
    at: u64,
    tables: Option<(u64, u64)>,
) -> Result<u64, String> {
    let bytes = match version {
        Version::V1 => multiboot::build_v1(info, at)?,
        Version::V2 => multiboot::build_v2(info, at)?,
    };
    let end = at + bytes.len() as u64;
    if !ram.fits(at, bytes.len() as u64) {
        return Err("the multiboot information does not fit in RAM above the image".into());
    }
    if let Some((base, top)) = tables.filter(|&(base, top)| at < top && base < end) {
        return Err(alloc::format!(
            "the multiboot information ({at:#x}-{:#x}) would overlap the long-mode page tables \
             ({base:#x}-{:#x}): give the VM more RAM",
            end - 1,
            top - 1
        ));
    }
    mem.write(at, &bytes)?;
    Ok(at)
}

/// The devices the ACPI tables describe: the PM1 block (power-off through
/// S5) with the SCI on its ISA IRQ's pin (identity-mapped, no override
/// moves it), and the 0xCF9 reset register; and what a BIOS leaves in the
/// RTC's CMOS RAM (`cmos.rs`: memory sizes, CPUs), if the VM has an RTC.
pub fn add_devices(buses: &mut Buses, layout: &VmLayout) -> Result<(), String> {
    if let Some((id, _)) = buses.platform.rtc
        && let Some(rtc) = buses.ports.downcast_mut::<vdev::Mc146818>(id)
    {
        let ram: Vec<(u64, u64)> = layout
            .ram()
            .map(|m| (m.region.base, m.region.size))
            .collect();
        for (index, value) in qvm::arch::x86_64::cmos::bytes(&ram, layout.cpus.len()) {
            rtc.set_cmos(index, value);
        }
    }
    use vdev::pc::{AcpiPm, ResetControl};
    // The kernel answers PM_TMR reads itself (`vm_config`'s
    // `pm_timer_port`), counting the host clock from its origin: so does
    // the model, for TMR_STS and the reads of other widths.
    let pm = AcpiPm::new(Box::new(ulib::sys::clock), acpi::SLP_TYP_S5).with_epoch(0);
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
