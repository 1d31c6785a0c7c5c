//! [`X86_64`] as the kernel's platform: the CPU, the local APIC timer,
//! the translation of process spaces, and traps from host processes.

use super::gdt::MAX_CPUS;
use super::irq_chip::ApicChip;
use super::trap_frame::TrapFrame;
use super::uart16550::Uart16550;
use super::{X86_64, cpu, guest_cpu, guest_entry, intid_vector, lapic, pending, tsc};
use crate::board::{Firmware, IrqControllerInfo, X86_TIMER_PPI};
use crate::paging::DescriptorFormat;
use crate::platform::{Cpu, HostTimer, HostTrap, Translation, Traps};
use crate::{Platform, VirtualCpuInterface};
use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};
use x86_64::PhysAddr;
use x86_64::registers::control::{Cr2, Cr3, Cr3Flags};
use x86_64::structures::paging::PhysFrame;

/// Whether each CPU's active space is a VM's (`Translation::activate`).
static GUEST_ACTIVE: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];

/// Exception vectors (Intel SDM Vol. 3A table 7-1).
const VECTOR_PAGE_FAULT: u64 = 14;
/// The first interrupt vector.
const FIRST_INTERRUPT: u64 = 32;
/// Page-fault error code bits (SDM 5.7): P (a protection fault, else
/// not present), W/R (a write), I/D (an instruction fetch).
const PF_PRESENT: u64 = 1 << 0;
const PF_WRITE: u64 = 1 << 1;
const PF_FETCH: u64 = 1 << 4;

impl Cpu for X86_64 {
    #[inline]
    fn index() -> usize {
        cpu::index()
    }

    fn set_index(index: usize) {
        cpu::set_index(index);
    }

    fn hw_id() -> u64 {
        u64::from(cpu::apic_id_from_cpuid())
    }

    #[inline]
    fn counter() -> u64 {
        tsc::now()
    }

    fn counter_hz() -> u64 {
        tsc::hz()
    }

    #[inline]
    fn spin_hint() {
        core::hint::spin_loop();
    }

    fn wait_for_interrupt() {
        cpu::wait_for_interrupt();
    }

    fn wait_for_event() {
        cpu::halt();
    }

    #[inline(always)]
    fn frame_pointer() -> usize {
        cpu::frame_pointer()
    }

    unsafe fn zero_ram(addr: usize, len: usize) {
        // SAFETY: the caller's promise (RAM it owns, page multiples).
        unsafe { cpu::zero(addr, len) };
    }
}

/// The vector of the host timer's interrupt.
fn timer_vector() -> u8 {
    intid_vector::vector_of(X86_TIMER_PPI).unwrap_or(lapic::SPURIOUS_VECTOR)
}

impl HostTimer for X86_64 {
    fn set_deadline(deadline: u64) {
        lapic::set_deadline(timer_vector(), deadline, tsc::now());
    }

    fn stop() {
        lapic::stop_timer();
    }
}

/// Process spaces: the 4-level long-mode format with every page
/// user-accessible; CR3 selects one. There is no PCID yet: the tag is
/// not used, and every switch of CR3 drops the old space's TLB entries.
/// VM spaces: NPT or EPT, as the backend needs (`ept/guest.rs`).
impl Translation for X86_64 {
    type Format = super::long_mode::LongMode<true>;
    type GuestFormat = super::ept::guest::GuestTables;
    const SPACE_ADDRESS_BITS: u32 = <Self::Format as DescriptorFormat>::ADDRESS_BITS;

    fn root(table: usize, _tag: u16) -> u64 {
        table as u64
    }

    /// The nested table with its tag in the low 12 bits, marked
    /// [`guest_entry::GUEST_ROOT`].
    fn guest_root(table: usize, tag: u16) -> u64 {
        guest_entry::GUEST_ROOT | table as u64 | u64::from(tag & 0xFFF)
    }

