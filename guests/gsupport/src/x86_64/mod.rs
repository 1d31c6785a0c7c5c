//! The x86_64 half of the guest support library: a guest is a static
//! ELF executable linked at 2 MiB (`guest-x86_64.ld`) with a Multiboot v1
//! header ([`header`]), started by QEMU `-kernel` on a PC or by `qvm`'s
//! multiboot loader in 32-bit protected mode, where [`boot`] enters long
//! mode on its own identity map; or, built without a header, started by
//! `qvm` in long mode at [`boot64`]'s entry. The guest then learns its
//! machine from the multiboot information (v1 or Multiboot2: RAM, command
//! line, the RSDP) and ACPI (CPUs, APICs, power control)
//! into a [`Platform`], prints on COM1 ([`console`]), takes interrupts
//! through the local APIC ([`lapic`], [`exceptions`]), keeps time with the
//! TSC ([`tsc`]), starts the other CPUs ([`smp`]) and powers off through
//! ACPI ([`power`]).

pub mod acpi;
pub mod boot;
pub mod boot64;
pub mod console;
pub mod cpu;
pub mod exceptions;
pub mod header;
pub mod ioapic;
pub mod lapic;
pub mod mmio;
pub mod msr;
pub mod multiboot;
pub mod paging;
pub mod platform;
pub mod port;
pub mod power;
pub mod smp;
pub mod tsc;

pub use platform::Platform;

/// Reports a panic on the console and powers the machine off.
#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    match info.location() {
        Some(at) => console::emergency(format_args!(
            "gsupport: cpu {} panicked at {at}: {}\n",
            cpu::index(),
            info.message()
        )),
        None => console::emergency(format_args!(
            "gsupport: cpu {} panicked: {}\n",
            cpu::index(),
            info.message()
        )),
    }
    power::system_off()
}
