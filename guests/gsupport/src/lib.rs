//! Support for the test guests: bare-metal aarch64 programs that run at EL1
//! as the OS of a VM, and boot the same way directly on QEMU `virt`.
//!
//! A guest is an arm64 `Image` linked at 0 (`guest.ld`) that relocates
//! itself and learns everything from the device tree it is handed in x0:
//! RAM, the PL011, the GIC, the timer interrupts, the CPUs and the PSCI
//! conduit. The boot code ([`entry`]) relocates the image, clears `.bss`,
//! turns the EL1 MMU on with an identity map (RAM Normal, the rest Device),
//! reads the device tree into a [`Platform`], starts the console and calls
//! the guest's main function, named with [`entry!`]:
//!
//! ```text
//! #![no_std]
//! #![no_main]
//! gsupport::entry!(main);
//! fn main(platform: &'static gsupport::Platform) -> ! {
//!     gsupport::println!("hello");
//!     gsupport::psci::system_off()
//! }
//! ```
//!
//! Everything that touches the CPU is compiled for aarch64 only, so
//! `cargo check` of the workspace on the build host still works.
//!
//! The x86_64 guests ([`x86_64`], for `x86_64-unknown-none` only) are
//! static multiboot ELF executables for a PC: the same names ([`entry!`],
//! `println!`, `Platform`, `console`, `cpu`, `exceptions`, `mmio`, `smp`)
//! lead to the x86 half, which learns the machine from the multiboot
//! information ([`multiboot2`] reads the Multiboot2 one) and ACPI
//! ([`acpi`]) instead of a device tree.
#![cfg_attr(not(test), no_std)]

pub mod acpi;
pub mod dt;
pub mod multiboot2;
pub mod sync;

#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod x86_64;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub use x86_64::{Platform, console, cpu, exceptions, ioapic, lapic, mmio, msr, power, smp, tsc};

#[cfg(target_arch = "aarch64")]
pub mod console;
#[cfg(target_arch = "aarch64")]
pub mod cpu;
#[cfg(target_arch = "aarch64")]
mod drop_el1;
#[cfg(target_arch = "aarch64")]
mod el3;
#[cfg(target_arch = "aarch64")]
pub mod entry;
#[cfg(target_arch = "aarch64")]
pub mod exceptions;
#[cfg(target_arch = "aarch64")]
pub mod gic;
#[cfg(target_arch = "aarch64")]
pub mod mmio;
#[cfg(target_arch = "aarch64")]
pub mod mmu;
#[cfg(target_arch = "aarch64")]
pub mod psci;
#[cfg(target_arch = "aarch64")]
pub mod smp;
#[cfg(target_arch = "aarch64")]
pub mod timer;

#[cfg(not(all(target_arch = "x86_64", target_os = "none")))]
pub use dt::Platform;

/// Most CPUs a guest uses (the stacks in `guest.ld` are sized for this).
pub const MAX_CPUS: usize = 16;
/// Bytes of stack per CPU (as `GS_STACK_SIZE` in `guest.ld`).
pub const STACK_SIZE: usize = 0x4000;

/// Names the guest's main function, `fn(&'static Platform) -> !`, which the
/// boot code calls on the boot CPU once the console is up.
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        /// The guest's entry point, called by `gsupport`'s boot code.
        #[unsafe(export_name = "__gsupport_main")]
        fn __gsupport_main(platform: &'static $crate::Platform) -> ! {
            let main: fn(&'static $crate::Platform) -> ! = $main;
            main(platform)
        }
    };
}

/// Prints to the console (nothing before it is up).
#[macro_export]
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::console::print(format_args!($($arg)*))
    };
}

/// Prints a line to the console, in one piece even with several CPUs.
#[macro_export]
macro_rules! println {
    () => {
        $crate::console::print(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::console::print(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Reports a panic on the console and powers the machine off.
#[cfg(all(target_arch = "aarch64", target_os = "none"))]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    match info.location() {
        Some(at) => console::print(format_args!(
            "gsupport: cpu {} panicked at {at}: {}\n",
            cpu::index(),
            info.message()
        )),
        None => console::print(format_args!(
            "gsupport: cpu {} panicked: {}\n",
            cpu::index(),
            info.message()
        )),
    }
    psci::system_off()
}
