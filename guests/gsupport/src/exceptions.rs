//! The EL1 exception vectors: IRQs go to the GIC driver and the guest's
//! handler; a synchronous exception inside [`catch`] is recorded and the
//! faulting instruction skipped; anything else is reported on the console
//! (ESR, FAR, ELR) and the machine powered off.
//!
//! For the benchmarks, every vector reads the virtual counter as its first
//! instruction after saving two registers, and the IRQ path times the
//! acknowledge and the end of interrupt: see [`irq_times`].

use crate::{MAX_CPUS, console, cpu, gic, psci, timer};
use arch::aarch64::esr;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};

core::arch::global_asm!(
    r#"
.macro GS_VECTOR kind
    .balign 0x80
    sub     sp, sp, #192
    stp     x0, x1, [sp]
    mrs     x1, cntvct_el0      // when it was taken (exception entry synchronizes)
    mov     x0, #\kind
    b       gs_exception_common
.endm

.section .text.guest_vectors, "ax"
.balign 0x800
.global gs_vectors
gs_vectors:
    GS_VECTOR 0
    GS_VECTOR 1
    GS_VECTOR 2
    GS_VECTOR 3
    GS_VECTOR 4
    GS_VECTOR 5
    GS_VECTOR 6
    GS_VECTOR 7
    GS_VECTOR 8
    GS_VECTOR 9
    GS_VECTOR 10
    GS_VECTOR 11
    GS_VECTOR 12
    GS_VECTOR 13
    GS_VECTOR 14
    GS_VECTOR 15

.section .text
gs_exception_common:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x29, [sp, #144]
    mrs     x2, elr_el1
    mrs     x3, spsr_el1
    stp     x30, x2, [sp, #160]
    str     x3, [sp, #176]
    mov     x2, x1
    mov     x1, x0
    mov     x0, sp
    bl      gs_exception
    ldr     x3, [sp, #176]
    ldp     x30, x2, [sp, #160]
    msr     elr_el1, x2
    msr     spsr_el1, x3
    ldp     x18, x29, [sp, #144]
    ldp     x16, x17, [sp, #128]
    ldp     x14, x15, [sp, #112]
    ldp     x12, x13, [sp, #96]
    ldp     x10, x11, [sp, #80]
    ldp     x8, x9, [sp, #64]
    ldp     x6, x7, [sp, #48]
    ldp     x4, x5, [sp, #32]
    ldp     x2, x3, [sp, #16]
    ldp     x0, x1, [sp]
    add     sp, sp, #192
    eret
"#
);

/// The registers the vectors save (the caller-saved ones, the frame
/// pointer, the link register, ELR_EL1 and SPSR_EL1).
#[repr(C)]
#[derive(Debug)]
pub struct Frame {
    /// x0 to x18.
    pub x: [u64; 19],
    /// x29.
    pub fp: u64,
    /// x30.
    pub lr: u64,
    /// Where the exception returns to.
    pub elr: u64,
    /// The interrupted PSTATE.
    pub spsr: u64,
    _pad: u64,
}

unsafe extern "C" {
    static gs_vectors: u8;
}

/// Points this CPU's VBAR_EL1 at the vectors.
pub(crate) fn install() {
    // SAFETY: the vector table is in the image, 2 KiB aligned.
    unsafe { core::arch::asm!("msr vbar_el1, {0}", "isb", in(reg) &raw const gs_vectors) };
}

/// What a synchronous exception inside [`catch`] was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// ESR_EL1.
    pub esr: u64,
    /// FAR_EL1 (meaningful for aborts).
    pub far: u64,
}

impl Fault {
    /// The exception class.
    pub fn class(&self) -> u64 {
        esr::class(self.esr)
    }

    /// Whether it is an abort, which sets FAR_EL1.
    pub fn is_abort(&self) -> bool {
        matches!(
            self.class(),
            esr::EC_DABT_CURRENT | esr::EC_IABT_CURRENT | esr::EC_DABT_LOWER | esr::EC_IABT_LOWER
        )
    }
}

/// What it was, in words: "data abort: synchronous external abort (ESR
/// 0x96000010, FAR 0x80000000)", "undefined instruction (ESR 0x2000000)".
impl core::fmt::Display for Fault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}", esr::class_name(self.class()))?;
        if self.is_abort() {
            let status = esr::fault_status_name(esr::iss(self.esr));
            write!(f, ": {status} (ESR {:#x}, FAR {:#x})", self.esr, self.far)
        } else {
            write!(f, " (ESR {:#x})", self.esr)
        }
    }
}

/// Per-CPU state of [`catch`].
struct Catch {
    active: AtomicBool,
    hit: AtomicBool,
    esr: AtomicU64,
    far: AtomicU64,
}

static CATCH: [Catch; MAX_CPUS] = [const {
    Catch {
        active: AtomicBool::new(false),
        hit: AtomicBool::new(false),
        esr: AtomicU64::new(0),
        far: AtomicU64::new(0),
    }
}; MAX_CPUS];

/// Runs `f`; a synchronous exception it takes is recorded and the faulting
/// (4-byte) instruction skipped. Make the instruction that may fault a
/// single `asm!` instruction whose outputs are preset, so skipping it
/// leaves defined values.
pub fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Fault> {
    let slot = &CATCH[cpu::index() % MAX_CPUS];
    slot.hit.store(false, Ordering::Relaxed);
    slot.active.store(true, Ordering::SeqCst);
    let result = f();
    slot.active.store(false, Ordering::SeqCst);
    if slot.hit.load(Ordering::SeqCst) {
        Err(Fault {
            esr: slot.esr.load(Ordering::Relaxed),
            far: slot.far.load(Ordering::Relaxed),
        })
    } else {
        Ok(result)
    }
}

static IRQ_HANDLER: AtomicPtr<()> = AtomicPtr::new(core::ptr::null_mut());

/// Calls `handler(intid)` for each interrupt this CPU takes (the GIC is
/// acknowledged before and ended after). SGIs on GICv2 come without the
/// source CPU bits.
pub fn set_irq_handler(handler: fn(u32)) {
    IRQ_HANDLER.store(handler as *mut (), Ordering::SeqCst);
}

/// Names of the vector table's entries.
const KINDS: [&str; 4] = ["synchronous", "IRQ", "FIQ", "SError"];

/// Per-CPU timings of the last IRQ taken, in counter ticks.
struct IrqTimes {
    entry: AtomicU64,
    ack: AtomicU64,
    eoi: AtomicU64,
    done: AtomicU64,
}

static IRQ_TIMES: [IrqTimes; MAX_CPUS] = [const {
    IrqTimes {
        entry: AtomicU64::new(0),
        ack: AtomicU64::new(0),
        eoi: AtomicU64::new(0),
        done: AtomicU64::new(0),
    }
}; MAX_CPUS];

/// How this CPU's last IRQ went, in virtual counter ticks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IrqStamps {
    /// The counter when the vector was entered (its third instruction).
    pub entry: u64,
    /// Ticks of the acknowledge ([`gic::acknowledge`], bracketed by two
    /// counter reads).
    pub ack: u64,
    /// Ticks of the end of interrupt ([`gic::end`], bracketed the same way).
    pub eoi: u64,
    /// Interrupts this CPU has ended so far.
    pub done: u64,
}

/// The timings of the last IRQ this CPU took. `entry` is valid from the
/// guest's handler on; `ack` and `eoi` once the handler has returned (so
/// only to code that runs on the same CPU after the interrupt).
pub fn irq_times() -> IrqStamps {
    irq_times_of(cpu::index())
}

/// The timings of the last IRQ CPU `cpu` took; its `ack` and `eoi` belong
/// to the interrupt that made `done` what it is.
pub fn irq_times_of(cpu: usize) -> IrqStamps {
    let t = &IRQ_TIMES[cpu % MAX_CPUS];
    let done = t.done.load(Ordering::SeqCst);
    IrqStamps {
        entry: t.entry.load(Ordering::Relaxed),
        ack: t.ack.load(Ordering::Relaxed),
        eoi: t.eoi.load(Ordering::Relaxed),
        done,
    }
}

#[unsafe(no_mangle)]
extern "C" fn gs_exception(frame: &mut Frame, kind: u64, taken_at: u64) {
    if kind == 5 || kind == 1 {
        IRQ_TIMES[cpu::index() % MAX_CPUS]
            .entry
            .store(taken_at, Ordering::Relaxed);
        return irq();
    }
    let (esr_value, far): (u64, u64);
    // SAFETY: reading the syndrome and fault address registers.
    unsafe {
        core::arch::asm!("mrs {0}, esr_el1", "mrs {1}, far_el1", out(reg) esr_value, out(reg) far);
    }
    let slot = &CATCH[cpu::index() % MAX_CPUS];
    if kind == 4 && slot.active.load(Ordering::SeqCst) {
        slot.esr.store(esr_value, Ordering::Relaxed);
        slot.far.store(far, Ordering::Relaxed);
        slot.hit.store(true, Ordering::SeqCst);
        frame.elr += 4;
        return;
    }
    let fault = Fault {
        esr: esr_value,
        far,
    };
    console::emergency(format_args!(
        "gsupport: unexpected {} exception on cpu {}{}: {fault}, ELR {:#x}, SPSR {:#x}\n",
        KINDS[(kind & 3) as usize],
        cpu::index(),
        if kind >= 8 { " from a lower level" } else { "" },
        frame.elr,
        frame.spsr
    ));
    psci::system_off()
}

/// Takes every pending interrupt and hands it to the guest's handler.
fn irq() {
    let times = &IRQ_TIMES[cpu::index() % MAX_CPUS];
    loop {
        let before_ack = timer::counter();
        let Some(irq) = gic::acknowledge() else {
            break;
        };
        times
            .ack
            .store(timer::counter() - before_ack, Ordering::Relaxed);
        let handler = IRQ_HANDLER.load(Ordering::SeqCst);
        let intid = irq.intid();
        if handler.is_null() {
            console::emergency(format_args!(
                "gsupport: unexpected IRQ {intid} on cpu {} (no handler)\n",
                cpu::index()
            ));
        } else {
            // SAFETY: only `set_irq_handler` stores here, a `fn(u32)`.
            let handler: fn(u32) = unsafe { core::mem::transmute(handler) };
            handler(intid);
        }
        let before_eoi = timer::counter();
        gic::end(irq);
        times
            .eoi
            .store(timer::counter() - before_eoi, Ordering::Relaxed);
        times.done.fetch_add(1, Ordering::SeqCst);
    }
}
