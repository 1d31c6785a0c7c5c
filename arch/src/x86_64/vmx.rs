//! Intel VMX (Intel SDM Vol. 3C, chapters 25-29): VM-execution controls
//! checked against what the CPU allows ([`controls`]), exit reasons and
//! qualifications decoded ([`exit`]), a vCPU's guest state in its VMCS
//! (`vcpu`, on x86 hosts), and on the target VMXON, the host state and the
//! world switch (`run`). Not yet the kernel's
//! `Virtualization` backend (issue 12).

pub mod controls;
pub mod exit;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod run;
#[cfg(target_arch = "x86_64")]
pub mod vcpu;
