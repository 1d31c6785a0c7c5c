//! The interrupt descriptor table all CPUs share: 256 interrupt gates to
//! the stubs of `vectors.rs` (Intel SDM Vol. 3A 7.14.1, "64-Bit Mode IDT").
//!
//! The gates are encoded here rather than through the `x86_64` crate's
//! `InterruptDescriptorTable`: that type names exceptions by field and
//! types each handler, while every gate here points at a stub of one
//! shared save path, indexed by number.

use super::entry::KERNEL_CODE_SELECTOR;
use super::gdt::EMERGENCY_IST;
use super::vectors;
use core::cell::UnsafeCell;
use x86_64::VirtAddr;
use x86_64::instructions::tables::lidt;
use x86_64::structures::DescriptorTablePointer;

/// Gate type: 64-bit interrupt gate (IF cleared on entry).
const GATE_INTERRUPT: u64 = 0xE;
/// Gate attribute: present.
const GATE_PRESENT: u64 = 1 << 7;
/// Gate attribute bits 5-6: the lowest ring that may `int` to it.
const GATE_DPL_SHIFT: u64 = 5;
/// #NMI and #DF switch to the emergency stack.
const NMI_VECTOR: u8 = 2;
/// See [`NMI_VECTOR`].
const DOUBLE_FAULT_VECTOR: u8 = 8;
/// Breakpoint (`int3`), which ring 3 may raise itself.
const BREAKPOINT_VECTOR: u8 = 3;

/// The 16-byte gate for `handler` with `ist` (0: none) and `dpl`.
pub fn gate(handler: u64, ist: u16, dpl: u8) -> [u64; 2] {
    let low = (handler & 0xFFFF)
        | (u64::from(KERNEL_CODE_SELECTOR) << 16)
        | (u64::from(ist & 7) << 32)
        | ((GATE_INTERRUPT | GATE_PRESENT | (u64::from(dpl & 3) << GATE_DPL_SHIFT)) << 40)
        | ((handler >> 16) & 0xFFFF) << 48;
    [low, handler >> 32]
}

#[repr(C, align(16))]
struct Table(UnsafeCell<[[u64; 2]; 256]>);
// SAFETY: written by the boot CPU in `init` before any other CPU loads it.
unsafe impl Sync for Table {}
static IDT: Table = Table(UnsafeCell::new([[0; 2]; 256]));

/// Fills the table (once, on the boot CPU) with `user_vectors` open to
/// ring 3 (the system-call vector).
///
/// # Safety
/// Called once, before any CPU loads the table.
pub unsafe fn init(user_vectors: &[u8]) {
    // SAFETY: nothing reads the table yet (the caller's promise).
    let table = unsafe { &mut *IDT.0.get() };
    for (n, entry) in table.iter_mut().enumerate() {
        let vector = n as u8;
        let ist = if vector == NMI_VECTOR || vector == DOUBLE_FAULT_VECTOR {
            EMERGENCY_IST
        } else {
            0
        };
        let dpl = if vector == BREAKPOINT_VECTOR || user_vectors.contains(&vector) {
            3
        } else {
            0
        };
        *entry = gate(vectors::stub(vector), ist, dpl);
    }
}

/// Loads the table on this CPU.
pub fn load() {
    let pointer = DescriptorTablePointer {
        limit: (core::mem::size_of::<[[u64; 2]; 256]>() - 1) as u16,
        base: VirtAddr::from_ptr(IDT.0.get()),
    };
    // SAFETY: the table is static and filled by `init` with gates to the
    // stubs.
    unsafe { lidt(&pointer) };
}
