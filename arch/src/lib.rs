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
pub mod context;
pub mod devices;
pub mod exit;
pub mod paging;
pub mod platform;
pub mod virt;
pub mod x86_64;

pub use context::UserContext;
pub use devices::{IrqChip, Uart, VirtualCpuInterface};
pub use exit::{GuestExit, Hypercall, MmioAccess, RegisterAccess};
pub use paging::{Perms, Run};
pub use platform::{Boot, Cpu, HostTimer, HostTrap, Platform, StartError, Translation, Traps};
pub use virt::{BadRegisters, Virtualization};
