//! The one place the kernel picks its architecture. Everything else in the
//! kernel reaches the CPU, the interrupt controller, address translation
//! and the virtualization backend through the `arch` traits, on the type
//! named here; x86_64's type is the other one, behind its `cfg`.

#[cfg(target_arch = "aarch64")]
pub use arch::aarch64::Aarch64 as Arch;
#[cfg(target_arch = "x86_64")]
pub use arch::x86_64::X86_64 as Arch;

/// The registers a trap saves.
pub type Frame = <Arch as arch::Traps>::Frame;
/// A vCPU's architectural state beyond its frame.
pub type VcpuState = <Arch as arch::Virtualization>::VcpuState;
/// The register set `vcpu_set_regs` takes.
pub type VcpuRegs = <Arch as arch::Virtualization>::Regs;
/// The host interrupt controller's driver.
pub type IrqChip = <Arch as arch::Platform>::IrqChip;
/// The interrupt controller's virtual CPU interface.
pub type VirtIf = <Arch as arch::Platform>::VirtIf;
/// The console UART's driver.
pub type Console = <Arch as arch::Platform>::Console;
/// The kernel's map of all memory.
pub type KernelMap = <Arch as arch::Boot>::KernelMap;
/// Bytes of a saved frame (the slot at the top of each kernel stack).
pub const FRAME_SIZE: usize = core::mem::size_of::<Frame>();
