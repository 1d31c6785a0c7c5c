//! The IDT: a stub per vector pushes the vector (and a zero where the CPU
//! pushes no error code) and enters [`gs_exception`] with the interrupted
//! state. Vectors from 32 up are interrupts: the guest's handler runs,
//! then the local APIC gets its EOI (not for the spurious vector). An
//! exception inside [`catch`] at an instruction the fixup table lists
//! (a probe's `.gs_fixups` entry: its address and where to resume)
//! is recorded and execution resumes at the probe's fixup address; any
//! other exception is reported on the console
//! (`gsupport: unexpected exception ...`) and the machine powered off.

use super::{cpu, lapic, power};
use crate::{MAX_CPUS, console};
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};

/// The vector the local APIC's spurious interrupts use (no EOI).
pub const SPURIOUS_VECTOR: u8 = 0xFF;
/// The first vector that is not an exception.
pub const FIRST_INTERRUPT: u64 = 32;
/// The page fault's vector (CR2 holds the address).
pub const PAGE_FAULT: u64 = 14;
/// Bytes per stub (the table below spaces them so).
const STUB_SIZE: usize = 16;
/// IDT gate type: present, DPL 0, 64-bit interrupt gate (SDM Vol. 3A 6.14.1).
const GATE_INTERRUPT: u64 = 0x8E;

core::arch::global_asm!(
    r#"
.section .text
.balign 16
.global gs_isr_stubs
gs_isr_stubs:
.set gs_vector, 0
.rept 256
    .balign 16
    // The CPU pushes an error code for #DF, #TS, #NP, #SS, #GP, #PF, #AC,
    // #CP, #VC and #SX (SDM Vol. 3A 6.13).
    .if ((gs_vector == 8) | ((gs_vector >= 10) & (gs_vector <= 14)) | (gs_vector == 17) | (gs_vector == 21) | (gs_vector == 29) | (gs_vector == 30)) == 0
    pushq   $0
    .endif
    pushq   $gs_vector
    jmp     gs_isr_common
    .set gs_vector, gs_vector + 1
.endr

gs_isr_common:
    pushq   %rax
    pushq   %rcx
    pushq   %rdx
    pushq   %rsi
    pushq   %rdi
    pushq   %r8
    pushq   %r9
    pushq   %r10
    pushq   %r11
    movq    %rsp, %rdi
    cld
    call    gs_exception
    popq    %r11
    popq    %r10
    popq    %r9
    popq    %r8
    popq    %rdi
    popq    %rsi
    popq    %rdx
    popq    %rcx
    popq    %rax
    addq    $16, %rsp
    iretq
"#,
    options(att_syntax)
);

/// What the stubs and the CPU saved, lowest address first.
#[repr(C)]
#[derive(Debug)]
pub struct Frame {
    /// r11 down to rax, as pushed.
    pub regs: [u64; 9],
    /// The vector.
    pub vector: u64,
    /// The error code (0 where the CPU pushes none).
    pub error: u64,
    /// Where the interrupted code resumes.
    pub rip: u64,
    /// Its code segment.
    pub cs: u64,
    /// Its RFLAGS.
    pub rflags: u64,
    /// Its stack pointer.
    pub rsp: u64,
    /// Its stack segment.
    pub ss: u64,
}

unsafe extern "C" {
    static gs_isr_stubs: u8;
    static __gs_fixups_start: [u64; 2];
    static __gs_fixups_end: [u64; 2];
}

/// The interrupt descriptor table, two quadwords a gate.
struct Idt([[u64; 2]; 256]);

static mut IDT: Idt = Idt([[0; 2]; 256]);

/// Fills the IDT (boot CPU, once) and loads it on this CPU.
pub(crate) fn install() {
    let idt = &raw mut IDT;
    let stubs = &raw const gs_isr_stubs as u64;
    if cpu::index() == 0 {
        for vector in 0..256 {
            let handler = stubs + (vector * STUB_SIZE) as u64;
            let low = (handler & 0xFFFF)
                | (u64::from(super::boot::CODE64_SELECTOR) << 16)
                | (GATE_INTERRUPT << 40)
                | ((handler >> 16) & 0xFFFF) << 48;
            // SAFETY: only the boot CPU writes the table, before any other
            // CPU runs or any interrupt is enabled.
            unsafe { (*idt).0[vector] = [low, handler >> 32] };
        }
    }
    /// The LIDT operand: limit, then base.
    #[repr(C, packed)]
    struct Pointer(u16, u64);
    let pointer = Pointer(core::mem::size_of::<Idt>() as u16 - 1, idt as u64);
    // SAFETY: the table is static and complete: every gate leads to a stub.
    unsafe { core::arch::asm!("lidt [{0}]", in(reg) &raw const pointer, options(nostack)) };
}

/// Exception names by vector (SDM Vol. 3A, table 6-1).
const NAMES: [&str; 32] = [
    "divide error (#DE)",
    "debug (#DB)",
    "non-maskable interrupt (NMI)",
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
    "virtualization (#VE)",
    "control protection (#CP)",
    "reserved vector 22",
    "reserved vector 23",
    "reserved vector 24",
    "reserved vector 25",
    "reserved vector 26",
    "reserved vector 27",
    "hypervisor injection (#HV)",
    "VMM communication (#VC)",
    "security (#SX)",
    "reserved vector 31",
];

