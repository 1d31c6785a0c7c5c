//! A vCPU of the VMX backend while it is off the CPU. Its VMCS can be
//! read and written only while it is current on the CPU that loaded it
//! (Intel SDM Vol. 3C, 25.1 and 25.11: VMREAD, VMWRITE), yet the kernel
//! resets, steps and injects into vCPUs that are not loaded: what the
//! kernel changes is kept here and written into the VMCS at the next
//! entry (`sync.rs`), the whole guest state when a reset replaced it
//! ([`VmxVcpu::reload`]). The rest of the guest's state lives in the VMCS
//! and is read through it while the exit is decoded (`decode.rs`). Pure:
//! tested on the build host.

pub use super::fixed::CrFixed;
use crate::x86_64::msr::{self, MsrConfig, MsrStore};
use crate::x86_64::svm::state::{self as svm_state, CR0_PE, EFER_LMA, EFER_LME, FxArea, LastExit};
use crate::x86_64::svm::state::{CR0_CD, CR0_ET, CR0_NW, Refused};
use crate::x86_64::trap_frame::TrapFrame;
use abi::x86_64::VcpuRegs;

/// RFLAGS bit 1 (always set) and IF.
const RFLAGS_FIXED: u64 = 1 << 1;
const RFLAGS_IF: u64 = 1 << 9;
/// Interruptibility state (SDM 25.4.2, table 25-3): blocking by STI (bit
/// 0) and by MOV SS (bit 1).
pub const BLOCKING_BY_STI: u64 = 1 << 0;
pub const BLOCKING_BY_MOV_SS: u64 = 1 << 1;
/// VM-entry interruption information (SDM 25.8.3, table 25-17): vector
/// in bits 7:0, type in 10:8, deliver error code (bit 11), valid (bit 31).
pub const INTR_TYPE_EXTERNAL: u64 = 0 << 8;
pub const INTR_TYPE_HARDWARE_EXCEPTION: u64 = 3 << 8;
pub const INTR_DELIVER_ERROR_CODE: u64 = 1 << 11;
pub const INTR_VALID: u64 = 1 << 31;
/// Segment access rights (SDM 25.4.1, table 25-2): type, S, DPL, P in
/// bits 7:0; AVL, L, D/B, G in bits 15:12; unusable in bit 16.
pub const AR_L: u32 = 1 << 13;
pub const AR_DB: u32 = 1 << 14;
pub const AR_UNUSABLE: u32 = 1 << 16;
const AR_CODE16: u32 = 0x9B;
const AR_DATA16: u32 = 0x93;
const AR_CODE32: u32 = 0xC09B;
const AR_CODE64: u32 = 0xA09B;
const AR_DATA32: u32 = 0xC093;
/// A busy 32-bit TSS (type 11, present), which VM entry requires of TR.
const AR_BUSY_TSS: u32 = 0x8B;
/// IA32_PAT's power-up value (SDM Vol. 3A 13.12.4).
pub const PAT_RESET: u64 = 0x0007_0406_0007_0406;

/// Segment registers in the order [`GuestState::segments`] keeps them.
pub const CS: usize = 0;
pub const SS: usize = 1;
pub const DS: usize = 2;
pub const ES: usize = 3;
pub const FS: usize = 4;
pub const GS: usize = 5;
pub const TR: usize = 6;
pub const LDTR: usize = 7;

/// A segment register as the VMCS keeps it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Segment {
    pub selector: u16,
    pub base: u64,
    pub limit: u32,
    pub rights: u32,
}

/// The guest state a reset puts in the VMCS at the next entry (RIP, RSP
/// and RFLAGS come from the frame).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GuestState {
    /// CR0 and CR4 as the guest sees them (the read shadows); the VMCS
    /// gets them with the bits VMX fixes ([`CrFixed`]).
    pub cr0: u64,
    pub cr3: u64,
    pub cr4: u64,
    pub efer: u64,
    pub segments: [Segment; 8],
}

/// The MSRs VM entry loads from and VM exits store into the vCPU's MSR
/// area (SDM 25.7.2, 25.8.2: 16-byte entries, index then value): the
/// SYSCALL MSRs and IA32_KERNEL_GS_BASE, which the VMCS does not switch.
/// The host uses none of them (its EFER.SCE is clear and it never runs
/// SWAPGS), so a guest's values may stay in the CPU after an exit.
pub const AREA_MSRS: [u32; 5] = [
    msr::IA32_STAR,
    msr::IA32_LSTAR,
    msr::IA32_CSTAR,
    msr::IA32_FMASK,
    msr::IA32_KERNEL_GS_BASE,
];

