//! Per-architecture CPU code of the hypervisor kernel.
//!
//! The kernel is written against the traits in this file; each architecture
//! implements them once (`aarch64/`, later `x86_64/`), so the compiler checks
//! that every implementation offers the same interface. Pure logic (page-table
//! encoders, syndrome decoders) builds on the build host too and is tested
//! there with `cargo test -p arch`; the instructions that touch the CPU are
//! compiled only for their own target.
#![cfg_attr(not(test), no_std)]

pub mod aarch64;
pub mod board;
pub mod exit;
pub mod paging;
pub mod platform;
pub mod virt;

pub use exit::{GuestExit, Hypercall, MmioAccess, RegisterAccess};
pub use platform::{Boot, Cpu, HostTimer, HostTrap, StartError, Translation, Traps};
pub use virt::{BadRegisters, Virtualization};

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

    /// Records how to call the firmware (CPU start, power off).
    fn set_firmware(method: board::PsciMethod);
    /// The host interrupt controller the board describes; `cpus` are the
    /// hardware ids of its CPUs in index order.
    fn irq_chip(info: &board::GicInfo, cpus: &[u64]) -> Option<Self::IrqChip>;
    /// Sets up the controller's shared part (once, on the boot CPU).
    fn init_irq_chip(chip: &mut Self::IrqChip);
    /// The virtual CPU interface, if the controller has one.
    fn virtual_interface(info: &board::GicInfo) -> Option<Self::VirtIf>;
    /// The console driver for the UART at `base`.
    ///
    /// # Safety
    /// `base` must be the board's console UART, mapped as device memory,
    /// and used by nothing else.
    unsafe fn console(base: usize) -> Self::Console;
}

/// A user thread's saved registers: what an exception from user mode saves
/// and what returning to user mode restores.
pub trait UserContext: Default + Clone {
    /// A context that starts at `entry` with stack `sp` and the first two
    /// argument registers set.
    fn new_user(entry: usize, sp: usize, arg0: usize, arg1: usize) -> Self;
    /// System-call number.
    fn syscall_number(&self) -> usize;
    /// System-call arguments.
    fn syscall_args(&self) -> [usize; 6];
    /// Sets the value a system call returns.
    fn set_return(&mut self, value: usize);
    /// The program counter.
    fn pc(&self) -> usize;
    /// The stack pointer.
    fn sp(&self) -> usize;
}

/// Access permissions of a page in a user address space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Perms {
    /// Readable.
    pub read: bool,
    /// Writable.
    pub write: bool,
    /// Executable.
    pub exec: bool,
}

impl Perms {
    /// Read and write, no execute.
    pub const RW: Perms = Perms {
        read: true,
        write: true,
        exec: false,
    };
    /// Read and execute.
    pub const RX: Perms = Perms {
        read: true,
        write: false,
        exec: true,
    };
    /// Read only.
    pub const R: Perms = Perms {
        read: true,
        write: false,
        exec: false,
    };
}

/// The interrupt controller of the host.
pub trait IrqChip {
    /// Sets up this CPU's interface; the distributor is set up by CPU 0.
    fn init_cpu(&mut self, cpu: usize);
    /// Enables interrupt `intid`, level-triggered or edge, routed to CPU
    /// `cpu` (for shared interrupts) or on CPU `cpu` (for private ones).
    fn enable(&mut self, intid: u32, cpu: usize, edge: bool);
    /// Disables interrupt `intid`.
    fn disable(&mut self, intid: u32, cpu: usize);
    /// Takes the highest-priority pending interrupt, if any.
    fn acknowledge(&mut self) -> Option<u32>;
    /// Ends the handling of `intid`.
    fn end_of_interrupt(&mut self, intid: u32);
    /// Sends the software interrupt `sgi` to CPU `cpu`.
    fn send_ipi(&mut self, cpu: usize, sgi: u32);
    /// The GIC architecture version, for the banner.
    fn version(&self) -> u32;
}

/// A serial port used as the host console.
pub trait Uart {
    /// Sends one byte, waiting for room.
    fn put(&mut self, byte: u8);
    /// A received byte, if one is waiting.
    fn get(&mut self) -> Option<u8>;
    /// Raises the UART's interrupt when input arrives.
    fn enable_rx_interrupt(&mut self);
}

/// The hardware virtual CPU interface of the GIC: list registers through
/// which the kernel hands virtual interrupts to the guest that runs, and
/// the guest's own interface state kept while it is off the CPU.
pub trait VirtualCpuInterface {
    /// Number of list registers.
    fn list_registers(&self) -> usize;
    /// Reads list register `n`.
    fn read_lr(&self, n: usize) -> u64;
    /// Writes list register `n`.
    fn write_lr(&self, n: usize, value: u64);
    /// Turns the virtual interface on; with `underflow`, also the
    /// maintenance interrupt when at most one list register is valid.
    fn enable(&self, underflow: bool);
    /// Turns it off (no maintenance interrupts while a host thread runs).
    fn disable(&self);
    /// Saves the guest's interface state (VMCR, active priorities).
    fn save(&self) -> [u64; 2];
    /// Restores it.
    fn restore(&self, state: [u64; 2]);
    /// The GIC architecture version of the CPU interface guests see.
    fn guest_version(&self) -> u32;
    /// Where the hardware's virtual CPU interface frame is, for a VM's
    /// table to map at the guest's CPU interface (GICv2's GICV); `None`
    /// when guests reach it through system registers.
    fn guest_frame(&self) -> Option<usize>;
}