/// An exception a probe inside [`catch`] took.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// The vector.
    pub vector: u64,
    /// The error code (0 where the CPU pushes none).
    pub error: u64,
    /// CR2 (a page fault's address; 0 for other vectors).
    pub cr2: u64,
}

/// "general protection (#GP), error code 0"; a page fault adds its CR2.
impl core::fmt::Display for Fault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let name = NAMES.get(self.vector as usize).unwrap_or(&"interrupt");
        write!(f, "{name}, error code {:#x}", self.error)?;
        if self.vector == PAGE_FAULT {
            write!(f, ", CR2 {:#x}", self.cr2)?;
        }
        Ok(())
    }
}

/// Per-CPU state of [`catch`].
struct Catch {
    active: AtomicBool,
    hit: AtomicBool,
    vector: AtomicU64,
    error: AtomicU64,
    cr2: AtomicU64,
}

static CATCH: [Catch; MAX_CPUS] = [const {
    Catch {
        active: AtomicBool::new(false),
        hit: AtomicBool::new(false),
        vector: AtomicU64::new(0),
        error: AtomicU64::new(0),
        cr2: AtomicU64::new(0),
    }
}; MAX_CPUS];

/// Runs `f`; an exception it takes at an instruction with a fixup entry
/// (the probes of [`super::mmio`] and [`super::msr`]) is recorded and the
/// probe resumes at its fixup address, its outputs as preset.
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Fault> {
    let slot = &CATCH[cpu::index()];
    slot.hit.store(false, Ordering::Relaxed);
    slot.active.store(true, Ordering::SeqCst);
    let result = f();
    slot.active.store(false, Ordering::SeqCst);
    if slot.hit.load(Ordering::SeqCst) {
        Err(Fault {
            vector: slot.vector.load(Ordering::Relaxed),
            error: slot.error.load(Ordering::Relaxed),
            cr2: slot.cr2.load(Ordering::Relaxed),
        })
    } else {
        Ok(result)
    }
}

/// The fixup address of the probe instruction at `rip`, if it has one.
fn fixup(rip: u64) -> Option<u64> {
    let start = &raw const __gs_fixups_start;
    let end = &raw const __gs_fixups_end;
    let count = (end as usize - start as usize) / core::mem::size_of::<[u64; 2]>();
    // SAFETY: the linker script puts every `.gs_fixups` pair (two
    // quadwords) between these symbols.
    let table = unsafe { core::slice::from_raw_parts(start, count) };
    table.iter().find(|e| e[0] == rip).map(|e| e[1])
}

static IRQ_HANDLER: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

/// Calls `handler(vector)` for each interrupt (vector 32 to 254) this CPU
/// takes; the local APIC gets its EOI after.
pub fn set_irq_handler(handler: fn(u32)) {
    IRQ_HANDLER.store(handler as *mut (), Ordering::SeqCst);
}

fn cr2() -> u64 {
    let v: u64;
    // SAFETY: reading CR2 has no side effects.
    unsafe { core::arch::asm!("mov {0}, cr2", out(reg) v, options(nomem, nostack)) };
    v
}

#[unsafe(no_mangle)]
extern "C" fn gs_exception(frame: &mut Frame) {
    if frame.vector >= FIRST_INTERRUPT {
        return interrupt(frame.vector as u8);
    }
    let cr2 = if frame.vector == PAGE_FAULT { cr2() } else { 0 };
    let slot = &CATCH[cpu::index()];
    if slot.active.load(Ordering::SeqCst)
        && let Some(resume) = fixup(frame.rip)
    {
        slot.vector.store(frame.vector, Ordering::Relaxed);
        slot.error.store(frame.error, Ordering::Relaxed);
        slot.cr2.store(cr2, Ordering::Relaxed);
        slot.hit.store(true, Ordering::SeqCst);
        frame.rip = resume;
        return;
    }
    console::emergency(format_args!(
        "gsupport: unexpected exception {} on cpu {}: vector {}, error code {:#x}, RIP {:#x}, CR2 {:#x}\n",
        NAMES[frame.vector as usize],
        cpu::index(),
        frame.vector,
        frame.error,
        frame.rip,
        cr2
    ));
    power::system_off()
}

fn interrupt(vector: u8) {
    if vector == SPURIOUS_VECTOR {
        return;
    }
    let handler = IRQ_HANDLER.load(Ordering::SeqCst);
    if handler.is_null() {
        console::emergency(format_args!(
            "gsupport: unexpected interrupt, vector {vector:#x}, on cpu {} (no handler)\n",
            cpu::index()
        ));
    } else {
        // SAFETY: only `set_irq_handler` stores here, a `fn(u32)`.
        let handler: fn(u32) = unsafe { core::mem::transmute(handler) };
        handler(u32::from(vector));
    }
    lapic::eoi();
}
