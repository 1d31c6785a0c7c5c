//! Starting an x86 guest: the kernel's VM settings for its APICs
//! (`vm_configure`) and the boot vCPU's registers, in 32-bit protected
//! mode as multiboot kernels start (Multiboot 0.6.96 3.2 "Machine state";
//! Multiboot2 3.3 "I386 machine state"), or in 64-bit long mode on an
//! identity map for ELF64 kernels without a multiboot header
//! (`long_mode.rs`; docs/qvmconf.md, "How an x86 guest starts").

use alloc::string::String;

use super::acpi::{PM_BASE, PmPorts};
use super::apic::ApicLayout;
use super::apic::PlaceOptions;
use crate::config::{Config, ConfigError};
use crate::layout::VmLayout;
use crate::loader::Format;
use crate::multiboot::{EntryState, MULTIBOOT2_BOOTLOADER_MAGIC};

pub use abi::x86_64::VcpuRegs;

/// What `vm_configure` failing means here.
pub const VM_CONFIG_REFUSED: &str =
    "cannot set up the emulated APICs (the host needs SVM with nested paging)";

/// CR0.PE: protected mode.
const CR0_PE: u64 = 1 << 0;
/// CR0.ET: hard-wired to 1 on every processor since the i486.
const CR0_ET: u64 = 1 << 4;
/// CR0.PG: paging (Intel SDM Vol. 3A 2.5 "Control Registers").
const CR0_PG: u64 = 1 << 31;
/// CR4.PAE: physical address extension, which long mode's paging needs.
const CR4_PAE: u64 = 1 << 5;
/// IA32_EFER.LME (bit 8): IA-32e mode enable; .LMA (bit 10): IA-32e mode
/// active, what the processor sets once paging is on with LME.
const EFER_LME: u64 = 1 << 8;
const EFER_LMA: u64 = 1 << 10;
/// RFLAGS bit 1, always set.
const RFLAGS_FIXED: u64 = 1 << 1;
/// `VcpuRegs::gpr` indices (the instruction encoding's register numbers).
const RAX: usize = 0;
const RBX: usize = 3;
const RSI: usize = 6;

/// The kernel's settings of the VM: emulated local APICs and I/O APIC,
/// and the ACPI PM timer of the PM1 block every x86 VM has
/// (`firmware/pc.rs`), whose reads the kernel answers. The image's format
/// changes none of them (a 32-bit x86 kernel switches its own modes).
pub fn vm_config(layout: &VmLayout<ApicLayout>, _image: Format) -> Result<abi::VmConfig, String> {
    let apic = &layout.gic;
    let pm_timer = PmPorts::block(PM_BASE).pm_tmr.unwrap_or(0);
    Ok(abi::VmConfig {
        gic_version: abi::IRQ_CHIP_APIC,
        gicd: apic.ioapic.base,
        gicr_or_gicc: apic.lapic.base,
        vcpus: layout.cpus.len() as u64,
        spis: u64::from(apic.pins),
        pm_timer_port: u64::from(pm_timer),
        flags: 0,
    })
}

/// The message for `vm_configure` failing with `error`: whatever the
/// image, [`VM_CONFIG_REFUSED`] and the error's name.
pub fn vm_config_refused(error: abi::Error, _path: &str, _image: Format) -> String {
    alloc::format!("{VM_CONFIG_REFUSED}: {}", error.name())
}

/// Every image the loader places can run in the layout placement made
/// (its loaders check their addresses against RAM).
pub fn check_image_layout(
    _config: &Config,
    _layout: &VmLayout<ApicLayout>,
    _image: Format,
) -> Result<(), ConfigError> {
    Ok(())
}

/// The boot vCPU of a multiboot kernel: flat 32-bit segments (base 0, the
/// kernel's own registers say 4 GiB limits), protected mode without paging,
/// interrupts off, EIP, EAX and EBX from `state`.
pub fn boot_regs(state: &EntryState) -> VcpuRegs {
    let mut regs = VcpuRegs {
        rip: u64::from(state.eip),
        rflags: RFLAGS_FIXED,
        cr0: CR0_PE | CR0_ET,
        ..Default::default()
    };
    regs.gpr[RAX] = u64::from(state.eax);
    regs.gpr[RBX] = u64::from(state.ebx);
    regs
}

/// The boot vCPU of an ELF64 kernel without a multiboot header: 64-bit
/// long mode (CR0 PE, ET and PG; CR4.PAE; EFER LME and LMA; CS 64-bit
/// code, the data segments flat; all bases 0) on the identity map whose
/// PML4 is at `cr3`, interrupts off, RIP `entry`, RAX the Multiboot2
/// magic and RBX `info`, the Multiboot2 information; RSP and the other
/// registers 0. GDTR and IDTR are not the kernel's: it loads its own
/// before it reloads a segment register or takes an interrupt.
pub fn long_mode_regs(entry: u64, cr3: u64, info: u64) -> VcpuRegs {
    let mut regs = VcpuRegs {
        rip: entry,
        rflags: RFLAGS_FIXED,
        cr0: CR0_PE | CR0_ET | CR0_PG,
        cr3,
        cr4: CR4_PAE,
        efer: EFER_LME | EFER_LMA,
        code64: 1,
        ..Default::default()
    };
    regs.gpr[RAX] = u64::from(MULTIBOOT2_BOOTLOADER_MAGIC);
    regs.gpr[RBX] = info;
    regs
}

/// The boot vCPU of a Linux bzImage (Documentation/arch/x86/boot.rst,
/// "64-bit Boot Protocol"): long mode on the identity map at `cr3` as
/// [`long_mode_regs`], RIP the 64-bit entry point, RSI the zero page at
/// `zero_page`, every other general register 0. The protocol's GDT with
/// `__BOOT_CS` (0x10) and `__BOOT_DS` (0x18) is not set: CS and the data
/// segments are flat, and the kernel loads its own GDT before it reloads
/// a segment register (arch/x86/boot/compressed/head_64.S).
pub fn linux_regs(entry: u64, cr3: u64, zero_page: u64) -> VcpuRegs {
    let mut regs = long_mode_regs(entry, cr3, 0);
    regs.gpr = [0; 16];
    regs.gpr[RSI] = zero_page;
    regs
}

/// Nothing about the I/O APIC depends on the host (the kernel emulates
/// the local APICs whatever it runs on).
pub fn check_host_irq_chip(
    _layout: &VmLayout<ApicLayout>,
    _info: &abi::SysInfo,
) -> Result<(), ConfigError> {
    Ok(())
}

/// Placement's choices on this host: none on x86.
pub fn place_options(_info: &abi::SysInfo) -> PlaceOptions {
    PlaceOptions {}
}
