//! ARMv8-A at EL2 without VHE: host processes run at EL0 with
//! HCR_EL2.{TGE,DC,VM}, each in its own stage-2 space (DESIGN.md).

pub mod aarch32;
pub mod esr;
pub mod exit_decode;
pub mod exit_decode32;
pub mod image_asm;
pub mod mmu;
pub mod stage2;
pub mod sysreg;
pub mod sysreg_exit;
pub mod trap_frame;
pub mod trap_regs;

#[cfg(target_arch = "aarch64")]
pub mod boot;
#[cfg(target_arch = "aarch64")]
pub mod cadence_uart;
#[cfg(target_arch = "aarch64")]
pub mod cpu;
#[cfg(target_arch = "aarch64")]
pub mod el1;
#[cfg(target_arch = "aarch64")]
pub mod entry;
#[cfg(target_arch = "aarch64")]
pub mod fpsimd;
#[cfg(target_arch = "aarch64")]
pub mod gic;
#[cfg(target_arch = "aarch64")]
pub mod id_regs;
#[cfg(all(target_arch = "aarch64", feature = "kernel-mem"))]
pub mod mem;
#[cfg(target_arch = "aarch64")]
pub mod mini_uart;
#[cfg(target_arch = "aarch64")]
pub mod pl011;
#[cfg(target_arch = "aarch64")]
pub mod platform;
#[cfg(target_arch = "aarch64")]
pub mod psci;
#[cfg(target_arch = "aarch64")]
pub mod timer;
#[cfg(target_arch = "aarch64")]
pub mod vectors;
#[cfg(target_arch = "aarch64")]
pub mod vgic_v2;
#[cfg(target_arch = "aarch64")]
pub mod vgic_v3;
#[cfg(target_arch = "aarch64")]
pub mod virt;
#[cfg(target_arch = "aarch64")]
pub mod virt_if;

/// ARMv8-A at EL2: the platform and virtualization backend the kernel
/// runs on (`platform.rs`, `boot.rs`, `virt.rs`).
#[derive(Clone, Copy, Debug)]
pub struct Aarch64;
