//! The host side of an architecture, as the kernel sees it: the CPU it runs
//! on, its timer, the translation tables of process and VM spaces, traps
//! from host processes, and starting and stopping CPUs. One type per
//! architecture implements all of these (`aarch64::Aarch64`; `x86_64`
//! later); the kernel picks it in one place and names no other arch item.

use crate::board;
use crate::context::UserContext;
use crate::devices::{IrqChip, Uart, VirtualCpuInterface};
use crate::paging::DescriptorFormat;
use crate::virt::Virtualization;
use core::fmt::Display;

/// The CPU the kernel runs on.
pub trait Cpu {
    /// This CPU's index (set by [`Cpu::set_index`] at its start).
    fn index() -> usize;
    /// Records this CPU's index.
    fn set_index(index: usize);
    /// This CPU's hardware id, as the board description lists CPUs (ARM:
    /// MPIDR affinity; x86: APIC ID); readable before [`Boot::init_cpu`].
    fn hw_id() -> u64;
    /// The free-running counter all CPUs share.
    fn counter() -> u64;
    /// Its frequency in Hz.
    fn counter_hz() -> u64;
    /// A hint inside a spin-wait loop.
    fn spin_hint();
    /// Waits for an interrupt while idle (a pending interrupt wakes the
    /// CPU even while masked; the kernel takes it on its way out).
    fn wait_for_interrupt();
    /// Waits for an event, with interrupts masked (a halted CPU's loop).
    fn wait_for_event();
    /// The current frame pointer, for a backtrace.
    fn frame_pointer() -> usize;
    /// Zeroes `len` bytes of RAM at `addr` the quickest way the CPU has
    /// (ARM: `DC ZVA`, a block per instruction: 64 bytes on a Cortex-A72
    /// or QEMU's `max`); both multiples of the page size.
    ///
    /// # Safety
    /// The range must be RAM the caller owns that the kernel's map
    /// ([`Boot::map_all_memory`]) shows as normal memory. On ARM a 2 MiB
    /// block wholly inside one RAM range is; the pages of a block that RAM
    /// only partly fills are device memory.
    unsafe fn zero_ram(addr: usize, len: usize);
}

/// The per-CPU timer the scheduler programs.
pub trait HostTimer {
    /// Interrupts when [`Cpu::counter`] reaches `deadline`.
    fn set_deadline(deadline: u64);
    /// No interrupt.
    fn stop();
}

/// Address translation of host processes and VMs (ARM stage 2; x86 EPT or
/// NPT): one table format for both, and the register that selects the
/// active table with its TLB tag (VMID; VPID/ASID).
pub trait Translation {
    /// How descriptors of a process space's table are encoded.
    type Format: DescriptorFormat;
    /// How descriptors of a VM space's table are encoded (ARM: the same
    /// stage 2; x86: NPT or EPT, as the virtualization backend the boot
    /// found needs, while processes keep CR3's format).
    type GuestFormat: DescriptorFormat;
    /// Address bits of a space.
    const SPACE_ADDRESS_BITS: u32;
    /// The root value selecting the table at physical `table` with TLB tag
    /// `tag` (VTTBR_EL2 on ARM).
    fn root(table: usize, tag: u16) -> u64;
    /// The root value selecting a VM's table at physical `table` with TLB
    /// tag `tag` (ARM: as [`Translation::root`]; x86: a root the next
    /// guest entry takes as its nested CR3 or EPTP, leaving CR3 alone).
    fn guest_root(table: usize, tag: u16) -> u64;
    /// Makes `root` the active space.
    fn activate(root: u64);
    /// The active space's root.
    fn active() -> u64;
    /// Makes a new, zeroed process space's table at physical `table` one
    /// the kernel can run on: x86 puts the kernel's map (supervisor-only)
    /// in its first PML4 slot, since the kernel runs on the process's
    /// CR3; ARM needs nothing (the kernel has a translation regime of its
    /// own). Never for a VM's space.
    fn prepare_process_space(table: usize);
    /// Undoes [`Translation::prepare_process_space`] before the table is
    /// torn down, so that the tear-down leaves the kernel's map alone.
    fn release_process_space(table: usize);
    /// Drops every TLB entry of the active space, on every CPU.
    fn flush_active();
    /// Drops the TLB entries of the page at `addr` in the active space, on
    /// every CPU.
    fn flush_page(addr: usize);
}

/// What a trap from a host process asks of the kernel.
pub enum HostTrap<F> {
    /// A physical interrupt.
    Interrupt,
    /// A system call (number and arguments in the frame, as
    /// [`UserContext`] reads them).
    SystemCall,
    /// The process waits or spins (ARM WFI/WFE; x86 PAUSE): give the CPU
    /// away; the PC is already past the instruction.
    Yield,
    /// Nothing to do (a spurious FIQ).
    Nothing,
    /// A fault that ends the process, with its description.
    Fault(F),
}

/// Exceptions, as the vector code reports them.
pub trait Traps {
    /// The registers a trap saves.
    type Frame: UserContext;
    /// A host process's fault, printed in its one-line report.
    type Fault: Display;
    /// A fault of the kernel itself, printed in its panic report.
    type KernelFault: Display;
    /// Decodes a trap from a host process; `kind` is what the vector code
    /// passed along with the frame.
    fn host_trap(frame: &mut Self::Frame, kind: u64) -> HostTrap<Self::Fault>;
    /// Describes an exception the kernel took itself.
    fn kernel_fault(frame: &Self::Frame, kind: u64) -> Self::KernelFault;
    /// The frame pointer saved in a frame (for a backtrace).
    fn saved_frame_pointer(frame: &Self::Frame) -> usize;
}

