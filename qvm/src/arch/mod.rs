//! What `qvm` knows about the guest's architecture, behind one name:
//! [`guest`], the module of the architecture this `qvm` builds VMs for.
//! The rest of `qvm` (configuration, placement, the device tree writer,
//! the loader, the report, assembly, the vCPU loop) calls what `guest`
//! exports and names no architecture:
//!
//! - placement: where RAM starts ([`guest::RAM_BASE`]), the interrupt
//!   controller (`find_irq_chip`, `place_irq_chip`, `note_lines_used`,
//!   `IrqChipLayout`, `PlaceOptions`), what `loc` and `intr` mean
//!   (`device_address`, `irq_line`, `check_device_line`, `DEVICE_LINES`),
//!   device types and `pass` entries it refuses (`check_vdev_kind`,
//!   `check_pass_io`), each type's default place and window
//!   (`default_place`, `reg_size`, `VDEV_SLOT`);
//! - the device tree: [`guest::DeviceTree`] (root, firmware, CPUs,
//!   interrupt controller, timers, clocks, the architecture's own device
//!   nodes, interrupt specifiers), `CONSOLE_KINDS`; where the tree and
//!   the ramdisk go (`place_boot_data`, `BootData`, `FDT_SPACE`);
//! - the report: `cpu_detail`, `report_lines`;
//! - the loader: its kernel images (`kernel_image`,
//!   `place_kernel_image`, `check_compressed`), `ELF_MACHINE`, `MACHINE`,
//!   `ELF_KINDS` (the ELF classes and machines it runs);
//! - starting the VM: `vm_config` (and `VM_CONFIG_REFUSED`,
//!   `vm_config_refused`), `VcpuRegs`, `boot_regs`, `place_options`,
//!   `check_host_irq_chip`, `check_image_layout`; the console UART's type and the types
//!   `qvm` has models for (`UART`, `MODELLED`), with feature `vmm` the
//!   UART's model (`Uart`);
//! - the vCPU loop: `UNKNOWN_HYPERCALL`, `syndrome`; core dumps:
//!   `dump_machine`, `dump_regs`.
//!
//! The module is chosen by the guest's architecture, never by
//! `cfg(target_arch)`: the library also runs on the build host
//! (`cargo xtask qvm-check`, `cargo test -p qvm`).

pub mod aarch64;
pub mod x86_64;

/// The guest architecture: AArch64, or x86-64 with feature `guest-x86_64`
/// (the `qvm` of an x86 host). Both modules build and are tested on the
/// build host whichever is chosen; the device tree (`crate::fdt`) exists
/// only for AArch64 guests.
#[cfg(not(feature = "guest-x86_64"))]
pub use aarch64 as guest;
#[cfg(feature = "guest-x86_64")]
pub use x86_64 as guest;
