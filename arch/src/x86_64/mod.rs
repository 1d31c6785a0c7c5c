//! x86-64 (issue 12). What lives here now is pure logic that builds for
//! every target and is tested on the build host with `cargo test -p arch`:
//! the page-table descriptor formats behind the generic walker
//! ([`crate::paging`]), [`ept`] (Intel's extended page tables, for VMX) and
//! [`long_mode`] (the 4-level long-mode format: AMD's nested page tables
//! for SVM, and the host's own tables); [`mmio_decode`], the decoder of
//! the guest instruction behind an EPT or NPT fault; [`cpuid`], the filter
//! of what a guest's CPUID sees; [`msr`], the allow-list of the MSRs a
//! guest may read and write, with their per-vCPU values. No kernel uses
//! them yet.
//!
//! What comes with issue 12: a type implementing the arch traits as
//! `aarch64/` does, with `platform.rs` and `boot.rs` (long mode, GDT and
//! IDT, the LAPIC timer, INIT-SIPI) and two `Virtualization` backends,
//! `vmx/` (VMX with EPT) and `svm/` (SVM with NPT), chosen by CPUID at
//! boot. The parts that execute instructions compile only for x86_64, as
//! the CPU code of `aarch64/` does only for aarch64.

pub mod cpuid;
pub mod ept;
pub mod guest_paging;
pub mod intid_vector;
pub mod kernel_map;
pub mod long_mode;
pub mod mmio_decode;
pub mod msr;
pub mod svm;
pub mod trap_frame;
pub mod vmx;

#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod ap_start;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod boot;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod cpu;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod entry;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod gdt;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod guest_cpu;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod guest_entry;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod idt;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod ioapic;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod irq_chip;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod lapic;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod pending;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod pic8259;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod platform;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod shootdown;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod start;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod tsc;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod uart16550;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod vectors;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod virt;

/// x86-64 with VMX or SVM: the platform the kernel runs on
/// (`platform.rs`, `boot.rs`).
#[derive(Clone, Copy, Debug)]
pub struct X86_64;
