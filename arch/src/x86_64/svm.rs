//! AMD SVM (AMD64 APM Vol. 2, chapter 15 "Secure Virtual Machine"): the
//! VMCB's layout ([`vmcb`]), a vCPU's guest state in it ([`vcpu`]), exits
//! decoded ([`exit`]), and on the target the per-CPU enable and the world
//! switch (`run`). Not yet wired into
//! the kernel's `Virtualization` trait (issue 12).

pub mod exit;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod run;
pub mod vcpu;
pub mod vmcb;
