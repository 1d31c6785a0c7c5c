//! Interrupts taken but not yet handled, per CPU. A vector arrives
//! through the IDT (from ring 3, or while the kernel waits in `sti; hlt`);
//! the trap path notes it here and the kernel then takes it through
//! [`crate::IrqChip::acknowledge`], as it takes a GIC's pending
//! interrupts. The local APIC holds each in service until its EOI.

use super::gdt::MAX_CPUS;
use core::sync::atomic::{AtomicU64, Ordering};

/// 256 bits per CPU.
static PENDING: [[AtomicU64; 4]; MAX_CPUS] = [const { [const { AtomicU64::new(0) }; 4] }; MAX_CPUS];

/// Notes `vector` as taken on CPU `cpu`.
pub fn note(cpu: usize, vector: u8) {
    if let Some(bits) = PENDING.get(cpu) {
        bits[usize::from(vector / 64)].fetch_or(1 << (vector % 64), Ordering::Relaxed);
    }
}

/// Takes the highest noted vector on CPU `cpu` (the local APIC's
/// priority order).
pub fn take(cpu: usize) -> Option<u8> {
    let bits = PENDING.get(cpu)?;
    for word in (0..4).rev() {
        let value = bits[word].load(Ordering::Relaxed);
        if value != 0 {
            let bit = 63 - value.leading_zeros();
            bits[word].fetch_and(!(1 << bit), Ordering::Relaxed);
            return Some((word as u32 * 64 + bit) as u8);
        }
    }
    None
}

/// The kernel-mode interrupt path (`vectors.rs`).
#[unsafe(no_mangle)]
extern "C" fn __arch_x86_kernel_interrupt(vector: u64) {
    let cpu = super::cpu::index();
    if vector == u64::from(super::shootdown::SHOOTDOWN_VECTOR) {
        super::shootdown::handle(cpu);
    } else {
        note(cpu, vector as u8);
    }
}
