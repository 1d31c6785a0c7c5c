//! Control-register exits of the VMX backend: a guest's MOV to CR0 or
//! CR4, CLTS or LMSW that changes a bit the host owns (the bits VMX fixes,
//! [`super::state::CrFixed`]) exits, and is done here as the processor
//! would: the guest's value in the read shadow, the processor's with the
//! fixed bits, #GP for what the architecture refuses, and long mode
//! entered or left with paging (SDM Vol. 3C 28.2.1 table 28-3, 26.1.3;
//! Vol. 3A 10.8.5 "Initializing IA-32e Mode"). With EPT and paging in PAE
//! mode the VMCS holds the four PDPTEs (28.3.4): turning such paging on
//! loads them from the guest's CR3.

use super::state::VmxVcpu;
use super::sync::ENTRY_IA32E_MODE_GUEST;
use super::vcpu::VmcsAccess;
use crate::exit::GuestExit;
use crate::x86_64::svm::decode::{ExitEnv, VECTOR_GP, gprs};
use crate::x86_64::svm::state::{CR0_CD, CR0_NW, CR0_PE, CR0_PG, CR4_PAE, EFER_LMA, EFER_LME};
use crate::x86_64::trap_frame::TrapFrame;
use x86::vmx::vmcs::{control, guest};

/// Qualification fields: the register number (3:0), the access type
/// (5:4: MOV to CR, MOV from CR, CLTS, LMSW), the GPR (11:8), LMSW's
/// source data (31:16).
const ACCESS_MOV_TO_CR: u64 = 0;
const ACCESS_CLTS: u64 = 2;
const ACCESS_LMSW: u64 = 3;
/// CR0.TS (cleared by CLTS) and the four bits LMSW loads (PE, MP, EM,
/// TS; it never clears PE).
const CR0_TS: u64 = 1 << 3;
const LMSW_BITS: u64 = 0xF;
/// CR4.VMXE: no nested VMX (CPUID does not offer it).
const CR4_VMXE: u64 = 1 << 13;
/// The PDPTE fields, in order.
const PDPTES: [u32; 4] = [
    guest::PDPTE0_FULL,
    guest::PDPTE1_FULL,
    guest::PDPTE2_FULL,
    guest::PDPTE3_FULL,
];

/// A control-register access exit with `q`; `next` the following RIP.
pub fn access(
    frame: &mut TrapFrame,
    s: &mut VmxVcpu,
    v: &mut impl VmcsAccess,
    q: u64,
    next: u64,
    env: &impl ExitEnv,
) -> GuestExit {
    let cr = q & 0xF;
    let value = gprs(frame)[((q >> 8) & 0xF) as usize];
    let cr0 = v.read(control::CR0_READ_SHADOW);
    let done = match ((q >> 4) & 3, cr) {
        (ACCESS_MOV_TO_CR, 0) => write_cr0(s, v, value, env),
        (ACCESS_MOV_TO_CR, 4) => write_cr4(s, v, value),
        (ACCESS_CLTS, _) => write_cr0(s, v, cr0 & !CR0_TS, env),
        (ACCESS_LMSW, _) => {
            let bits = (q >> 16) & LMSW_BITS;
            write_cr0(s, v, (cr0 & !(LMSW_BITS & !CR0_PE)) | bits, env)
        }
        // MOV from CR and CR3/CR8 exits are not asked for.
        _ => return GuestExit::Unhandled(0),
    };
    if done {
        s.step_to(frame, next);
    } else {
        s.inject_exception(VECTOR_GP, Some(0));
    }
    GuestExit::Handled
}

/// MOV to CR0 of `value`; false: #GP.
fn write_cr0(s: &VmxVcpu, v: &mut impl VmcsAccess, value: u64, env: &impl ExitEnv) -> bool {
    let old = v.read(control::CR0_READ_SHADOW);
    let efer = v.read(guest::IA32_EFER_FULL);
    let cr4 = v.read(control::CR4_READ_SHADOW);
    let paging_on = value & CR0_PG != 0 && old & CR0_PG == 0;
    let bad = value >> 32 != 0
        || (value & CR0_PG != 0 && value & CR0_PE == 0)
        || value & (CR0_NW | CR0_CD) == CR0_NW
        || (paging_on && efer & EFER_LME != 0 && cr4 & CR4_PAE == 0)
        || s.fixed.cr0(value) & !s.fixed.cr0_fixed1 != 0;
    if bad {
        return false;
    }
    let long = efer & EFER_LME != 0 && value & CR0_PG != 0;
    if paging_on && !long && cr4 & CR4_PAE != 0 && !load_pdptes(v, env) {
        return false;
    }
    v.write(control::CR0_READ_SHADOW, value);
    v.write(guest::CR0, s.fixed.cr0(value));
    let lma = if long { EFER_LMA } else { 0 };
    v.write(guest::IA32_EFER_FULL, (efer & !EFER_LMA) | lma);
    let entry = v.read(control::VMENTRY_CONTROLS) as u32 & !ENTRY_IA32E_MODE_GUEST;
    let ia32e = if long { ENTRY_IA32E_MODE_GUEST } else { 0 };
    v.write(control::VMENTRY_CONTROLS, (entry | ia32e).into());
    true
}

/// MOV to CR4 of `value`; false: #GP.
fn write_cr4(s: &VmxVcpu, v: &mut impl VmcsAccess, value: u64) -> bool {
    if value & CR4_VMXE != 0 || value & !s.fixed.cr4_fixed1 != 0 {
        return false;
    }
    v.write(control::CR4_READ_SHADOW, value);
    v.write(guest::CR4, s.fixed.cr4(value));
    true
}

/// Loads the four PDPTEs of PAE paging from the guest's CR3.
fn load_pdptes(v: &mut impl VmcsAccess, env: &impl ExitEnv) -> bool {
    let base = v.read(guest::CR3) & 0xFFFF_FFE0;
    let mut bytes = [0; 32];
    if !env.read_guest(base, &mut bytes) {
        return false;
    }
    for (field, chunk) in PDPTES.iter().zip(bytes.chunks_exact(8)) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        v.write(*field, u64::from_le_bytes(word));
    }
    true
}
