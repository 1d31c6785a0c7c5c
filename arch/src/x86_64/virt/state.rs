//! A vCPU's state beyond its frame on either backend: SVM's (its VMCB,
//! `svm/state.rs`) or VMX's (its VMCS and what the kernel changed while
//! it was off the CPU, `vmx/state.rs`). One machine runs one backend
//! (`guest_entry.rs` chose it at boot), so every vCPU is of the same kind.

use crate::x86_64::mmio_decode::Load;
use crate::x86_64::svm::decode::VECTOR_GP;
use crate::x86_64::svm::state::{FxArea, LastExit, SvmVcpu};
use crate::x86_64::svm::vcpu::inject_exception;
use crate::x86_64::vmx::state::VmxVcpu;

/// A vCPU of the SVM or the VMX backend.
pub enum VcpuState {
    Svm(SvmVcpu),
    Vmx(VmxVcpu),
}

impl VcpuState {
    /// The vCPU's FXSAVE area.
    pub fn fx(&mut self) -> &mut FxArea {
        match self {
            VcpuState::Svm(s) => &mut s.fx,
            VcpuState::Vmx(s) => &mut s.fx,
        }
    }

    /// What completing the last exit needs.
    pub fn last(&mut self) -> &mut LastExit {
        match self {
            VcpuState::Svm(s) => &mut s.last,
            VcpuState::Vmx(s) => &mut s.last,
        }
    }

    /// The last exit's load, if it was one.
    pub fn last_load(&self) -> Option<(Load, u8)> {
        match self {
            VcpuState::Svm(s) => s.last.load,
            VcpuState::Vmx(s) => s.last.load,
        }
    }

    /// Makes the guest take exception `vector` (with `error`) at its next
    /// entry, instead of going past the last exit's instruction.
    pub fn fault(&mut self, vector: u8, error: Option<u32>) {
        self.last().next_rip = None;
        match self {
            VcpuState::Svm(s) => inject_exception(&mut s.vmcb, vector, error),
            VcpuState::Vmx(s) => s.inject_exception(vector, error),
        }
    }

    /// #GP(0), what x86 raises for a refused access.
    pub fn general_protection(&mut self) {
        self.fault(VECTOR_GP, Some(0));
    }

    /// Whether the guest can take an external interrupt at its next entry.
    pub fn interrupt_window_open(&self, rflags: u64) -> bool {
        match self {
            VcpuState::Svm(s) => s.interrupt_window_open(rflags),
            VcpuState::Vmx(s) => s.interrupt_window_open(rflags),
        }
    }

    /// Injects external interrupt `vector` at the next entry.
    pub fn inject_interrupt(&mut self, vector: u8) {
        match self {
            VcpuState::Svm(s) => s.inject_interrupt(vector),
            VcpuState::Vmx(s) => s.inject_interrupt(vector),
        }
    }

    /// Whether the guest exits as soon as it can take an interrupt.
    pub fn set_window(&mut self, on: bool) {
        match self {
            VcpuState::Svm(s) => s.window = on,
            VcpuState::Vmx(s) => s.window = on,
        }
    }
}
