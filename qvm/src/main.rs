//! `qvm`: assembles one VM from its configuration and runs it, one host
//! thread per vCPU. Started as `qvm @file.qvmconf [options]`; files come
//! from the bootfs. Exit status as in `shared/qvmconf.md`: 0 the guest shut
//! down or asked for a reset, 5 unsupported operation under `abort`, 64
//! failed before the guest started, 65 bad configuration, 96 failed after
//! the guest started.
#![no_std]
#![no_main]

extern crate alloc;

mod assemble;
mod bootfs;
mod guestmem;
mod logger;
mod netlink;
mod status;
mod vcpu_loop;
mod vm;
mod vmconsole;

use alloc::string::String;
use bootfs::read_file;
use status::{EXIT_BAD_CONFIG, EXIT_START_FAILED};
use ulib::{println, sys};

#[unsafe(no_mangle)]
fn main(args: &[&str]) -> usize {
    logger::install();
    let words = args.get(1..).unwrap_or(&[]);
    let mut read = |path: &str| {
        read_file(path).and_then(|d| {
            String::from_utf8(d).map_err(|_| alloc::format!("{path} is not UTF-8 text"))
        })
    };
    let config = match qvm::config::parse_args(words, &mut read) {
        Ok(c) => c,
        Err(e) => {
            println!("qvm: {e}");
            return EXIT_BAD_CONFIG;
        }
    };
    // Placement's defaults that depend on the host (on AArch64 the GIC
    // version of a `vdev gic` without `version`).
    let options = qvm::arch::guest::place_options(&sys::sysinfo());
    let layout = match qvm::layout::place_with(&config, &options) {
        Ok(l) => l,
        Err(e) => {
            println!("qvm: {e}");
            return EXIT_BAD_CONFIG;
        }
    };
    logger::configure(&config);
    let name = String::from(config.system.as_deref().unwrap_or("qvm"));
    let shown: String = alloc::format!("qvm-{name}").chars().take(31).collect();
    let _ = sys::set_name(&shown);
    if config.dryrun {
        return assemble::dryrun(&config, &layout);
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
            vcpu_loop::run(vm)
        }
        Err(e) => {
            log::error!("qvm: {name}: {e}");
            EXIT_START_FAILED
        }
    }
}
