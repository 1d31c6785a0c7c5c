//! `hello`: the smallest guest. Prints where it runs (exception level,
//! CPUs, PL011, GIC, PSCI, RAM) and powers off with PSCI `SYSTEM_OFF`.
//!
//! Console lines:
//! ```text
//! hello: running at EL1 on 4 CPUs, PL011 at 0x9000000
//! hello: GICv3 at 0x8000000, PSCI 1.1 over hvc, RAM 0x40000000..0x80000000, image at 0x40200000
//! hello: powering off
//! ```
//!
//! On an x86_64 PC, see `x86_64.rs`.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(all(target_os = "none", target_arch = "aarch64"))]
gsupport::entry!(main);

#[cfg(all(target_os = "none", target_arch = "x86_64"))]
mod x86_64;
#[cfg(all(target_os = "none", target_arch = "x86_64"))]
gsupport::entry!(x86_64::main);

#[cfg(all(target_os = "none", target_arch = "aarch64"))]
fn main(platform: &'static gsupport::Platform) -> ! {
    use gsupport::dt::GicInfo;
    use gsupport::{cpu, println, psci};

    println!(
        "hello: running at EL{} on {} CPUs, PL011 at {:#x}",
        cpu::current_el(),
        platform.cpus().len(),
        platform.uart.unwrap_or(0)
    );
    let (gic, gicd) = match platform.gic {
        GicInfo::V2 { gicd, .. } => (2, gicd),
        GicInfo::V3 { gicd, .. } => (3, gicd),
        GicInfo::None => (0, 0),
    };
    let (major, minor) = psci::version().map_or((0, 0), |v| (v.major, v.minor));
    let ram = platform.ram()[0];
    println!(
        "hello: GICv{gic} at {gicd:#x}, PSCI {major}.{minor} over {}, RAM {:#x}..{:#x}, image at {:#x}",
        platform.psci.name(),
        ram.start,
        ram.end,
        platform.image.start
    );
    println!("hello: powering off");
    psci::system_off()
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("hello is a guest: `cargo xtask run --guest hello --bare` boots it");
}
