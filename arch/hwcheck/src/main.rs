//! `hwcheck`: a bare-metal x86_64 program that checks the hardware paths
//! of the arch crate's virtualization backends before the kernel drives
//! them (issue 12). It boots through the same entry as the kernel (PVH from
//! QEMU `-kernel`, multiboot2 from GRUB), turns on SVM (QEMU `-cpu EPYC`)
//! or VMX (Bochs `corei7_skylake_x`), sets a vCPU up with
//! `arch::x86_64::{svm,vmx}::vcpu`, and runs a 32-bit guest under nested
//! paging (NPT or EPT) through the world switch (`run.rs`):
//!
//! ```text
//! mov dx, 0x3f8 ; mov al, 'G' ; out dx, al   -> an I/O exit: port, size, the byte
//! mov eax, 0x1234 ; vmmcall (vmcall)         -> a hypercall exit with RAX
//! hlt                                        -> a HLT exit
//! ```
//!
//! Each exit is decoded (`svm::exit`, `vmx::exit`) and printed on COM1;
//! the cases `x86-hwcheck-*` (`xtask/src/itest/x86.rs`) check the lines.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
mod check;

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("hwcheck runs bare on x86_64: `cargo xtask test --filter hwcheck`");
}
