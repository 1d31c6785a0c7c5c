//! What the VMX backend writes into the current VMCS: the controls a vCPU
//! runs with, on every load (SDM 25.6-25.8), a reset's whole guest state
//! (25.4), and before every entry the state the kernel may have changed
//! while the vCPU was off the CPU (`state.rs`). Pure over [`VmcsAccess`]:
//! tested on the build host.

use super::controls::{Unsupported, adjust};
use super::state::{GuestState, INTR_DELIVER_ERROR_CODE, PAT_RESET, Segment, VmxVcpu};
use super::vcpu::{Capabilities, VmcsAccess};
use crate::x86_64::svm::state::{CR0_PE, EFER_LMA};
use crate::x86_64::trap_frame::TrapFrame;
use x86::vmx::vmcs::{control, guest};

/// Pin-based (SDM table 25-5): external interrupts and NMIs exit; the
/// VMX-preemption timer where the CPU has one (`world.rs` arms it for the
/// host's next deadline).
const PIN_EXTERNAL_INTERRUPT_EXITING: u32 = 1 << 0;
const PIN_NMI_EXITING: u32 = 1 << 3;
pub const PIN_ACTIVATE_PREEMPTION_TIMER: u32 = 1 << 6;
/// Primary processor-based (table 25-6): interrupt-window exiting, use
/// TSC offsetting, HLT exiting, unconditional I/O exiting, activate
/// secondary controls. MSR bitmaps stay off: every RDMSR and WRMSR exits.
pub const PRIMARY_INTERRUPT_WINDOW_EXITING: u32 = 1 << 2;
const PRIMARY_USE_TSC_OFFSETTING: u32 = 1 << 3;
const PRIMARY_HLT_EXITING: u32 = 1 << 7;
const PRIMARY_UNCONDITIONAL_IO_EXITING: u32 = 1 << 24;
const PRIMARY_ACTIVATE_SECONDARY: u32 = 1 << 31;
/// Secondary (table 25-7): enable EPT, enable RDTSCP, enable VPID,
/// unrestricted guest, enable INVPCID.
const SECONDARY_ENABLE_EPT: u32 = 1 << 1;
const SECONDARY_ENABLE_RDTSCP: u32 = 1 << 3;
pub const SECONDARY_ENABLE_VPID: u32 = 1 << 5;
const SECONDARY_UNRESTRICTED_GUEST: u32 = 1 << 7;
const SECONDARY_ENABLE_INVPCID: u32 = 1 << 12;
/// VM-exit controls (table 25-13): host address-space size, save and
/// load IA32_PAT, save and load IA32_EFER.
const EXIT_HOST_ADDRESS_SPACE_SIZE: u32 = 1 << 9;
const EXIT_SAVE_IA32_PAT: u32 = 1 << 18;
const EXIT_LOAD_IA32_PAT: u32 = 1 << 19;
const EXIT_SAVE_IA32_EFER: u32 = 1 << 20;
const EXIT_LOAD_IA32_EFER: u32 = 1 << 21;
/// VM-entry controls (table 25-15): IA-32e mode guest, load IA32_PAT,
/// load IA32_EFER.
pub const ENTRY_IA32E_MODE_GUEST: u32 = 1 << 9;
const ENTRY_LOAD_IA32_PAT: u32 = 1 << 14;
const ENTRY_LOAD_IA32_EFER: u32 = 1 << 15;
/// The exception bitmap: #UD exits, so that a VMMCALL (AMD's hypercall)
/// is a hypercall here too (`decode.rs`).
pub const EXCEPTION_BITMAP_UD: u64 = 1 << 6;
/// DR7 at reset; the VMCS link pointer when unused.
const DR7_RESET: u64 = 0x400;
const NO_LINK: u64 = u64::MAX;

/// The control words every vCPU runs with (primary without the window
/// bit), checked against the CPU's capabilities.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Controls {
    pub pin: u32,
    pub primary: u32,
    pub secondary: u32,
    pub exit: u32,
    pub entry: u32,
}

/// `wanted` with `optional` bits the CPU allows added.
fn with_optional(wanted: u32, optional: u32, capability: u64) -> Result<u32, Unsupported> {
    adjust(wanted | (optional & (capability >> 32) as u32), capability)
}

