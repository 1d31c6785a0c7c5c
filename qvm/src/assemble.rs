//! Building the VM a configuration describes: the VM object and its virtual
//! interrupt controller, guest memory, the guest image, ramdisk and device
//! tree in it, the device models (`devices.rs`), and the vCPUs with the boot CPU set to
//! the entry point (what depends on the guest's architecture:
//! `qvm::arch::guest`).

use crate::guestmem::GuestMem;
use crate::vm::{Shared, Vm};
use abi::{Sys, VmConfig, prot};
use alloc::string::String;
use alloc::vec::Vec;
use qvm::arch::guest;
use qvm::config::{Config, MemKind};
use qvm::config::{DeviceOptions, HostPath};
use qvm::layout::VmLayout;
use qvm::loader::{self, Ram};
use ulib::sync::Mutex;
use ulib::{println, sys};
use vdev::bus::Bus;

/// The device tree goes this far below the end of the first RAM region.
const FDT_SPACE: u64 = 2 << 20;

fn call(n: Sys, args: [usize; 6], what: &str) -> Result<usize, String> {
    sys::call(n, args).map_err(|e| alloc::format!("{what}: {}", e.name()))
}

/// `dryrun`: print the placement and the device tree size, exit 0.
pub fn dryrun(config: &Config, layout: &VmLayout) -> usize {
    println!("{}", qvm::report::render(config, layout));
    match qvm::fdt::build(layout, &chosen(config, None)) {
        Ok(dtb) => {
            println!("qvm: device tree of {} bytes", dtb.len());
            // `set fdt-dump-file` is warned about with the other options
            // `qvm` does not carry out (`qvm::honour`).
            crate::status::EXIT_OK
        }
        Err(e) => {
            println!("qvm: device tree: {e}");
            crate::status::EXIT_START_FAILED
        }
    }
}

fn chosen(config: &Config, initrd: Option<(u64, u64)>) -> qvm::fdt::Chosen {
    qvm::fdt::Chosen {
        bootargs: config.cmdline.clone(),
        initrd: initrd.map(|(start, end)| start..end),
        passed: Vec::new(),
    }
}

/// Copies `len` bytes of the bootfs file `path` from `offset` straight
/// into guest memory at `gpa`.
fn load_file(
    mem: &mut GuestMem,
    path: &str,
    offset: usize,
    len: usize,
    gpa: u64,
) -> Result<(), String> {
    let dst = mem.slice_mut(gpa, len as u64).ok_or_else(|| {
        alloc::format!("{path}: {len} bytes at {gpa:#x} are not inside guest RAM")
    })?;
    crate::bootfs::read_into(path, offset, dst)
}

/// Places the guest image `path` (reading only the start of it for that)
/// in `ram`, at `at` if the configuration says, and copies its pieces from
/// the file into guest memory.
fn load_image(
    mem: &mut GuestMem,
    path: &str,
    ram: Ram,
    at: Option<u64>,
) -> Result<loader::Placed, String> {
    let len = crate::bootfs::file_len(path)?;
    let mut head = alloc::vec![0; len.min(loader::HEAD_BYTES)];
    crate::bootfs::read_into(path, 0, &mut head)?;
    let needed = loader::head_len(&head).min(len);
    if needed > head.len() {
        head.resize(needed, 0);
        crate::bootfs::read_into(path, 0, &mut head)?;
    }
    let placed =
        loader::place_head(&head, len, ram, at).map_err(|e| alloc::format!("{path}: {e}"))?;
    drop(head);
    for piece in &placed.pieces {
        load_file(mem, path, piece.offset, piece.file_len, piece.gpa)?;
    }
    Ok(placed)
}