/// One entry of an MSR area.
#[repr(C, align(16))]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MsrEntry {
    pub index: u32,
    pub reserved: u32,
    pub value: u64,
}

/// A 4 KiB VMCS region (its first word the revision identifier).
#[repr(C, align(4096))]
pub struct VmcsRegion(pub [u8; 4096]);

/// A vCPU's state beyond its frame; the VMCS region first, page-aligned.
#[repr(C, align(4096))]
pub struct VmxVcpu {
    pub vmcs: VmcsRegion,
    pub fx: FxArea,
    pub msrs: MsrStore,
    pub area: [MsrEntry; AREA_MSRS.len()],
    /// Its index in its VM (its APIC ID) and the VM's vCPU count.
    pub index: u32,
    pub vcpus: u32,
    pub fixed: CrFixed,
    pub last: LastExit,
    /// An interrupt waits that the guest cannot take yet: exit as soon as
    /// it can (interrupt-window exiting, SDM 26.2).
    pub window: bool,
    /// A reset's state, written into the VMCS at the next entry.
    pub reload: Option<GuestState>,
    /// The guest's interruptibility state (read at each exit).
    pub interruptibility: u64,
    /// The event the next entry injects (0: none), its error code, and
    /// the instruction length a software event needs.
    pub entry_info: u64,
    pub entry_error: u32,
    pub entry_len: u32,
    pub tsc_offset: u64,
    /// The VMCS was launched since it was last cleared (VMRESUME, else
    /// VMLAUNCH), and the CPU it last ran on (`usize::MAX`: none).
    pub launched: bool,
    pub last_cpu: usize,
    /// The last VMLAUNCH or VMRESUME failed before entering the guest.
    pub entry_failed: bool,
}

impl VmxVcpu {
    /// vCPU `index` of `vcpus`, powered off; MSRs as at reset.
    pub fn new(index: u32, vcpus: u32, phys_bits: u8, fixed: CrFixed) -> VmxVcpu {
        let mut fx = FxArea([0; 512]);
        // FCW 0x37F and MXCSR 0x1F80: the values FNINIT and reset give.
        fx.0[0..2].copy_from_slice(&0x037Fu16.to_le_bytes());
        fx.0[24..28].copy_from_slice(&0x1F80u32.to_le_bytes());
        let mut area = [MsrEntry::default(); AREA_MSRS.len()];
        for (entry, &index) in area.iter_mut().zip(AREA_MSRS.iter()) {
            entry.index = index;
        }
        VmxVcpu {
            vmcs: VmcsRegion([0; 4096]),
            fx,
            msrs: MsrStore::new(MsrConfig {
                phys_bits,
                host_arch_capabilities: 0,
            }),
            area,
            index,
            vcpus,
            fixed,
            last: LastExit::default(),
            window: false,
            reload: None,
            interruptibility: 0,
            entry_info: 0,
            entry_error: 0,
            entry_len: 0,
            tsc_offset: 0,
            launched: false,
            last_cpu: usize::MAX,
            entry_failed: false,
        }
    }

    /// Whether the guest can take an external interrupt at its next
    /// entry: RFLAGS.IF set, no STI or MOV SS blocking, no event already
    /// being injected.
    pub fn interrupt_window_open(&self, rflags: u64) -> bool {
        rflags & RFLAGS_IF != 0
            && self.interruptibility & (BLOCKING_BY_STI | BLOCKING_BY_MOV_SS) == 0
            && self.entry_info & INTR_VALID == 0
    }

    /// Injects external interrupt `vector` at the next entry.
    pub fn inject_interrupt(&mut self, vector: u8) {
        self.entry_info = u64::from(vector) | INTR_TYPE_EXTERNAL | INTR_VALID;
    }

    /// Makes the guest take exception `vector` at its next entry, with
    /// `error` pushed if it has one (dropped in real mode at entry).
    pub fn inject_exception(&mut self, vector: u8, error: Option<u32>) {
        self.entry_info = u64::from(vector) | INTR_TYPE_HARDWARE_EXCEPTION | INTR_VALID;
        if let Some(code) = error {
            self.entry_info |= INTR_DELIVER_ERROR_CODE;
            self.entry_error = code;
        }
    }

    /// Moves the guest to `next`, out of any STI or MOV SS blocking.
    pub fn step_to(&mut self, frame: &mut TrapFrame, next: u64) {
        frame.rip = next;
        self.interruptibility &= !(BLOCKING_BY_STI | BLOCKING_BY_MOV_SS);
    }