impl Controls {
    /// The controls for `caps`; VPID only where the CPU has it (`vpid`).
    pub fn new(caps: &Capabilities, vpid: bool) -> Result<Controls, Unsupported> {
        let vpid = if vpid { SECONDARY_ENABLE_VPID } else { 0 };
        Ok(Controls {
            pin: with_optional(
                PIN_EXTERNAL_INTERRUPT_EXITING | PIN_NMI_EXITING,
                PIN_ACTIVATE_PREEMPTION_TIMER,
                caps.pin,
            )?,
            primary: adjust(
                PRIMARY_USE_TSC_OFFSETTING
                    | PRIMARY_HLT_EXITING
                    | PRIMARY_UNCONDITIONAL_IO_EXITING
                    | PRIMARY_ACTIVATE_SECONDARY,
                caps.primary,
            )?,
            secondary: with_optional(
                SECONDARY_ENABLE_EPT | SECONDARY_UNRESTRICTED_GUEST | vpid,
                SECONDARY_ENABLE_RDTSCP | SECONDARY_ENABLE_INVPCID,
                caps.secondary,
            )?,
            exit: adjust(
                EXIT_HOST_ADDRESS_SPACE_SIZE
                    | EXIT_SAVE_IA32_PAT
                    | EXIT_LOAD_IA32_PAT
                    | EXIT_SAVE_IA32_EFER
                    | EXIT_LOAD_IA32_EFER,
                caps.exit,
            )?,
            entry: adjust(ENTRY_LOAD_IA32_PAT | ENTRY_LOAD_IA32_EFER, caps.entry)?,
        })
    }
}

/// Writes the controls and the vCPU's MSR area into the VMCS (on load).
pub fn write_controls(v: &mut impl VmcsAccess, c: &Controls, s: &VmxVcpu) {
    v.write(control::PINBASED_EXEC_CONTROLS, c.pin.into());
    v.write(control::PRIMARY_PROCBASED_EXEC_CONTROLS, c.primary.into());
    v.write(
        control::SECONDARY_PROCBASED_EXEC_CONTROLS,
        c.secondary.into(),
    );
    v.write(control::VMEXIT_CONTROLS, c.exit.into());
    // The IA-32e mode bit is the guest's: kept as the VMCS has it.
    let ia32e = v.read(control::VMENTRY_CONTROLS) as u32 & super::sync::ENTRY_IA32E_MODE_GUEST;
    v.write(control::VMENTRY_CONTROLS, (c.entry | ia32e).into());
    v.write(control::EXCEPTION_BITMAP, EXCEPTION_BITMAP_UD);
    v.write(control::CR3_TARGET_COUNT, 0);
    v.write(control::CR0_GUEST_HOST_MASK, s.fixed.cr0_mask());
    v.write(control::CR4_GUEST_HOST_MASK, s.fixed.cr4_mask());
    let area = s.area.as_ptr() as u64;
    let count = s.area.len() as u64;
    v.write(control::VMENTRY_MSR_LOAD_ADDR_FULL, area);
    v.write(control::VMENTRY_MSR_LOAD_COUNT, count);
    v.write(control::VMEXIT_MSR_STORE_ADDR_FULL, area);
    v.write(control::VMEXIT_MSR_STORE_COUNT, count);
    v.write(control::VMEXIT_MSR_LOAD_COUNT, 0);
}

/// The VMCS fields of segment register `i` (the order of `state.rs`):
/// selector, base, limit, access rights.
const SEGMENT_FIELDS: [[u32; 4]; 8] = [
    [
        guest::CS_SELECTOR,
        guest::CS_BASE,
        guest::CS_LIMIT,
        guest::CS_ACCESS_RIGHTS,
    ],
    [
        guest::SS_SELECTOR,
        guest::SS_BASE,
        guest::SS_LIMIT,
        guest::SS_ACCESS_RIGHTS,
    ],
    [
        guest::DS_SELECTOR,
        guest::DS_BASE,
        guest::DS_LIMIT,
        guest::DS_ACCESS_RIGHTS,
    ],
    [
        guest::ES_SELECTOR,
        guest::ES_BASE,
        guest::ES_LIMIT,
        guest::ES_ACCESS_RIGHTS,
    ],
    [
        guest::FS_SELECTOR,
        guest::FS_BASE,
        guest::FS_LIMIT,
        guest::FS_ACCESS_RIGHTS,
    ],
    [
        guest::GS_SELECTOR,
        guest::GS_BASE,
        guest::GS_LIMIT,
        guest::GS_ACCESS_RIGHTS,
    ],
    [
        guest::TR_SELECTOR,
        guest::TR_BASE,
        guest::TR_LIMIT,
        guest::TR_ACCESS_RIGHTS,
    ],
    [
        guest::LDTR_SELECTOR,
        guest::LDTR_BASE,
        guest::LDTR_LIMIT,
        guest::LDTR_ACCESS_RIGHTS,
    ],
];