/// Builds the VM; nothing runs yet.
pub fn build(config: &Config, layout: &VmLayout) -> Result<Vm, String> {
    let name = String::from(config.system.as_deref().unwrap_or("qvm"));
    let vm_config = guest::vm_config(layout)?;
    let vm = call(Sys::VmCreate, [0; 6], "cannot create the VM")?;
    call(
        Sys::VmConfigure,
        [
            vm,
            &raw const vm_config as usize,
            core::mem::size_of::<VmConfig>(),
            0,
            0,
            0,
        ],
        guest::VM_CONFIG_REFUSED,
    )?;
    // Devices passed through, before guest memory: a refused grab stops
    // the VM before anything is loaded.
    let applied = crate::pass::apply(vm, config)?;

    let mut mem = GuestMem::new();
    for m in &layout.memory {
        let p = if m.kind == MemKind::Ram {
            prot::READ | prot::WRITE | prot::EXEC
        } else {
            prot::READ | prot::EXEC
        };
        mem.add(vm, m.region.base, m.region.size, p).map_err(|e| {
            let size = qvm::layout::limits::size_word(m.region.size);
            alloc::format!("{} {size} at {}: {e}", m.kind.keyword(), m.origin)
        })?;
    }
    for &(index, gpa, size) in &applied.ram {
        mem.add_reserved(index, gpa, size)?;
    }
    // The guest goes into the first `ram`, else the first host RAM passed.
    let first = match layout.ram().next() {
        Some(r) => r.region,
        None => applied
            .ram
            .first()
            .map(|&(_, base, size)| qvm::layout::Region { base, size })
            .ok_or("the VM has no RAM")?,
    };
    let ram = Ram {
        base: first.base,
        size: first.size,
    };

    let image = config
        .image()
        .ok_or("nothing to run: no `load` of a guest image")?;
    let placed = load_image(&mut mem, &image.path, ram, image.gpa)?;

    // The ramdisk goes below the default place of the device tree; an
    // `fdt load GPA,FILE` puts the tree at GPA instead (`qvm::honour`
    // checked that every such address is the same and 8-byte aligned).
    let default_dtb = (first.end() - FDT_SPACE) & !0xfff;
    let fdt_load = config.fdt_overlays().find(|l| l.gpa.is_some());
    let dtb_gpa = fdt_load.and_then(|l| l.gpa).unwrap_or(default_dtb);
    let mut initrd = None;
    if let Some(load) = config.initrd() {
        let len = crate::bootfs::file_len(&load.path)?;
        let at = match load.gpa {
            Some(a) => a,
            None => {
                default_dtb
                    .checked_sub(len as u64)
                    .ok_or("the ramdisk does not fit")?
                    & !0xfff
            }
        };
        if at < placed.span.1 {
            return Err(alloc::format!(
                "the ramdisk ({len} bytes) does not fit between the image and the device tree"
            ));
        }
        load_file(&mut mem, &load.path, 0, len, at)?;
        initrd = Some((at, at + len as u64));
    }
    for load in config
        .loads
        .iter()
        .filter(|l| l.kind == qvm::config::LoadKind::Data)
    {
        let at = load
            .gpa
            .ok_or_else(|| alloc::format!("{}: `data load` needs an address", load.path))?;
        let len = crate::bootfs::file_len(&load.path)?;
        load_file(&mut mem, &load.path, 0, len, at)?;
    }
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
        passed: applied.nodes,
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

    let mut bus = Bus::new();
    let mut intids = Vec::new();
    let mut console = None;
    let mut links = Vec::new();
    for dev in &layout.vdevs {
        let (model, waiter) = crate::devices::device_model(&name, dev, &mem)?;
        let id = bus
            .add(dev.slot.base, dev.slot.size, model)
            .map_err(|e| alloc::format!("vdev at {:#x}: {e:?}", dev.slot.base))?;
        intids.push(dev.intid);
        if let Some(w) = waiter {
            links.push((id, w));
        }
        let is_console = match &dev.config.options {
            DeviceOptions::Serial { hostdev: Some(h) } => h.path == HostPath::Console,
            DeviceOptions::Serial { hostdev: None } => true,
            _ => false,
        };
        if is_console && console.is_none() {
            console = Some(id);
        }
    }

    let mut vcpus = Vec::new();
    for cpu in &layout.cpus {
        vcpus.push(call(
            Sys::VcpuCreate,
            [vm, cpu.index as usize, 0, 0, 0, 0],
            "cannot create a vCPU",
        )?);
    }
    let regs = guest::boot_regs(placed.entry, dtb_gpa);
    call(
        Sys::VcpuSetRegs,
        [
            vcpus[0],
            &raw const regs as usize,
            core::mem::size_of::<guest::VcpuRegs>(),
            0,
            0,
            0,
        ],
        "cannot set the boot vCPU's registers",
    )?;
    let placement = layout
        .cpus
        .iter()
        .map(|c| {
            let priority = c
                .config
                .sched
                .map_or(abi::PRIORITY_DEFAULT, |s| usize::from(s.priority));
            (priority, c.config.runmask.unwrap_or(0))
        })
        .collect();
    Ok(Vm {
        name,
        handle: vm,
        vcpus,
        shared: Mutex::new(Shared {
            bus,
            intids,
            console,
            console_pending: Default::default(),
        }),
        unsupported: config.unsupported,
        placement,
        links,
        reset_status: crate::status::EXIT_OK,
    })
}
