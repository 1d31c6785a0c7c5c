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
use qvm::layout::VmLayout;
use qvm::loader::{self, Ram};
use ulib::sync::Mutex;
use ulib::{println, sys};

fn call(n: Sys, args: [usize; 6], what: &str) -> Result<usize, String> {
    sys::call(n, args).map_err(|e| alloc::format!("{what}: {}", e.name()))
}

/// `dryrun`: print the placement and what the guest gets besides its
/// image (on ARM its device tree's size), exit 0.
pub fn dryrun(config: &Config, layout: &VmLayout) -> usize {
    println!("{}", qvm::report::render(config, layout));
    match crate::firmware::describe(config, layout) {
        Ok(line) => {
            println!("qvm: {line}");
            crate::status::EXIT_OK
        }
        Err(e) => {
            println!("qvm: {e}");
            crate::status::EXIT_START_FAILED
        }
    }
}

/// The start of the guest image `path` (enough of it to place it:
/// [`loader::head_len`]) and the file's length.
fn read_head(path: &str) -> Result<(Vec<u8>, usize), String> {
    let len = crate::bootfs::file_len(path)?;
    let mut head = alloc::vec![0; len.min(loader::HEAD_BYTES)];
    crate::bootfs::read_into(path, 0, &mut head)?;
    let needed = loader::head_len(&head).min(len);
    if needed > head.len() {
        head.resize(needed, 0);
        crate::bootfs::read_into(path, 0, &mut head)?;
    }
    Ok((head, len))
}

/// The format of the configuration's guest image, if it has one and it
/// can be read and recognized (else [`build`] says why).
pub fn image_format(config: &Config) -> Option<loader::Format> {
    let (head, _) = read_head(&config.image()?.path).ok()?;
    loader::detect(&head).ok()
}

/// Places the guest image `path`, whose start `head` (of a file of `len`
/// bytes) [`read_head`] read, in `ram`, at `at` if the configuration
/// says, and copies its pieces from the file into guest memory.
fn load_image(
    mem: &mut GuestMem,
    path: &str,
    (head, len): (Vec<u8>, usize),
    ram: Ram,
    at: Option<u64>,
) -> Result<loader::Placed, String> {
    let placed =
        loader::place_head(&head, len, ram, at).map_err(|e| alloc::format!("{path}: {e}"))?;
    drop(head);
    for piece in &placed.pieces {
        crate::bootfs::load_file(mem, path, piece.offset, piece.file_len, piece.gpa)?;
    }
    Ok(placed)
}

/// Builds the VM; nothing runs yet.
pub fn build(config: &Config, layout: &VmLayout) -> Result<Vm, String> {
    let name = String::from(config.system.as_deref().unwrap_or("qvm"));
    // The image's format decides the VM's settings (on ARM an AArch32 EL1
    // for a 32-bit kernel), so it is read first.
    let image = config
        .image()
        .ok_or("nothing to run: no `load` of a guest image")?;
    let head = read_head(&image.path)?;
    let format = loader::detect(&head.0).map_err(|e| alloc::format!("{}: {e}", image.path))?;
    let vm_config = guest::vm_config(layout, format)?;
    let vm = call(Sys::VmCreate, [0; 6], "cannot create the VM")?;
    sys::call(
        Sys::VmConfigure,
        [
            vm,
            &raw const vm_config as usize,
            core::mem::size_of::<VmConfig>(),
            0,
            0,
            0,
        ],
    )
    .map_err(|e| guest::vm_config_refused(e, &image.path, format))?;
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

    let placed = load_image(&mut mem, &image.path, head, ram, image.gpa)?;

    for load in config
        .loads
        .iter()
        .filter(|l| l.kind == qvm::config::LoadKind::Data)
    {
        let at = load
            .gpa
            .ok_or_else(|| alloc::format!("{}: `data load` needs an address", load.path))?;
        let len = crate::bootfs::file_len(&load.path)?;
        crate::bootfs::load_file(&mut mem, &load.path, 0, len, at)?;
    }
    // What the guest finds besides its image (on ARM the ramdisk and the
    // device tree; on x86 the multiboot information, ACPI tables and
    // modules), and the boot vCPU's registers.
    let regs = crate::firmware::write(config, layout, &mut mem, &placed, ram, applied.nodes)?;

    let mut buses = crate::buses::build(vm, &name, layout, &mem)?;
    crate::firmware::add_devices(&mut buses, layout)?;

    let mut vcpus = Vec::new();
    for cpu in &layout.cpus {
        vcpus.push(call(
            Sys::VcpuCreate,
            [vm, cpu.index as usize, 0, 0, 0, 0],
            "cannot create a vCPU",
        )?);
    }
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
            bus: buses.bus,
            intids: buses.intids,
            ports: buses.ports,
            port_intids: buses.port_intids,
            platform: buses.platform,
            console: buses.console,
            console_pending: Default::default(),
        }),
        unsupported: config.unsupported,
        placement,
        links: buses.links,
        shmems: buses.shmems,
        pit_kick: Default::default(),
        rtc_kick: Default::default(),
        watchdogs: buses.watchdogs,
        wdt_kick: Default::default(),
        reset_status: crate::status::EXIT_OK,
        dump_dir: config.dump_dir.clone(),
        ram: mem.ram(),
        ram_regions: mem.regions(),
        dump: crate::coredump::gather::Gather::new(layout.cpus.len()),
        dump_machine: guest::dump_machine(format),
    })
}
