//! `hello` on an x86_64 PC: where it runs (long mode, CPUs from the MADT,
//! COM1), the APICs, the ACPI OEM, the RAM holding the image, and power
//! off through ACPI S5.
//!
//! Console lines (bare QEMU `pc`, 1 GiB, 4 CPUs):
//! ```text
//! hello: running in long mode on 4 CPUs, COM1 at 0x3f8
//! hello: local APIC at 0xfee00000, I/O APIC at 0xfec00000, ACPI BOCHS, RAM 0x100000-0x3ffdffff, image at 0x200000
//! hello: powering off
//! ```

use gsupport::{Platform, console, power, println};

pub fn main(platform: &'static Platform) -> ! {
    println!(
        "hello: running in long mode on {} CPUs, COM1 at {:#x}",
        platform.cpus().len(),
        console::COM1
    );
    let ram = platform.image_ram().unwrap_or_default();
    let ioapic = platform.ioapic.map_or(0, |io| io.addr);
    println!(
        "hello: local APIC at {:#x}, I/O APIC at {ioapic:#x}, ACPI {}, RAM {:#x}-{:#x}, image at {:#x}",
        platform.lapic,
        platform.oem(),
        ram.start,
        ram.end.saturating_sub(1),
        platform.image.start
    );
    println!("hello: powering off");
    power::system_off()
}
