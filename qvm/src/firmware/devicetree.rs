//! What an ARM guest finds besides its image: the ramdisk and the device
//! tree (`qvm::fdt`, with the `fdt load` trees merged in) where the image's
//! boot protocol wants them (`guest::place_boot_data`), and the boot
//! vCPU's registers (x0 the tree by Linux's arm64 boot protocol; r2 the
//! tree by the 32-bit ARM one, `guest::boot_regs`).

use crate::bootfs::load_file;
use crate::guestmem::GuestMem;
use alloc::string::String;
use alloc::vec::Vec;
use qvm::arch::guest;
use qvm::arch::guest::FDT_SPACE;
use qvm::config::Config;
use qvm::layout::VmLayout;
use qvm::loader::{self, Placed, Ram};

fn chosen(config: &Config, initrd: Option<(u64, u64)>) -> qvm::fdt::Chosen {
    // The host's counter frequency, if its device tree had to give it
    // (then the guest's `CNTFRQ_EL0` is as wrong as the host's was).
    let tree_hz = ulib::sys::sysinfo().tree_counter_hz;
    qvm::fdt::Chosen {
        bootargs: config.cmdline.clone(),
        initrd: initrd.map(|(start, end)| start..end),
        passed: Vec::new(),
        counter_hz: u32::try_from(tree_hz).ok().filter(|&hz| hz != 0),
    }
}

/// The `dryrun` line: the device tree's size.
pub fn describe(config: &Config, layout: &VmLayout) -> Result<String, String> {
    // `set fdt-dump-file` is warned about with the other options `qvm`
    // does not carry out (`qvm::honour`).
    qvm::fdt::build(layout, &chosen(config, None))
        .map(|dtb| alloc::format!("device tree of {} bytes", dtb.len()))
        .map_err(|e| alloc::format!("device tree: {e}"))
}

/// Loads the ramdisk, builds the device tree (with the nodes of devices
/// passed through, `passed`) and writes it; the boot vCPU's registers.
pub fn write(
    config: &Config,
    layout: &VmLayout,
    mem: &mut GuestMem,
    placed: &Placed,
    ram: Ram,
    passed: Vec<qvm::fdt::PassedDevice>,
) -> Result<guest::VcpuRegs, String> {
    // An `fdt load GPA,FILE` puts the tree at GPA (`qvm::honour` checked
    // that every such address is the same and 8-byte aligned).
    let fdt_load = config.fdt_overlays().find(|l| l.gpa.is_some());
    let ramdisk = match config.initrd() {
        Some(load) => Some((load, crate::bootfs::file_len(&load.path)? as u64)),
        None => None,
    };
    let places = guest::place_boot_data(
        placed,
        ram,
        ramdisk.map(|(load, len)| (len, load.gpa)),
        fdt_load.and_then(|l| l.gpa),
    )?;
    let dtb_gpa = places.fdt;
    if let (Some((load, len)), Some((at, _))) = (ramdisk, places.initrd) {
        load_file(mem, &load.path, 0, len as usize, at)?;
    }
    let initrd = places.initrd;
    // `fdt load` files are merged into the generated tree.
    let mut blobs = Vec::new();
    for load in config.fdt_overlays() {
        blobs.push((load, crate::bootfs::read_file(&load.path)?));
    }
    let overlays: Vec<qvm::fdt::Overlay> = blobs
        .iter()
        .map(|(load, dtb)| qvm::fdt::Overlay {
            name: &load.path,
            origin: Some(&load.origin),
            dtb,
        })
        .collect();
    let chosen = qvm::fdt::Chosen {
        passed,
        ..chosen(config, initrd)
    };
    let dtb = qvm::fdt::build_with_overlays(layout, &chosen, &overlays)
        .map_err(|e| alloc::format!("device tree: {e}"))?;
    if dtb.len() as u64 > FDT_SPACE {
        return Err("the device tree is larger than 2 MiB".into());
    }
    let len = dtb.len() as u64;
    if let Some(load) = fdt_load
        && let Some((what, (start, end))) = loader::fdt_overlap(dtb_gpa, len, placed.span, initrd)
    {
        return Err(alloc::format!(
            "{}: fdt load {dtb_gpa:#x},{}: the device tree ({len} bytes) would overlap {what} at {start:#x}-{:#x}",
            load.origin,
            load.path,
            end - 1
        ));
    }
    mem.write(dtb_gpa, &dtb)?;
    Ok(guest::boot_regs(placed.format, placed.entry, dtb_gpa))
}

/// An ARM guest's firmware has no devices of its own.
pub fn add_devices(_buses: &mut crate::buses::Buses, _layout: &VmLayout) -> Result<(), String> {
    Ok(())
}