    /// A process's root goes into CR3; a VM's is the nested table of the
    /// CPU's next guest entry, and CR3 gets the kernel's own map, so that
    /// the process table it held is no longer in use (ARM's VTTBR_EL2
    /// likewise selects one space at a time).
    fn activate(root: u64) {
        let mut root = root;
        if root & guest_entry::GUEST_ROOT != 0 {
            guest_cpu::set_nested_root(root);
            GUEST_ACTIVE[super::cpu::index()].store(true, Ordering::Relaxed);
            root = super::boot::kernel_root();
        } else {
            GUEST_ACTIVE[super::cpu::index()].store(false, Ordering::Relaxed);
        }
        if Cr3::read_raw().0.start_address().as_u64() != root {
            let frame = PhysFrame::containing_address(PhysAddr::new(root));
            // SAFETY: `root` is a process space's PML4, which maps the
            // kernel in its first slot (the kernel's map, shared), or the
            // kernel's own.
            unsafe { Cr3::write(frame, Cr3Flags::empty()) };
        }
    }

    fn active() -> u64 {
        if GUEST_ACTIVE[super::cpu::index()].load(Ordering::Relaxed) {
            return guest_cpu::nested_root();
        }
        Cr3::read_raw().0.start_address().as_u64()
    }

    fn prepare_process_space(table: usize) {
        // SAFETY: `table` is a zeroed page-table frame the caller owns,
        // identity-mapped; slot 0 is outside every user address.
        unsafe { (table as *mut u64).write_volatile(super::boot::kernel_slot()) };
    }

    fn release_process_space(table: usize) {
        // SAFETY: as above; the space is no longer active anywhere.
        unsafe { (table as *mut u64).write_volatile(0) };
    }

    /// This CPU reloads CR3; the others flush through a shootdown.
    fn flush_active() {
        super::shootdown::everywhere(super::shootdown::flush_local);
    }

    /// INVLPG here; the others flush their whole TLB (a shootdown). Every
    /// CPU flushes its guests' TLB before its next guest entry too: the
    /// page may be a VM's.
    fn flush_page(addr: usize) {
        super::shootdown::everywhere(|| {
            x86_64::instructions::tlb::flush(x86_64::VirtAddr::new_truncate(addr as u64));
            guest_cpu::mark_tlb_stale(super::cpu::index());
        });
    }
}

/// Why a host process faulted, as its one-line report says it.
pub enum ProcessFault {
    /// A page fault: the address, the error code, the RIP.
    Page { address: u64, error: u64, rip: u64 },
    /// Any other exception: its vector, error code and RIP.
    Exception { vector: u64, error: u64, rip: u64 },
}

/// The name of exception `vector` (SDM table 7-1).
pub fn exception_name(vector: u64) -> &'static str {
    const NAMES: [&str; 22] = [
        "divide error (#DE)",
        "debug (#DB)",
        "NMI",
        "breakpoint (#BP)",
        "overflow (#OF)",
        "BOUND range exceeded (#BR)",
        "invalid opcode (#UD)",
        "device not available (#NM)",
        "double fault (#DF)",
        "coprocessor segment overrun",
        "invalid TSS (#TS)",
        "segment not present (#NP)",
        "stack-segment fault (#SS)",
        "general protection (#GP)",
        "page fault (#PF)",
        "reserved vector 15",
        "x87 floating-point error (#MF)",
        "alignment check (#AC)",
        "machine check (#MC)",
        "SIMD floating-point (#XM)",
        "virtualization exception (#VE)",
        "control protection (#CP)",
    ];
    NAMES.get(vector as usize).copied().unwrap_or("exception")
}

impl fmt::Display for ProcessFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ProcessFault::Page {
                address,
                error,
                rip,
            } => {
                let access = if error & PF_FETCH != 0 {
                    "execute"
                } else if error & PF_WRITE != 0 {
                    "write"
                } else {
                    "read"
                };
                let kind = if error & PF_PRESENT != 0 {
                    "protection"
                } else {
                    "not present"
                };
                write!(
                    f,
                    "page fault ({access}, {kind}) at {address:#x}, pc {rip:#x}"
                )
            }
            ProcessFault::Exception { vector, error, rip } => write!(
                f,
                "{} (error code {error:#x}) at pc {rip:#x}",
                exception_name(vector)
            ),
        }
    }
}

/// An exception the kernel took itself, as its panic report says it.
pub struct KernelFault {
    vector: u64,
    error: u64,
    rip: u64,
    cr2: u64,
}

impl fmt::Display for KernelFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} in the kernel (error code {:#x}), RIP {:#x}, CR2 {:#x}",
            exception_name(self.vector),
            self.error,
            self.rip,
            self.cr2
        )
    }
}

