//! Intel VMX (Intel SDM Vol. 3C, chapters 25-29), the second x86 backend
//! of the kernel's `Virtualization` trait (`../virt.rs`), beside SVM:
//! VM-execution controls checked against what the CPU allows
//! ([`controls`], [`sync`]), a vCPU's state while it is off the CPU
//! ([`state`]; the CR bits VMX fixes, [`fixed`]), exit reasons and
//! qualifications decoded ([`exit`]) and turned into the kernel's
//! ([`decode`]; control registers in [`cr`], MSRs in [`msr_exit`]), a
//! vCPU's guest state in its VMCS (`vcpu`, on x86 hosts), and on the
//! target VMXON, the host state and the world switch (`run`, `world`).

pub mod controls;
#[cfg(target_arch = "x86_64")]
pub mod cr;
#[cfg(target_arch = "x86_64")]
pub mod decode;
pub mod exit;
#[cfg(all(test, target_arch = "x86_64"))]
mod fake_vmcs;
#[cfg(target_arch = "x86_64")]
pub mod fixed;
#[cfg(target_arch = "x86_64")]
pub mod msr_exit;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod run;
#[cfg(target_arch = "x86_64")]
pub mod state;
#[cfg(target_arch = "x86_64")]
pub mod sync;
#[cfg(target_arch = "x86_64")]
pub mod vcpu;
#[cfg(all(target_arch = "x86_64", target_os = "none"))]
pub mod world;
