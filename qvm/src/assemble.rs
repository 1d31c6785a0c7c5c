//! Building the VM a configuration describes: the VM object and its virtual
//! interrupt controller, guest memory, the guest image, ramdisk and device
//! tree in it, the device models, and the vCPUs with the boot CPU set to
//! the entry point (what depends on the guest's architecture:
//! `qvm::arch::guest`).

use crate::guestmem::GuestMem;
use crate::vm::{Shared, Vm};
use crate::vmconsole::PrefixedOutput;
use abi::{Sys, VmConfig, prot};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use qvm::arch::guest;
use qvm::config::{Config, MemKind};
use qvm::config::{DeviceOptions, HostDir, HostPath, VdevKind};
use qvm::layout::VmLayout;
use qvm::loader::{self, Ram};
use ulib::sync::Mutex;
use ulib::{println, sys};
use vdev::VirtioMmio;
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
            if let Some(path) = &config.vars.fdt_dump_file {
                log::warn!(
                    "qvm: set fdt-dump-file {path}: the host has no writable files yet; use `cargo xtask qvm-check --dtb`"
                );
            }
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
    }
}

/// The device model of one `vdev` (and, for a card with a `peer`, the
/// waiter of its link).
fn device_model(
    name: &str,
    dev: &qvm::layout::VdevLayout,
    mem: &GuestMem,
) -> Result<(Box<dyn vdev::Vdev>, Option<crate::netlink::LinkWaiter>), String> {
    match dev.config.kind {
        VdevKind::VirtioNet => crate::netlink::net_model(name, dev, mem),
        _ => Ok((plain_model(name, dev, mem)?, None)),
    }
}

/// The device model of a `vdev` other than virtio-net.
fn plain_model(
    name: &str,
    dev: &qvm::layout::VdevLayout,
    mem: &GuestMem,
) -> Result<Box<dyn vdev::Vdev>, String> {
    use vdev::virtio::{blk::Blk, console::Console, rng::Rng, rng::XorShift};
    let hostdev = match &dev.config.options {
        DeviceOptions::Serial { hostdev } | DeviceOptions::Block { hostdev } => hostdev.clone(),
        _ => None,
    };
    Ok(match dev.config.kind {
        k if k == guest::UART => Box::new(guest::Uart::new(PrefixedOutput::new(name))),
        VdevKind::VirtioConsole => Box::new(VirtioMmio::new(
            mem.ram(),
            Console::new(PrefixedOutput::new(name)),
        )),
        VdevKind::VirtioEntropy => {
            // Seeded from the counter: varies run to run, not a CSPRNG.
            Box::new(VirtioMmio::new(
                mem.ram(),
                Rng::new(XorShift::new(sys::clock() | 1)),
            ))
        }
        VdevKind::VirtioBlk => {
            let hostdev = hostdev.ok_or_else(|| {
                alloc::format!(
                    "{}: vdev virtio-blk needs `hostdev [<]FILE`",
                    dev.config.origin
                )
            })?;
            let HostPath::File(path) = &hostdev.path else {
                return Err(alloc::format!(
                    "{}: vdev virtio-blk needs a file, not the console",
                    dev.config.origin
                ));
            };
            // Disks are RAM copies of bootfs files until the host has storage.
            let mut data = crate::bootfs::read_file(path)?;
            data.resize(data.len().next_multiple_of(512), 0);
            let read_only = hostdev.dir == HostDir::In;
            let id = path.rsplit('/').next().unwrap_or(path).as_bytes();
            Box::new(VirtioMmio::new(
                mem.ram(),
                Blk::new(data, read_only, &id[..id.len().min(20)]),
            ))
        }
        other => {
            return Err(alloc::format!(
                "{}: vdev {} is not implemented yet",
                dev.config.origin,
                other.name()
            ));
        }
    })
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
    let first = layout.ram().next().ok_or("the VM has no RAM")?.region;
    let ram = Ram {
        base: first.base,
        size: first.size,
    };

    let image = config
        .image()
        .ok_or("nothing to run: no `load` of a guest image")?;
    let data = crate::bootfs::read_file(&image.path)?;
    let placed =
        loader::place(&data, ram, image.gpa).map_err(|e| alloc::format!("{}: {e}", image.path))?;
    for piece in &placed.pieces {
        mem.write(
            piece.gpa,
            &data[piece.offset..piece.offset + piece.file_len],
        )?;
    }
    drop(data);

    let dtb_gpa = (first.end() - FDT_SPACE) & !0xfff;
    let mut initrd = None;
    if let Some(load) = config.initrd() {
        let bytes = crate::bootfs::read_file(&load.path)?;
        let at = match load.gpa {
            Some(a) => a,
            None => {
                dtb_gpa
                    .checked_sub(bytes.len() as u64)
                    .ok_or("the ramdisk does not fit")?
                    & !0xfff
            }
        };
        if at < placed.span.1 {
            return Err(alloc::format!(
                "the ramdisk ({} bytes) does not fit between the image and the device tree",
                bytes.len()
            ));
        }
        mem.write(at, &bytes)?;
        initrd = Some((at, at + bytes.len() as u64));
    }
    for load in config
        .loads
        .iter()
        .filter(|l| l.kind == qvm::config::LoadKind::Data)
    {
        let bytes = crate::bootfs::read_file(&load.path)?;
        let at = load
            .gpa
            .ok_or_else(|| alloc::format!("{}: `data load` needs an address", load.path))?;
        mem.write(at, &bytes)?;
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
    let dtb = qvm::fdt::build_with_overlays(layout, &chosen(config, initrd), &overlays)
        .map_err(|e| alloc::format!("device tree: {e}"))?;
    if dtb.len() as u64 > FDT_SPACE {
        return Err("the device tree is larger than 2 MiB".into());
    }
    mem.write(dtb_gpa, &dtb)?;

    let mut bus = Bus::new();
    let mut intids = Vec::new();
    let mut console = None;
    let mut links = Vec::new();
    for dev in &layout.vdevs {
        let (model, waiter) = device_model(&name, dev, &mem)?;
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
    for (what, set) in [
        ("set counter-offset", config.vars.counter_offset.is_some()),
        ("dump", config.dump_dir.is_some()),
    ] {
        if set {
            log::warn!("qvm: {name}: `{what}` is not supported yet: ignored");
        }
    }
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
    })
}
