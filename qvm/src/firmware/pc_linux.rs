//! Starting a Linux bzImage by the 64-bit boot protocol
//! (Documentation/arch/x86/boot.rst, "64-bit Boot Protocol"): the
//! protected-mode kernel is where the loader placed it
//! (`qvm::arch::x86_64::linux::place`), the initrd above it (`pc.rs`);
//! here the zero page and the command line go above those, the identity
//! map the kernel starts on at the top of the first RAM region (reserved
//! in the e820 map), and the boot vCPU starts in long mode at the 64-bit
//! entry point with RSI the zero page. The ACPI tables (with the virtio
//! devices in the DSDT) are already in the BIOS area; the zero page also
//! gives the RSDP's address.

use alloc::string::String;
use alloc::vec::Vec;

use crate::guestmem::GuestMem;
use qvm::arch::guest;
use qvm::arch::x86_64::boot::linux_regs;
use qvm::arch::x86_64::linux::{self, BootParams, SetupHeader, ZERO_PAGE_LEN};
use qvm::arch::x86_64::memmap::reserve;
use qvm::layout::VmLayout;
use qvm::loader::{Placed, Ram};
use qvm::multiboot::{MemoryRegion, Module};

/// Pages.
const PAGE: u64 = 0x1000;

/// What the start needs besides the placed kernel.
pub struct Linux<'a> {
    /// The bzImage's first bytes (its setup header).
    pub head: &'a [u8],
    /// The configuration's command line.
    pub cmdline: &'a str,
    /// The initrd, already loaded.
    pub initrd: Option<&'a Module<'a>>,
    /// Where the ACPI RSDP is.
    pub rsdp: u64,
    /// The ACPI tables' range, named.
    pub acpi: (&'static str, u64, u64),
    /// The first free page above the kernel and the initrd.
    pub next: u64,
}

/// Writes the zero page, the command line and the identity map; the
/// boot vCPU's registers. `map` is the VM's memory map.
pub fn start(
    linux: &Linux<'_>,
    layout: &VmLayout,
    mem: &mut GuestMem,
    placed: &Placed,
    ram: Ram,
    mut map: Vec<MemoryRegion>,
) -> Result<guest::VcpuRegs, String> {
    let file_len = placed.pieces.iter().map(|p| p.offset + p.file_len).max();
    let header = SetupHeader::parse(linux.head, file_len.unwrap_or(0))?;
    if let Some(initrd) = linux.initrd {
        check_initrd(&header, initrd)?;
    }
    let cmdline = linux::kernel_cmdline(linux.cmdline, header.cmdline_size)?;
    let zero_page_at = linux.next;
    let cmdline_at = zero_page_at + ZERO_PAGE_LEN as u64;
    let end = cmdline_at + cmdline.len() as u64 + 1;
    if !ram.fits(zero_page_at, end - zero_page_at) {
        return Err(alloc::format!(
            "the zero page and command line ({zero_page_at:#x}-{:#x}) do not fit in RAM above \
             the kernel{}: give the VM more RAM",
            end - 1,
            if linux.initrd.is_some() {
                " and initrd"
            } else {
                ""
            }
        ));
    }
    let mut modules = Vec::new();
    modules.extend(linux.initrd.copied());
    modules.push(Module {
        start: zero_page_at,
        end: end.next_multiple_of(PAGE),
        string: "the zero page and command line",
    });
    let (cr3, tables_end) =
        super::identity::write_identity_map(layout, mem, placed, ram, &modules, linux.acpi)?;
    reserve(&mut map, cr3, tables_end);

    let params = BootParams {
        head: linux.head,
        header: &header,
        load_address: placed.span.0,
        cmdline: cmdline_at,
        initrd: linux.initrd.map(|m| (m.start, m.end - m.start)),
        memory: &map,
        rsdp: Some(linux.rsdp),
    };
    mem.write(zero_page_at, &linux::zero_page(&params)?)?;
    let mut line = Vec::with_capacity(cmdline.len() + 1);
    line.extend_from_slice(cmdline.as_bytes());
    line.push(0);
    mem.write(cmdline_at, &line)?;
    Ok(linux_regs(placed.entry, cr3, zero_page_at))
}

/// Whether the initrd is where the kernel can take it: page-aligned, and
/// below `initrd_addr_max` unless the kernel takes it anywhere.
fn check_initrd(header: &SetupHeader, initrd: &Module<'_>) -> Result<(), String> {
    if !initrd.start.is_multiple_of(PAGE) {
        return Err(alloc::format!(
            "initrd {} at {:#x}: Linux wants it page-aligned",
            initrd.string,
            initrd.start
        ));
    }
    if !header.above_4g() && initrd.end > header.initrd_addr_max + 1 {
        return Err(alloc::format!(
            "initrd {} ends at {:#x}: this kernel takes it below {:#x}",
            initrd.string,
            initrd.end,
            header.initrd_addr_max + 1
        ));
    }
    Ok(())
}
