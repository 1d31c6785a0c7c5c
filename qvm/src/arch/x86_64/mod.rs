//! x86-64 guests: the PC-like machine `qvm` builds. RAM from 0, the local
//! APICs and the I/O APIC the kernel emulates (`apic.rs`, their places in
//! `layout.rs`, their pins in `irq.rs`), the PC's legacy devices at their
//! ports (`layout.rs`), what the configuration's words mean here
//! (`rules.rs`), the report's lines (`report.rs`), multiboot kernels and
//! the ELF images it runs (`image.rs`), the VM settings and the boot
//! vCPU's registers (`boot.rs`), the identity map an ELF64 kernel without
//! a multiboot header starts on in long mode (`long_mode.rs`), exits
//! (`exit.rs`), the ACPI tables the guest finds its CPUs, interrupt
//! controllers and power-off in (`acpi/`), the memory map (`memmap.rs`),
//! the BIOS's bytes in the RTC's CMOS RAM (`cmos.rs`), Linux bzImages by
//! the 64-bit boot protocol (`linux/`).
//!
//! The names re-exported here are what the rest of `qvm` uses (see
//! `super`), the same as `aarch64` exports but for the device tree, which
//! an x86 guest does not have.

pub mod acpi;
pub mod apic;
pub mod boot;
pub mod cmos;
pub mod exit;
pub mod image;
pub mod irq;
pub mod layout;
pub mod linux;
pub mod long_mode;
pub mod memmap;
#[cfg(feature = "vmm")]
pub mod models;
pub mod report;
pub mod rules;

pub use apic::{ApicLayout as IrqChipLayout, PlaceOptions, note_lines_used, place_irq_chip};
pub use boot::{
    VM_CONFIG_REFUSED, VcpuRegs, boot_regs, check_host_irq_chip, check_image_layout, place_options,
    vm_config, vm_config_refused,
};
pub use exit::{UNKNOWN_HYPERCALL, dump_machine, dump_regs, syndrome};
pub use image::{
    ELF_KINDS, ELF_MACHINE, MACHINE, check_compressed, kernel_image, place_kernel_image,
};
pub use irq::{DEVICE_LINES, LINE_NAME, check_device_line};
pub use layout::{RAM_BASE, default_place, reg_size, slot_size};
#[cfg(feature = "vmm")]
pub use models::Uart;
pub use report::{cpu_detail, report_lines};
pub use rules::{
    MODELLED, UART, check_device_space, check_pass_io, check_vdev_kind, claim_companions,
    device_address, find_irq_chip, irq_line, is_irq_chip,
};
