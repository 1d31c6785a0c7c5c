//! [`X86_64`] as the kernel's platform: the CPU, the local APIC timer,
//! the translation of process spaces, and traps from host processes.

use super::trap_frame::TrapFrame;
use super::{X86_64, cpu, intid_vector, lapic, pending, tsc};
use crate::board::X86_TIMER_PPI;
use crate::paging::DescriptorFormat;
use crate::platform::{Cpu, HostTimer, HostTrap, Translation, Traps};
use core::fmt;
use x86_64::registers::control::Cr2;

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
impl Translation for X86_64 {
    type Format = super::long_mode::LongMode<true>;
    const SPACE_ADDRESS_BITS: u32 = <Self::Format as DescriptorFormat>::ADDRESS_BITS;

    fn root(table: usize, _tag: u16) -> u64 {
        table as u64
    }

    fn activate(root: u64) {
        if Self::active() != root {
            // SAFETY: `root` is a space's PML4, which maps the kernel in
            // its first slot (the kernel's map, shared).
            unsafe { core::arch::asm!("mov cr3, {}", in(reg) root, options(nostack)) };
        }
    }

    fn active() -> u64 {
        let cr3: u64;
        // SAFETY: reads CR3.
        unsafe { core::arch::asm!("mov {}, cr3", out(reg) cr3, options(nomem, nostack)) };
        cr3 & !0xFFF
    }

    fn flush_active() {
        let cr3 = Self::active();
        // SAFETY: reloading CR3 with its value drops its non-global TLB
        // entries on this CPU.
        unsafe { core::arch::asm!("mov cr3, {}", in(reg) cr3, options(nostack)) };
    }

    fn flush_page(addr: usize) {
        x86_64::instructions::tlb::flush(x86_64::VirtAddr::new_truncate(addr as u64));
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
