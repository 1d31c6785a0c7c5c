//! RDMSR and WRMSR exits of the VMX backend, through the same allow-list
//! and MSR store as SVM's (`msr.rs`): EFER, PAT, FS/GS base and the
//! SYSENTER MSRs in the VMCS's guest-state fields, the SYSCALL MSRs and
//! KernelGSbase in the vCPU's MSR area (`state.rs`), IA32_TSC as the TSC
//! offset, the local APIC's and unknown ones a `Register` exit.

use super::state::VmxVcpu;
use super::vcpu::VmcsAccess;
use crate::exit::{GuestExit, RegisterAccess};
use crate::x86_64::msr::{self, Emulator, MsrAction};
use crate::x86_64::svm::decode::{ExitEnv, VECTOR_GP};
use crate::x86_64::svm::state::{CR0_PG, EFER_LMA, EFER_LME};
use crate::x86_64::trap_frame::TrapFrame;
use x86::vmx::vmcs::guest;

/// Bytes of RDMSR and WRMSR (0F 32, 0F 30).
const MSR_LEN: u64 = 2;

/// The VMCS field of an MSR the processor switches through the VMCS.
fn vmcs_field(id: u32) -> Option<u32> {
    Some(match id {
        msr::IA32_FS_BASE => guest::FS_BASE,
        msr::IA32_GS_BASE => guest::GS_BASE,
        msr::IA32_SYSENTER_CS => guest::IA32_SYSENTER_CS,
        msr::IA32_SYSENTER_ESP => guest::IA32_SYSENTER_ESP,
        msr::IA32_SYSENTER_EIP => guest::IA32_SYSENTER_EIP,
        msr::IA32_PAT => guest::IA32_PAT_FULL,
        _ => return None,
    })
}

/// RDMSR or WRMSR, through the allow-list (as `svm/decode.rs`).
pub fn access(
    frame: &mut TrapFrame,
    s: &mut VmxVcpu,
    v: &mut impl VmcsAccess,
    write: bool,
    env: &impl ExitEnv,
) -> GuestExit {
    let id = frame.rcx as u32;
    let value = (frame.rdx << 32) | (frame.rax & 0xFFFF_FFFF);
    let next = frame.rip.wrapping_add(MSR_LEN);
    s.last.next_rip = Some(next);
    s.last.msr = true;
    let result: Result<Option<u64>, msr::Fault> = match msr::classify(id, write) {
        MsrAction::Emulate(Emulator::Store) if write => store_write(s, v, id, value).map(|()| None),
        MsrAction::Emulate(Emulator::Store) => store_read(s, v, id).map(Some),
        MsrAction::Emulate(Emulator::Tsc) if write => {
            s.tsc_offset = value.wrapping_sub(env.tsc());
            Ok(None)
        }
        MsrAction::Emulate(Emulator::Tsc) => Ok(Some(env.tsc().wrapping_add(s.tsc_offset))),
        MsrAction::Emulate(Emulator::Ibpb) if value & !1 == 0 => {
            if value & 1 != 0 {
                env.ibpb();
            }
            Ok(None)
        }
        MsrAction::Emulate(Emulator::Ibpb) => Err(msr::Fault),
        MsrAction::ReadZero => Ok(Some(0)),
        MsrAction::Ignore => Ok(None),
        MsrAction::Emulate(Emulator::Lapic) | MsrAction::Unsupported => {
            return GuestExit::Register(RegisterAccess {
                id: id.into(),
                write,
                value: if write { value } else { 0 },
                reg: 0,
            });
        }
    };
    match result {
        Ok(read) => {
            if let Some(value) = read {
                frame.rax = value & 0xFFFF_FFFF;
                frame.rdx = value >> 32;
            }
            s.step_to(frame, next);
        }
        Err(msr::Fault) => s.inject_exception(VECTOR_GP, Some(0)),
    }
    GuestExit::Handled
}

fn store_read(s: &VmxVcpu, v: &impl VmcsAccess, id: u32) -> Result<u64, msr::Fault> {
    if id == msr::IA32_EFER {
        return Ok(v.read(guest::IA32_EFER_FULL));
    }
    if let Some(entry) = s.area.iter().find(|e| e.index == id) {
        return Ok(entry.value);
    }
    match vmcs_field(id) {
        Some(field) => Ok(v.read(field)),
        None => s.msrs.read(id),
    }
}

fn store_write(
    s: &mut VmxVcpu,
    v: &mut impl VmcsAccess,
    id: u32,
    value: u64,
) -> Result<(), msr::Fault> {
    if id == msr::IA32_EFER {
        let old = v.read(guest::IA32_EFER_FULL);
        // LME may not change while paging is on (SDM Vol. 3A 10.8.5).
        let paging = v.read(guest::CR0) & CR0_PG != 0;
        if paging && (old ^ value) & EFER_LME != 0 {
            return Err(msr::Fault);
        }
        s.msrs.write(id, value)?;
        v.write(
            guest::IA32_EFER_FULL,
            (value & !EFER_LMA) | (old & EFER_LMA),
        );
        return Ok(());
    }
    s.msrs.write(id, value)?;
    if let Some(entry) = s.area.iter_mut().find(|e| e.index == id) {
        entry.value = value;
    } else if let Some(field) = vmcs_field(id) {
        v.write(field, value);
    }
    Ok(())
}
