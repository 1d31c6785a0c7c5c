//! TLB shootdown: a flush the kernel asks for on every CPU (Intel SDM
//! Vol. 3A 5.10.5, "Propagation of Paging-Structure Changes to Multiple
//! Processors"). x86 has no broadcast invalidation: the CPU that changes a
//! table flushes its own TLB and interrupts the others, and waits until
//! none of them can run user code on a stale entry before the kernel
//! reuses the frames.
//!
//! Each CPU has a *pending* flag and an *in kernel* flag. The flusher sets
//! a target's pending flag, then reads its in-kernel flag; the target,
//! leaving the kernel, clears in-kernel, then reads pending (both
//! sequentially consistent, so at least one sees the other's write). A
//! target in the kernel flushes on its way out; one in ring 3 takes the
//! [`SHOOTDOWN_VECTOR`] interrupt, flushes and clears pending, which the
//! flusher waits for. A halted or idle CPU is in the kernel.

use super::gdt::MAX_CPUS;
use super::{cpu, lapic};
use core::sync::atomic::{AtomicBool, Ordering, fence};

/// The vector of a shootdown request (no INTID stands for it).
pub const SHOOTDOWN_VECTOR: u8 = 0xF0;

static PENDING: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];
static IN_KERNEL: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(true) }; MAX_CPUS];
static ONLINE: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];

/// Drops this CPU's TLB entries of non-global pages (a CR3 reload), and
/// has its guests' TLB flushed before its next guest entry.
pub fn flush_local() {
    x86_64::instructions::tlb::flush_all();
    super::guest_cpu::mark_tlb_stale(cpu::index());
}

/// Marks CPU `cpu` as one that takes shootdowns (as it starts).
pub fn online(cpu: usize) {
    if let Some(flag) = ONLINE.get(cpu) {
        flag.store(true, Ordering::SeqCst);
    }
}

/// This CPU entered the kernel from ring 3.
pub fn enter_kernel(cpu: usize) {
    if let Some(flag) = IN_KERNEL.get(cpu) {
        flag.store(true, Ordering::SeqCst);
    }
}

/// This CPU is about to return to ring 3: a shootdown asked for while it
/// was in the kernel is done now.
pub fn leave_kernel(cpu: usize) {
    let (Some(in_kernel), Some(pending)) = (IN_KERNEL.get(cpu), PENDING.get(cpu)) else {
        return;
    };
    in_kernel.store(false, Ordering::SeqCst);
    fence(Ordering::SeqCst);
    if pending.swap(false, Ordering::SeqCst) {
        flush_local();
    }
}

/// The [`SHOOTDOWN_VECTOR`] interrupt on this CPU.
pub fn handle(cpu: usize) {
    if PENDING
        .get(cpu)
        .is_some_and(|p| p.swap(false, Ordering::SeqCst))
    {
        flush_local();
    }
    lapic::eoi();
}

/// Runs `here` (this CPU's flush) and makes every other CPU flush its
/// TLB before any of them runs user code again.
pub fn everywhere(here: impl FnOnce()) {
    here();
    let me = cpu::index();
    let others = || (0..MAX_CPUS).filter(move |&c| c != me && ONLINE[c].load(Ordering::SeqCst));
    for c in others() {
        PENDING[c].store(true, Ordering::SeqCst);
    }
    fence(Ordering::SeqCst);
    for c in others() {
        if !IN_KERNEL[c].load(Ordering::SeqCst) {
            lapic::send_ipi(cpu::apic_id_of(c), SHOOTDOWN_VECTOR);
        }
    }
    for c in others() {
        while PENDING[c].load(Ordering::SeqCst) && !IN_KERNEL[c].load(Ordering::SeqCst) {
            core::hint::spin_loop();
        }
    }
}