/// Which board description the boot loader handed over at
/// [`BootInfo::firmware_table`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handoff {
    /// A flattened device tree (ARM).
    DeviceTree,
    /// Xen's PVH `hvm_start_info` (x86: QEMU `-kernel`).
    Pvh,
    /// The multiboot2 boot information (x86: GRUB).
    Multiboot2,
}

/// What the boot code hands the kernel.
#[derive(Clone, Copy, Debug)]
pub struct BootInfo {
    /// What [`BootInfo::firmware_table`] is.
    pub handoff: Handoff,
    /// Physical address of the firmware's board description: the device
    /// tree, the PVH start information or the multiboot2 information.
    pub firmware_table: usize,
    /// Where the image was loaded.
    pub image_start: usize,
    /// End of the kernel's memory image (code, data, .bss).
    pub kernel_end: usize,
    /// End of the whole boot image (kernel and bootfs).
    pub image_end: usize,
    /// The privilege level the CPU was started at (ARM: the exception
    /// level, after any drop from EL3).
    pub level: u64,
    /// Started at the level the hypervisor needs (EL2; VMX root).
    pub hypervisor_level: bool,
}

/// Why a CPU did not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StartError(pub i64);

/// Starting the kernel on each CPU, starting other CPUs, running threads,
/// and stopping the machine.
pub trait Boot: Traps {
    /// The kernel's map of all memory (what other CPUs switch to).
    type KernelMap: Copy;
    /// Sets this CPU up for the kernel: its index, its trap vectors and
    /// the hypervisor controls (EL2 configuration; VMX root).
    fn init_cpu(index: usize);
    /// Builds the map of all memory (RAM as normal memory; the rest as
    /// device memory; `fine` in small pages) and switches to it. `ram` and
    /// `fine` are start..end pairs.
    fn map_all_memory(ram: &[(usize, usize)], fine: &[(usize, usize)]) -> Self::KernelMap;
    /// The same below the hypervisor level (when started there, to say so
    /// on the console).
    fn map_all_memory_unprivileged(ram: &[(usize, usize)], fine: &[(usize, usize)]);
    /// What to tell the user who started the kernel below the hypervisor
    /// level, at `level`.
    fn wrong_level_advice(level: u64) -> impl Display;
    /// Top of the boot CPU's stack.
    fn boot_stack_top() -> usize;
    /// Starts CPU `hw_id` (ARM MPIDR; x86 APIC id) on `stack_top` with
    /// `map`; it enters the kernel's secondary entry with `index`. ARM:
    /// `release` is its spin-table release address, where it waits for an
    /// entry point; without one it is started through PSCI `CPU_ON` (x86:
    /// INIT-SIPI, `release` unused).
    fn start_cpu(
        hw_id: u64,
        release: Option<usize>,
        stack_top: usize,
        map: Self::KernelMap,
        index: usize,
    ) -> Result<(), StartError>;
    /// Runs the thread or guest in `frame` (at the top of this CPU's
    /// stack) until its next trap.
    ///
    /// # Safety
    /// `frame` must be the slot at the top of this CPU's kernel stack;
    /// nothing below it on the stack is used again.
    unsafe fn enter(frame: *mut Self::Frame) -> !;
    /// Powers the machine off; returns only if that failed, saying why.
    fn power_off() -> &'static str;
}

/// Everything the kernel needs of an architecture, in one bound: the
/// kernel names the implementing type once (its `hw` module) and reaches
/// the rest through these traits.
pub trait Platform:
    Cpu + HostTimer + Translation + Boot + Virtualization<Frame = <Self as Traps>::Frame>
{
    /// The host interrupt controller's driver.
    type IrqChip: IrqChip;
    /// The hardware virtual CPU interface of the interrupt controller.
    type VirtIf: VirtualCpuInterface;
    /// The console UART's driver.
    type Console: Uart + Send;
    /// The interrupt of the virtual timer a loaded guest runs on.
    const GUEST_TIMER_INTID: u32;
    /// The interrupt the virtual CPU interface raises for the kernel
    /// (GIC maintenance).
    const MAINTENANCE_INTID: u32;

    /// Where the kernel runs, for the banner ("EL2", "ring 0 with SVM").
    fn level_name() -> &'static str;
    /// Records how to call the firmware (CPU start, power off).
    fn set_firmware(firmware: &board::Firmware);
    /// The host interrupt controller the board describes; `cpus` are the
    /// hardware ids of its CPUs in index order.
    fn irq_chip(info: &board::IrqControllerInfo, cpus: &[u64]) -> Option<Self::IrqChip>;
    /// Sets up the controller's shared part (once, on the boot CPU).
    fn init_irq_chip(chip: &mut Self::IrqChip);
    /// The virtual CPU interface, if the controller has one.
    fn virtual_interface(info: &board::IrqControllerInfo) -> Option<Self::VirtIf>;
    /// The console driver for the UART at `base`.
    ///
    /// # Safety
    /// `base` must be the board's console UART, mapped as device memory,
    /// and used by nothing else.
    unsafe fn console(base: usize, kind: crate::board::UartKind) -> Self::Console;
}
