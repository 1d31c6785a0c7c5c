//! `hello`: the smallest guest. Prints where it runs (exception level,
//! CPUs, the console's UART, GIC, PSCI, RAM) and powers off with PSCI
//! `SYSTEM_OFF` (where there is no PSCI, gsupport says so and parks).
//!
//! Console lines (bare QEMU `virt`):
//! ```text
//! hello: running at EL1 on 4 CPUs, PL011 at 0x9000000
//! hello: GICv3 at 0x8000000, PSCI 1.1 over hvc, RAM 0x40000000..0x80000000, image at 0x40200000
//! hello: powering off
//! ```
//! Started above EL1 (on the boards' QEMU models), the first line says
//! where: `running at EL1 (entered at EL2) on 4 CPUs, ...`. Without PSCI
//! (the Raspberry Pi 4) the second line says `no PSCI (none:
//! NotSupported)` instead.
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

    let (uart, base) = platform
        .console
        .map_or(("no UART", 0), |u| (u.kind.name(), u.base));
    let el = cpu::current_el();
    let cpus = platform.cpus().len();
    // Where the board started it, if not at EL1 (it drops to EL1).
    match gsupport::entry::entry_level() {
        1 => println!("hello: running at EL{el} on {cpus} CPUs, {uart} at {base:#x}"),
        entry => println!(
            "hello: running at EL{el} (entered at EL{entry}) on {cpus} CPUs, {uart} at {base:#x}"
        ),
    }
    let (gic, gicd) = match platform.gic {
        GicInfo::V2 { gicd, .. } => (2, gicd),
        GicInfo::V3 { gicd, .. } => (3, gicd),
        GicInfo::None => (0, 0),
    };
    let ram = platform.ram()[0];
    let image = platform.image.start;
    match psci::version() {
        Ok(v) => println!(
            "hello: GICv{gic} at {gicd:#x}, PSCI {}.{} over {}, RAM {:#x}..{:#x}, image at {image:#x}",
            v.major,
            v.minor,
            platform.psci.name(),
            ram.start,
            ram.end,
        ),
        Err(e) => println!(
            "hello: GICv{gic} at {gicd:#x}, no PSCI ({}: {e:?}), RAM {:#x}..{:#x}, image at {image:#x}",
            platform.psci.name(),
            ram.start,
            ram.end,
        ),
    }
    println!("hello: powering off");
    psci::system_off()
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("hello is a guest: `cargo xtask run --guest hello --bare` boots it");
}