    /// A fresh vCPU with this one's identity, its VMCS region kept (it
    /// may be current on a CPU) and `state` to load at the next entry.
    fn reset(&mut self, state: GuestState) {
        let phys_bits = self.msrs.phys_bits();
        let (launched, last_cpu) = (self.launched, self.last_cpu);
        let fresh = VmxVcpu::new(self.index, self.vcpus, phys_bits, self.fixed);
        self.fx = fresh.fx;
        self.msrs = fresh.msrs;
        self.area = fresh.area;
        self.last = fresh.last;
        self.window = false;
        self.interruptibility = 0;
        self.entry_info = 0;
        self.tsc_offset = 0;
        self.reload = Some(state);
        (self.launched, self.last_cpu) = (launched, last_cpu);
    }

    /// Powers on in the state a multiboot kernel starts in (32-bit flat
    /// protected mode, paging off) at `pc`, with `arg` in EBX.
    pub fn power_on(&mut self, frame: &mut TrapFrame, pc: u64, arg: u64) {
        let mut state = GuestState {
            cr0: CR0_PE | CR0_ET,
            ..Default::default()
        };
        flat(&mut state, AR_CODE32, AR_DATA32, 0xFFFF_FFFF, [0; 6], false);
        self.reset(state);
        *frame = TrapFrame {
            rip: pc & 0xFFFF_FFFF,
            rbx: arg & 0xFFFF_FFFF,
            rflags: RFLAGS_FIXED,
            ..Default::default()
        };
    }

    /// The state INIT then a start-up IPI leave (SDM Vol. 3A 9.1.1 and
    /// 9.4.3): CR0 60000010H, real mode at `page` (CS `page >> 4`, IP 0).
    pub fn start_up(&mut self, frame: &mut TrapFrame, page: u64) {
        let regs = VcpuRegs {
            cr0: CR0_CD | CR0_NW | CR0_ET,
            rflags: RFLAGS_FIXED,
            segment_base: [page & 0xF_F000, 0, 0, 0, 0, 0],
            ..Default::default()
        };
        // Cannot fail: a real-mode state with a base below 1 MiB.
        let _ = self.set_regs(frame, &regs);
    }

    /// Takes `regs` from `vcpu_set_regs` (checked as the SVM backend
    /// checks them), or refuses them with nothing changed.
    pub fn set_regs(&mut self, frame: &mut TrapFrame, regs: &VcpuRegs) -> Result<(), Refused> {
        let long = svm_state::check_regs(regs, self.msrs.phys_bits())?;
        let cr0 = regs.cr0 | CR0_ET;
        let real = cr0 & CR0_PE == 0;
        let efer = (regs.efer & !EFER_LMA) | if long { EFER_LMA } else { 0 };
        let mut state = GuestState {
            cr0,
            cr3: regs.cr3,
            cr4: regs.cr4,
            efer,
            ..Default::default()
        };
        let (code, data, limit) = match (real, regs.code64 != 0) {
            (true, _) => (AR_CODE16, AR_DATA16, 0xFFFF),
            (false, true) => (AR_CODE64, AR_DATA32, 0xFFFF_FFFF),
            (false, false) => (AR_CODE32, AR_DATA32, 0xFFFF_FFFF),
        };
        flat(&mut state, code, data, limit, regs.segment_base, real);
        self.reset(state);
        self.msrs.set_lma(long);
        // Cannot fail: checked above.
        let _ = self.msrs.write(msr::IA32_EFER, regs.efer & !EFER_LMA);
        *frame = svm_state::regs_frame(regs);
        Ok(())
    }

    /// Whether the guest's EFER asks for long mode once paging is on.
    pub fn lme(efer: u64) -> bool {
        efer & EFER_LME != 0
    }
}

/// Flat segments with `code` and `data` rights and `limit`, at `bases`
/// (CS, SS, DS, ES, FS, GS); in real mode a selector is its base / 16.
/// TR a busy TSS at 0, LDTR unusable.
fn flat(s: &mut GuestState, code: u32, data: u32, limit: u32, bases: [u64; 6], real: bool) {
    for (i, base) in bases.into_iter().enumerate() {
        let flat = if i == CS { 0x08 } else { 0x10 };
        s.segments[i] = Segment {
            selector: if real { (base >> 4) as u16 } else { flat },
            base,
            limit,
            rights: if i == CS { code } else { data },
        };
    }
    s.segments[TR] = Segment {
        selector: 0,
        base: 0,
        limit: 0xFFFF,
        rights: AR_BUSY_TSS,
    };
    s.segments[LDTR] = Segment {
        rights: AR_UNUSABLE,
        ..Default::default()
    };
}

#[cfg(test)]
mod tests;