fn fault_address() -> u64 {
    Cr2::read_raw()
}

impl Traps for X86_64 {
    type Frame = TrapFrame;
    type Fault = ProcessFault;
    type KernelFault = KernelFault;

    fn host_trap(frame: &mut TrapFrame, vector: u64) -> HostTrap<ProcessFault> {
        let rip = frame.rip;
        match vector {
            v if v == u64::from(intid_vector::SYSCALL_VECTOR) => HostTrap::SystemCall,
            v if (FIRST_INTERRUPT..256).contains(&v) => {
                pending::note(cpu::index(), v as u8);
                HostTrap::Interrupt
            }
            VECTOR_PAGE_FAULT => HostTrap::Fault(ProcessFault::Page {
                address: fault_address(),
                error: frame.error,
                rip,
            }),
            _ => HostTrap::Fault(ProcessFault::Exception {
                vector,
                error: frame.error,
                rip,
            }),
        }
    }

    fn kernel_fault(frame: &TrapFrame, vector: u64) -> KernelFault {
        KernelFault {
            vector,
            error: frame.error,
            rip: frame.rip,
            cr2: fault_address(),
        }
    }

    fn saved_frame_pointer(frame: &TrapFrame) -> usize {
        frame.rbp as usize
    }
}

/// x86 has no hardware virtual CPU interface with list registers: the
/// virtual local APIC is the kernel's (`kernel/src/vlapic`). The type has
/// no values; [`crate::Platform::virtual_interface`] is always `None`.
pub enum NoVirtualInterface {}

impl VirtualCpuInterface for NoVirtualInterface {
    fn list_registers(&self) -> usize {
        match *self {}
    }
    fn read_lr(&self, _n: usize) -> u64 {
        match *self {}
    }
    fn write_lr(&self, _n: usize, _value: u64) {
        match *self {}
    }
    fn enable(&self, _underflow: bool) {
        match *self {}
    }
    fn disable(&self) {
        match *self {}
    }
    fn maintenance_status(&self) -> u32 {
        match *self {}
    }
    fn empty_lrs(&self) -> u64 {
        match *self {}
    }
    fn save(&self) -> [u64; 2] {
        match *self {}
    }
    fn restore(&self, _state: [u64; 2]) {
        match *self {}
    }
    fn guest_version(&self) -> u32 {
        match *self {}
    }
    fn guest_frame(&self) -> Option<usize> {
        match *self {}
    }
}

impl Platform for X86_64 {
    type IrqChip = ApicChip;
    type VirtIf = NoVirtualInterface;
    type Console = Uart16550;
    // No hardware guest timer or maintenance interrupt on x86: two
    // private INTIDs no vector stands for in the x86 chip's use.
    const GUEST_TIMER_INTID: u32 = 27;
    const MAINTENANCE_INTID: u32 = 25;

    fn level_name() -> &'static str {
        if super::svm::run::available() {
            "ring 0 (SVM)"
        } else if super::vmx::run::available() {
            "ring 0 (VMX)"
        } else {
            "ring 0"
        }
    }

    fn set_firmware(firmware: &Firmware) {
        super::boot::set_firmware(firmware);
    }

    fn irq_chip(info: &IrqControllerInfo, cpus: &[u64]) -> Option<ApicChip> {
        match *info {
            // SAFETY: the MADT names the I/O APIC; the kernel map covers
            // it (below 4 GiB, uncached by the MTRRs) and only this driver
            // uses it.
            IrqControllerInfo::Apic { ioapic, .. } => Some(unsafe { ApicChip::new(ioapic, cpus) }),
            _ => None,
        }
    }

    fn init_irq_chip(_chip: &mut ApicChip) {
        // The I/O APIC's pins were masked when the driver was made; each
        // CPU's local APIC is set up by `IrqChip::init_cpu`.
    }

    fn virtual_interface(_info: &IrqControllerInfo) -> Option<NoVirtualInterface> {
        None
    }

    unsafe fn console(base: usize, _kind: crate::board::UartKind) -> Uart16550 {
        // SAFETY: the caller guarantees the UART (an I/O port base here).
        unsafe { Uart16550::new(base as u16) }
    }
}
