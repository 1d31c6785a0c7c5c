//! `qvm`: assembles one VM from its configuration and runs it, one host
//! thread per vCPU. Started as `qvm @file.qvmconf [options]`; files come
//! from the bootfs. Exit status as in `shared/qvmconf.md`: 0 the guest shut
//! down or asked for a reset, 4 a watchdog bit (`watchdog.rs`), 5
//! unsupported operation under `abort`, 64 failed before the guest
//! started, 65 bad configuration (or an option `qvm` refuses to run without
//! carrying it out, `qvm::honour`), 96 failed after the guest started. With
//! `set on-reset restart` it runs the VM in a child `qvm` and starts it
//! again on a guest reset (`supervise.rs`).
#![no_std]
#![no_main]

extern crate alloc;

mod assemble;
mod bootfs;
mod buses;
mod coredump;
mod devices;
mod firmware;
mod guestmem;
mod hostdisk;
mod logger;
mod netlink;
mod pass;
mod ports;
mod respond;
mod shmem;
mod status;
mod supervise;
mod timer;
mod vcpu_loop;
mod vm;
mod vmconsole;
mod watchdog;

use alloc::string::String;
use bootfs::read_file;
use qvm::config::OnReset;
use status::{EXIT_BAD_CONFIG, EXIT_START_FAILED};
use ulib::{println, sys};

/// Longest process name the kernel keeps (`process_set_name`).
const MAX_PROCESS_NAME: usize = 31;

#[unsafe(no_mangle)]
fn main(args: &[&str]) -> usize {
    logger::install();
    let words = args.get(1..).unwrap_or(&[]);
    // A `qvm` started by one with `set on-reset restart` runs the VM.
    let child = words.first() == Some(&supervise::CHILD_MARK);
    let words = if child { &words[1..] } else { words };
    let mut read = |path: &str| {
        read_file(path).and_then(|d| {
            String::from_utf8(d).map_err(|_| alloc::format!("{path} is not UTF-8 text"))
        })
    };
    // `$asinfo_start{NAME}` and `$asinfo_length{NAME}`: the host's areas.
    let asinfo = |name: &str| {
        let areas = ulib::info::phys_map().ok()?;
        let area = areas.iter().find(|a| a.name() == name)?;
        Some((area.base, area.size))
    };
    let config = match qvm::config::parse_args_with_asinfo(words, &mut read, &asinfo) {
        Ok(c) => c,
        Err(e) => {
            println!("qvm: {e}");
            return EXIT_BAD_CONFIG;
        }
    };
    // Placement's defaults that depend on the host (on AArch64 the GIC
    // version of a `vdev gic` without `version`).
    let info = sys::sysinfo();
    let options = qvm::arch::guest::place_options(&info);
    let placed = qvm::layout::place_with(&config, &options).and_then(|layout| {
        // A GIC of another version than the host's is refused by name.
        qvm::arch::guest::check_host_irq_chip(&layout, &info).map(|()| layout)
    });
    let layout = match placed {
        Ok(l) => l,
        Err(e) => {
            println!("qvm: {e}");
            return EXIT_BAD_CONFIG;
        }
    };
    // A guest image the layout cannot start (on ARM a 32-bit kernel with
    // its first RAM above 4 GiB) is refused by the line at fault. An image
    // that cannot be read or recognized is reported when it is loaded.
    if let Some(format) = assemble::image_format(&config)
        && let Err(e) = qvm::arch::guest::check_image_layout(&config, &layout, format)
    {
        println!("qvm: {e}");
        return EXIT_BAD_CONFIG;
    }
    // What `qvm` cannot carry out is refused or warned about by name.
    let warnings = match qvm::honour::check(&config) {
        Ok(w) => w,
        Err(e) => {
            println!("qvm: {e}");
            return EXIT_BAD_CONFIG;
        }
    };
    logger::configure(&config);
    let name = String::from(config.system.as_deref().unwrap_or("qvm"));
    if !child {
        for w in &warnings {
            log::warn!("qvm: {name}: {w}");
        }
    }
    let restart = config.vars.on_reset == Some(OnReset::Restart);
    // The child that runs the VM has the usual name (the console's focus
    // lines show it); its parent says what it does.
    let label = if restart && !child && !config.dryrun {
        "-restarts"
    } else {
        ""
    };
    let shown: String = alloc::format!("qvm-{name}{label}")
        .chars()
        .take(MAX_PROCESS_NAME)
        .collect();
    let _ = sys::set_name(&shown);
    if config.dryrun {
        return assemble::dryrun(&config, &layout);
    }
    if restart && !child {
        return supervise::run(args, &name);
    }
    // Placement checked the kernel's limits; only the host knows how much
    // memory it has free.
    let free = sys::sysinfo().free_memory;
    if let Err(e) = qvm::layout::limits::check_host_memory(&layout, free) {
        println!("qvm: {e}");
        return EXIT_START_FAILED;
    }
    match assemble::build(&config, &layout) {
        Ok(vm) => {
            let heap = ulib::heap::stats();
            log::debug!(
                "qvm: {name}: built; heap {} bytes mapped, {} in use, at most {} in use",
                heap.mapped,
                heap.in_use,
                heap.peak
            );
            let mut vm = vm;
            if child {
                vm.reset_status = status::EXIT_RESET_TO_RESTART;
            }
            vcpu_loop::run(vm)
        }
        Err(e) => {
            log::error!("qvm: {name}: {e}");
            EXIT_START_FAILED
        }
    }
}
