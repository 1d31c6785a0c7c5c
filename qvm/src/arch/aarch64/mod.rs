//! AArch64 guests: the `virt`-like machine `qvm` builds. A GICv2 or GICv3
//! (`gic.rs`, its defaults in `layout.rs`, its INTIDs in `irq.rs`), PSCI
//! over HVC, the generic timer, PL011 and SP805 primecells (`fdt.rs`,
//! `models.rs`), what the configuration's words mean here (`rules.rs`),
//! the report's lines (`report.rs`), Linux's arm64 `Image` and the ELF
//! images (`image.rs`), Linux's 32-bit ARM `zImage` (`zimage.rs`),
//! the VM settings and boot vCPU's registers (`boot.rs`; AArch32 guests'
//! in `aarch32.rs`), where the device tree and ramdisk go
//! (`boot_data.rs`), exits
//! (`exit.rs`).
//!
//! The names re-exported here are what the rest of `qvm` uses (see
//! `super`); an architecture beside this one exports the same.

pub mod aarch32;
pub mod boot;
pub mod boot_data;
pub mod exit;
pub mod fdt;
pub mod gic;
pub mod image;
pub mod irq;
pub mod layout;
#[cfg(feature = "vmm")]
pub mod models;
pub mod report;
pub mod rules;
pub mod zimage;

pub use boot::{
    VM_CONFIG_REFUSED, VcpuRegs, boot_regs, check_host_irq_chip, check_image_layout, place_options,
    vm_config, vm_config_refused,
};
pub use boot_data::{BootData, FDT_SPACE, place_boot_data};
pub use exit::{UNKNOWN_HYPERCALL, dump_machine, dump_regs, syndrome};
pub use fdt::{CONSOLE_KINDS, DeviceTree};
pub use gic::{GicLayout as IrqChipLayout, PlaceOptions, note_lines_used, place_irq_chip};
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
