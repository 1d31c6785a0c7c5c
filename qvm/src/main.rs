//! `qvm`: assembles one VM from its configuration and runs it, one host
//! thread per vCPU. Started as `qvm @file.qvmconf [options]`; files come
//! from the bootfs. Exit status as in `shared/qvmconf.md`: 0 the guest shut
//! down or asked for a reset, 5 unsupported operation under `abort`, 64
//! failed before the guest started, 65 bad configuration, 96 failed after
//! the guest started.
#![no_std]
#![no_main]

extern crate alloc;

mod arch;
mod assemble;
mod guestmem;
mod logger;
mod netlink;
mod vcpu_loop;
mod vmconsole;

use alloc::string::String;
use alloc::vec::Vec;
use ulib::{println, sys};

/// The guest shut down or asked for a reset.
pub const EXIT_OK: usize = 0;
/// An unsupported operation under `unsupported ... abort`.
pub const EXIT_UNSUPPORTED: usize = 5;
/// Failed before the guest started.
pub const EXIT_START_FAILED: usize = 64;
/// Bad configuration.
pub const EXIT_BAD_CONFIG: usize = 65;
/// Failed after the guest started.
pub const EXIT_RUN_FAILED: usize = 96;

/// Reads a whole bootfs file.
pub fn read_file(path: &str) -> Result<Vec<u8>, String> {
    let mut data = Vec::new();
    let mut chunk = alloc::vec![0u8; 64 * 1024];
    loop {
        match sys::bootfs_read(path, &mut chunk, data.len()) {
            Ok(0) => return Ok(data),
            Ok(n) => data.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(alloc::format!("cannot read {path}: {}", e.name())),
        }
    }
}

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
    // A `vdev gic` without `version` gets the host's kind: the virtual CPU
    // interface is the host GIC's hardware.
    let default_gic = match sys::sysinfo().vm_gic_version {
        2 => qvm::config::GicVersion::V2,
        _ => qvm::config::GicVersion::V3,
    };
    let options = qvm::layout::PlaceOptions { default_gic };
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
        Ok(vm) => vcpu_loop::run(vm),
        Err(e) => {
            log::error!("qvm: {name}: {e}");
            EXIT_START_FAILED
        }
    }
}
