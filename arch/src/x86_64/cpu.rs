//! This CPU as the kernel sees it: its index (kept in IA32_TSC_AUX and
//! read with RDPID or RDTSCP where the CPU has them, else found by its
//! APIC ID), the TSC, waiting for interrupts, and zeroing memory.
//!
//! The index cannot live in GS: ring 3 may load any selector into GS,
//! and the trap path does not switch GS bases. IA32_TSC_AUX is a
//! supervisor-only MSR (ring 3 may read it with RDTSCP, which tells it
//! only which CPU it runs on).

use super::gdt::MAX_CPUS;
use super::lapic;
use core::sync::atomic::{AtomicU8, AtomicU32, Ordering};
use raw_cpuid::CpuId;
use x86_64::registers::model_specific::Msr;

/// IA32_TSC_AUX: what RDTSCP and RDPID return.
const IA32_TSC_AUX: u32 = 0xC000_0103;
/// How this CPU finds its index (set on the boot CPU).
static METHOD: AtomicU8 = AtomicU8::new(BY_APIC_ID);
const BY_RDPID: u8 = 0;
const BY_RDTSCP: u8 = 1;
const BY_APIC_ID: u8 = 2;
/// Each index's APIC ID (for [`BY_APIC_ID`]); `u32::MAX`: none.
static APIC_IDS: [AtomicU32; MAX_CPUS] = [const { AtomicU32::new(u32::MAX) }; MAX_CPUS];

/// This CPU's APIC ID from CPUID (leaf 0xB's x2APIC ID where the CPU
/// has the leaf, else leaf 1's initial APIC ID): usable before the local
/// APIC is set up.
pub fn apic_id_from_cpuid() -> u32 {
    let cpuid = CpuId::new();
    if let Some(id) = cpuid
        .get_extended_topology_info()
        .and_then(|mut levels| levels.next())
        .map(|level| level.x2apic_id())
    {
        return id;
    }
    cpuid
        .get_feature_info()
        .map_or(0, |f| u32::from(f.initial_local_apic_id()))
}

/// Records this CPU's index: in IA32_TSC_AUX and in the APIC ID table.
pub fn set_index(index: usize) {
    if index == 0 {
        let cpuid = CpuId::new();
        let rdpid = cpuid
            .get_extended_feature_info()
            .is_some_and(|f| f.has_rdpid());
        let rdtscp = cpuid
            .get_extended_processor_and_feature_identifiers()
            .is_some_and(|f| f.has_rdtscp());
        let method = if rdpid {
            BY_RDPID
        } else if rdtscp {
            BY_RDTSCP
        } else {
            BY_APIC_ID
        };
        METHOD.store(method, Ordering::Relaxed);
    }
    if METHOD.load(Ordering::Relaxed) != BY_APIC_ID {
        // SAFETY: the CPU has RDPID or RDTSCP, hence IA32_TSC_AUX.
        unsafe { Msr::new(IA32_TSC_AUX).write(index as u64) };
    }
    if let Some(slot) = APIC_IDS.get(index) {
        slot.store(lapic::id(), Ordering::Relaxed);
    }
}

/// The APIC ID of the CPU with index `index` (recorded as it started).
pub fn apic_id_of(index: usize) -> u32 {
    APIC_IDS
        .get(index)
        .map_or(u32::MAX, |slot| slot.load(Ordering::Relaxed))
}

/// This CPU's index.
#[inline]
pub fn index() -> usize {
    match METHOD.load(Ordering::Relaxed) {
        BY_RDPID => {
            let value: u64;
            // SAFETY: RDPID reads IA32_TSC_AUX; the CPU has it.
            unsafe { core::arch::asm!("rdpid {}", out(reg) value, options(nomem, nostack)) };
            value as usize
        }
        BY_RDTSCP => {
            let mut aux = 0u32;
            // SAFETY: RDTSCP reads the TSC and IA32_TSC_AUX; the CPU has it.
            unsafe { core::arch::x86_64::__rdtscp(&mut aux) };
            aux as usize
        }
        _ => {
            let id = lapic::id();
            APIC_IDS
                .iter()
                .position(|slot| slot.load(Ordering::Relaxed) == id)
                .unwrap_or(0)
        }
    }
}

/// Waits for an interrupt: it is taken as soon as the CPU wakes (`sti;
/// hlt` lets none in before the HLT), and comes back masked.
pub fn wait_for_interrupt() {
    // SAFETY: interrupts on for the HLT only; the kernel-mode interrupt
    // path notes the vector and returns here.
    unsafe { core::arch::asm!("sti", "hlt", "cli", options(nomem, nostack)) };
}

/// Halts with interrupts masked (only NMI, INIT or SMI end it).
pub fn halt() {
    // SAFETY: stops this CPU until an NMI, INIT or reset.
    unsafe { core::arch::asm!("cli", "hlt", options(nomem, nostack)) };
}

/// The current frame pointer.
#[inline(always)]
pub fn frame_pointer() -> usize {
    let rbp: usize;
    // SAFETY: reads a register.
    unsafe { core::arch::asm!("mov {}, rbp", out(reg) rbp, options(nomem, nostack)) };
    rbp
}

/// Zeroes `len` bytes at `addr` (`rep stosq`).
///
/// # Safety
/// The range must be writable memory the caller owns; both 8-byte
/// multiples.
pub unsafe fn zero(addr: usize, len: usize) {
    // SAFETY: the caller's promise.
    unsafe {
        core::arch::asm!(
            "rep stosq",
            inout("rdi") addr => _,
            inout("rcx") len / 8 => _,
            in("rax") 0u64,
            options(nostack)
        );
    }
}
