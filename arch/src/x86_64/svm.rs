//! AMD SVM (AMD64 APM Vol. 2, chapter 15 "Secure Virtual Machine"), the
//! x86 backend of the kernel's `Virtualization` trait (`../virt.rs`): the
//! VMCB's layout ([`vmcb`]), a vCPU's guest state in it ([`vcpu`]), the
//! vCPU's whole state and the register sets it takes ([`state`]), exits
//! decoded ([`exit`]) and turned into the kernel's ([`decode`]), and on
//! the target the per-CPU enable and the world switch (`run`).

pub mod decode;
pub mod exit;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod run;
pub mod state;
pub mod vcpu;
pub mod vmcb;