/// Segment register `i` as the VMCS has it.
pub fn read_segment(v: &impl VmcsAccess, i: usize) -> Segment {
    let [sel, base, limit, rights] = SEGMENT_FIELDS[i];
    Segment {
        selector: v.read(sel) as u16,
        base: v.read(base),
        limit: v.read(limit) as u32,
        rights: v.read(rights) as u32,
    }
}

/// Writes a reset's whole guest state (with `s`'s fixed CR bits).
pub fn write_guest_state(v: &mut impl VmcsAccess, s: &VmxVcpu, g: &GuestState) {
    v.write(guest::CR0, s.fixed.cr0(g.cr0));
    v.write(control::CR0_READ_SHADOW, g.cr0);
    v.write(guest::CR3, g.cr3);
    v.write(guest::CR4, s.fixed.cr4(g.cr4));
    v.write(control::CR4_READ_SHADOW, g.cr4);
    v.write(guest::IA32_EFER_FULL, g.efer);
    v.write(guest::IA32_PAT_FULL, PAT_RESET);
    let entry = v.read(control::VMENTRY_CONTROLS) as u32 & !ENTRY_IA32E_MODE_GUEST;
    let ia32e = if g.efer & EFER_LMA != 0 {
        ENTRY_IA32E_MODE_GUEST
    } else {
        0
    };
    v.write(control::VMENTRY_CONTROLS, (entry | ia32e).into());
    for (i, seg) in g.segments.iter().enumerate() {
        let [sel, base, limit, rights] = SEGMENT_FIELDS[i];
        v.write(sel, seg.selector.into());
        v.write(base, seg.base);
        v.write(limit, seg.limit.into());
        v.write(rights, seg.rights.into());
    }
    for (base, limit) in [
        (guest::GDTR_BASE, guest::GDTR_LIMIT),
        (guest::IDTR_BASE, guest::IDTR_LIMIT),
    ] {
        v.write(base, 0);
        v.write(limit, 0xFFFF);
    }
    v.write(guest::DR7, DR7_RESET);
    v.write(guest::LINK_PTR_FULL, NO_LINK);
    v.write(guest::ACTIVITY_STATE, 0);
    v.write(guest::PENDING_DBG_EXCEPTIONS, 0);
    v.write(guest::IA32_SYSENTER_CS, 0);
    v.write(guest::IA32_SYSENTER_ESP, 0);
    v.write(guest::IA32_SYSENTER_EIP, 0);
}

/// Before an entry: a reset's state if one waits, the frame's RIP, RSP
/// and RFLAGS, the interruptibility, the event to inject (its error code
/// dropped in real mode, where none is pushed), the TSC offset and the
/// interrupt window. `primary` is the primary controls without the
/// window bit.
pub fn before_entry(v: &mut impl VmcsAccess, s: &mut VmxVcpu, frame: &TrapFrame, primary: u32) {
    if let Some(g) = s.reload.take() {
        write_guest_state(v, s, &g);
    }
    v.write(guest::RIP, frame.rip);
    v.write(guest::RSP, frame.rsp);
    v.write(guest::RFLAGS, frame.rflags);
    v.write(guest::INTERRUPTIBILITY_STATE, s.interruptibility);
    let mut info = core::mem::take(&mut s.entry_info);
    if info & INTR_DELIVER_ERROR_CODE != 0 && v.read(guest::CR0) & CR0_PE == 0 {
        info &= !INTR_DELIVER_ERROR_CODE;
    }
    v.write(control::VMENTRY_INTERRUPTION_INFO_FIELD, info);
    v.write(control::VMENTRY_EXCEPTION_ERR_CODE, s.entry_error.into());
    v.write(control::VMENTRY_INSTRUCTION_LEN, s.entry_len.into());
    v.write(control::TSC_OFFSET_FULL, s.tsc_offset);
    let window = if s.window {
        PRIMARY_INTERRUPT_WINDOW_EXITING
    } else {
        0
    };
    v.write(
        control::PRIMARY_PROCBASED_EXEC_CONTROLS,
        (primary | window).into(),
    );
}

/// The VMX-preemption timer's value for a guest's run until TSC
/// `deadline` (none: as long as it counts) from `now`: it counts down
/// once every 2^`shift` TSC ticks (IA32_VMX_MISC bits 4:0, SDM 26.5.1),
/// rounded up so that the deadline has passed when it runs out.
pub fn preemption_ticks(deadline: Option<u64>, now: u64, shift: u32) -> u32 {
    let Some(deadline) = deadline else {
        return u32::MAX;
    };
    let left = deadline.saturating_sub(now);
    let ticks = (left >> shift) + u64::from(left & ((1 << shift) - 1) != 0);
    ticks.min(u64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests;
