//! A vCPU of the SVM backend while it is off the CPU: its VMCB (the guest
//! state VMRUN loads), its FP/SSE area, its emulated MSRs and what its
//! last exit needs to be completed; and the register sets `vcpu_set_regs`
//! may put in it, checked as VMRUN's consistency checks (AMD64 APM Vol. 2,
//! 15.5.1 "Basic Operation": "Canonicalization and Consistency Checks")
//! and the architecture (Vol. 2, 14.1 "Processor Initialization", 14.6
//! "Enabling and Activating Long Mode") demand. Pure: tested on the build
//! host; the world switch is `run.rs`, the exits `decode.rs`.

use super::vcpu::reset_protected_mode;
use super::vmcb::*;
use crate::x86_64::mmio_decode::Load;
use crate::x86_64::msr::{MsrConfig, MsrStore};
use crate::x86_64::trap_frame::TrapFrame;
use abi::x86_64::VcpuRegs;

/// CR0 bits (APM Vol. 2, 3.1.1): PE, MP, EM, TS, ET, NE, WP, AM, NW, CD,
/// PG.
pub const CR0_PE: u64 = 1 << 0;
pub const CR0_ET: u64 = 1 << 4;
pub const CR0_NW: u64 = 1 << 29;
pub const CR0_CD: u64 = 1 << 30;
pub const CR0_PG: u64 = 1 << 31;
const CR0_DEFINED: u64 = CR0_PE
    | 1 << 1
    | 1 << 2
    | 1 << 3
    | CR0_ET
    | 1 << 5
    | 1 << 16
    | 1 << 18
    | CR0_NW
    | CR0_CD
    | CR0_PG;
/// CR4 bits a guest may start with: VME, PVI, TSD, DE, PSE, PAE, MCE, PGE,
/// PCE, OSFXSR, OSXMMEXCPT, FSGSBASE. Not VMXE, SMXE, PCIDE, OSXSAVE,
/// SMEP, SMAP, PKE, CET, LA57: state or features the backend does not
/// switch or offer.
pub const CR4_PAE: u64 = 1 << 5;
const CR4_ALLOWED: u64 = 0x7FF | 1 << 16;
/// EFER: SCE, LME, LMA, NXE, SVME.
pub const EFER_SCE: u64 = 1 << 0;
pub const EFER_LME: u64 = 1 << 8;
pub const EFER_LMA: u64 = 1 << 10;
pub const EFER_NXE: u64 = 1 << 11;
pub const EFER_SVME: u64 = 1 << 12;
/// RFLAGS: bit 1 reads as one; the defined bits are 0-21 but 3, 5, 15.
const RFLAGS_FIXED: u64 = 1 << 1;
const RFLAGS_DEFINED: u64 = 0x3F_FFFF & !(1 << 3 | 1 << 5 | 1 << 15);
/// Segment attributes, packed as the VMCB keeps them (APM 15.5.1: type,
/// S, DPL, P in bits 7:0; AVL, L, D/B, G in 11:8): present DPL-0 code and
/// data of 4 GiB (G, D/B) for protected mode, 64-bit code (L, G) for long
/// mode, and the 64 KiB 16-bit segments of real mode.
const CODE32: u16 = 0xC9B;
const CODE64: u16 = 0xA9B;
const DATA32: u16 = 0xC93;
const CODE16: u16 = 0x9B;
const DATA16: u16 = 0x93;
/// RFLAGS.IF.
const RFLAGS_IF: u64 = 1 << 9;
/// EVENTINJ.V (bit 31): an event is to be injected.
const EVENTINJ_VALID: u64 = 1 << 31;
/// V_INTR_MASKING (VMCB 0x60 bit 24): the guest's RFLAGS.IF masks only
/// virtual interrupts; physical ones stay the host's (15.21.1).
pub const V_INTR_MASKING: u32 = 1 << 24;
/// V_IRQ (bit 8): a virtual interrupt is pending; V_INTR_PRIO (19:16);
/// V_IGN_TPR (bit 20): its priority is not checked against V_TPR.
pub const V_IRQ: u32 = 1 << 8;
pub const V_INTR_PRIO_MAX: u32 = 0xF << 16;
pub const V_IGN_TPR: u32 = 1 << 20;

/// The 512-byte FXSAVE image of a vCPU's x87 and SSE registers.
#[repr(C, align(16))]
pub struct FxArea(pub [u8; 512]);

/// What completing the vCPU's last exit needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LastExit {
    /// EXITCODE and EXITINFO1, for the exit record.
    pub code: u64,
    pub info1: u64,
    /// Where the exiting instruction ends (the next RIP), if known.
    pub next_rip: Option<u64>,
    /// A load's destination (an MMIO load, an IN) and its width.
    pub load: Option<(Load, u8)>,
    /// An RDMSR or WRMSR: its refusal is #GP, not #UD.
    pub msr: bool,
}

/// A vCPU's state beyond its frame; the VMCB first, page-aligned.
#[repr(C, align(4096))]
pub struct SvmVcpu {
    pub vmcb: Vmcb,
    pub fx: FxArea,
    pub msrs: MsrStore,
    /// Its index in its VM (its APIC ID) and the VM's vCPU count.
    pub index: u32,
    pub vcpus: u32,
    pub last: LastExit,
    /// An interrupt waits that the guest cannot take yet: exit as soon as
    /// it can (a virtual interrupt with the VINTR intercept, 15.21.4).
    pub window: bool,
    /// An external interrupt given to the guest as a virtual interrupt
    /// (V_IRQ with this vector, 15.21.4) that it has not taken yet.
    pub virq: Option<u8>,
}

/// Why a register set was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused(pub &'static str);

impl SvmVcpu {
    /// vCPU `index` of `vcpus`, powered off; MSRs as at reset.
    pub fn new(index: u32, vcpus: u32, phys_bits: u8) -> SvmVcpu {
        let mut fx = FxArea([0; 512]);
        // FCW 0x37F and MXCSR 0x1F80: the values FNINIT and reset give.
        fx.0[0..2].copy_from_slice(&0x037Fu16.to_le_bytes());
        fx.0[24..28].copy_from_slice(&0x1F80u32.to_le_bytes());
        SvmVcpu {
            vmcb: Vmcb::default(),
            fx,
            msrs: MsrStore::new(MsrConfig {
                phys_bits,
                host_arch_capabilities: 0,
            }),
            index,
            vcpus,
            last: LastExit::default(),
            window: false,
            virq: None,
        }
    }

    /// Whether the guest can take an external interrupt at its next
    /// entry: RFLAGS.IF set, not in an interrupt shadow (after STI or MOV
    /// SS), no event already being injected or waiting to be taken.
    pub fn interrupt_window_open(&self, rflags: u64) -> bool {
        rflags & RFLAGS_IF != 0
            && self.vmcb.u64(INTERRUPT_SHADOW) & 1 == 0
            && self.vmcb.u64(EVENTINJ) & EVENTINJ_VALID == 0
            && self.virq.is_none()
    }

    /// Gives the guest external interrupt `vector` as a virtual interrupt
    /// (V_IRQ, 15.21.4): it takes it as soon as its RFLAGS.IF and
    /// interrupt shadow allow, at once when the window is open, and the
    /// processor clears V_IRQ when it does ([`super::decode::decode_exit`]
    /// notes that).
    ///
    /// Not EVENTINJ type 0 (15.20), which the architecture allows as well:
    /// QEMU's TCG (10.0 and before) delivers such an event in VMRUN and
    /// leaves its vector as the CPU's pending exception, which it
    /// delivers a second time, whatever RFLAGS.IF says, the next time the
    /// CPU leaves its execution loop (an -icount budget running out, a
    /// kick): Linux then takes its timer interrupt twice and overflows
    /// its entry stack.
    pub fn inject_interrupt(&mut self, vector: u8) {
        self.virq = Some(vector);
    }

    /// Powers on in the state a multiboot kernel starts in (32-bit flat
    /// protected mode, paging off) at `pc`, with `arg` in EBX (where
    /// multiboot passes its information).
    pub fn power_on(&mut self, frame: &mut TrapFrame, pc: u64, arg: u64) {
        let phys_bits = self.msrs_phys_bits();
        *self = SvmVcpu::new(self.index, self.vcpus, phys_bits);
        reset_protected_mode(&mut self.vmcb, pc as u32, 0);
        self.vmcb.set_u32(V_INTR, V_INTR_MASKING);
        *frame = TrapFrame {
            rip: pc & 0xFFFF_FFFF,
            rbx: arg & 0xFFFF_FFFF,
            rflags: RFLAGS_FIXED,
            ..Default::default()
        };
    }

    fn msrs_phys_bits(&self) -> u8 {
        // The store keeps its configuration; rebuilt with the same one.
        self.msrs.phys_bits()
    }

    /// The state INIT then a start-up IPI leave (SDM Vol. 3A 9.1.1, table
    /// 9-1, and 9.4.3: CR0 60000010H, real mode at `page`: CS selector
    /// `page >> 4`, base `page`, IP 0; the other segments at 0).
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

    /// Takes `regs` from `vcpu_set_regs`, or refuses them with nothing
    /// changed.
    pub fn set_regs(&mut self, frame: &mut TrapFrame, regs: &VcpuRegs) -> Result<(), Refused> {
        let long = check_regs(regs, self.msrs_phys_bits())?;
        let (cr0, cr4, efer) = (regs.cr0 | CR0_ET, regs.cr4, regs.efer);
        self.power_on(frame, 0, 0);
        let v = &mut self.vmcb;
        let real = cr0 & CR0_PE == 0;
        let [cs, ss, ds, es, fs, gs] = regs.segment_base;
        let (code, data, limit) = match (real, regs.code64 != 0) {
            (true, _) => (CODE16, DATA16, 0xFFFF),
            (false, true) => (CODE64, DATA32, 0xFFFF_FFFF),
            (false, false) => (CODE32, DATA32, 0xFFFF_FFFF),
        };
        // Real mode: a segment's selector is its base / 16.
        let selector = |base: u64, flat: u16| if real { (base >> 4) as u16 } else { flat };
        v.set_segment(CS, selector(cs, 0x08), code, limit, cs);
        for (seg, base) in [(SS, ss), (DS, ds), (ES, es), (FS, fs), (GS, gs)] {
            v.set_segment(seg, selector(base, 0x10), data, limit, base);
        }
        v.set_u64(CR0, cr0);
        v.set_u64(CR3, regs.cr3);
        v.set_u64(CR4, cr4);
        let lma = if long { EFER_LMA } else { 0 };
        v.set_u64(EFER, (efer & !EFER_LMA) | lma | EFER_SVME);
        self.msrs.set_lma(long);
        // Cannot fail: checked above.
        let _ = self
            .msrs
            .write(crate::x86_64::msr::IA32_EFER, efer & !EFER_LMA);
        *frame = regs_frame(regs);
        Ok(())
    }
}

/// Checks a register set from `vcpu_set_regs` as both backends' entry
/// checks and the architecture demand; whether it is long mode.
pub fn check_regs(regs: &VcpuRegs, phys_bits: u8) -> Result<bool, Refused> {
    let (cr0, cr4, efer) = (regs.cr0 | CR0_ET, regs.cr4, regs.efer);
    check(cr0 & !CR0_DEFINED == 0, "CR0 sets reserved bits")?;
    check(
        cr0 & CR0_PG == 0 || cr0 & CR0_PE != 0,
        "CR0.PG without CR0.PE",
    )?;
    check(cr0 & (CR0_NW | CR0_CD) != CR0_NW, "CR0.NW without CR0.CD")?;
    check(
        cr4 & !CR4_ALLOWED == 0,
        "CR4 sets a bit the guest may not start with",
    )?;
    check(
        efer & !(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE) == 0,
        "EFER sets a bit other than SCE, LME, LMA, NXE",
    )?;
    let long = efer & EFER_LME != 0 && cr0 & CR0_PG != 0;
    check(!long || cr4 & CR4_PAE != 0, "long mode without CR4.PAE")?;
    check(regs.code64 == 0 || long, "64-bit code outside long mode")?;
    check(
        regs.rflags & !RFLAGS_DEFINED == 0,
        "RFLAGS sets reserved bits",
    )?;
    check(
        regs.segment_base.iter().all(|&b| canonical(b)) && canonical(regs.rip),
        "a non-canonical address",
    )?;
    check(
        long || (regs.rip >> 32 == 0 && regs.segment_base.iter().all(|b| b >> 32 == 0)),
        "an address above 4 GiB outside long mode",
    )?;
    let phys = u64::MAX << phys_bits;
    check(regs.cr3 & phys == 0, "CR3 above the physical address width")?;
    Ok(long)
}

/// The frame `regs` give: their general-purpose registers, RIP and
/// RFLAGS (bit 1 set).
pub fn regs_frame(regs: &VcpuRegs) -> TrapFrame {
    let g = &regs.gpr;
    TrapFrame {
        rax: g[0],
        rcx: g[1],
        rdx: g[2],
        rbx: g[3],
        rsp: g[4],
        rbp: g[5],
        rsi: g[6],
        rdi: g[7],
        r8: g[8],
        r9: g[9],
        r10: g[10],
        r11: g[11],
        r12: g[12],
        r13: g[13],
        r14: g[14],
        r15: g[15],
        rip: regs.rip,
        rflags: regs.rflags | RFLAGS_FIXED,
        ..Default::default()
    }
}

fn check(ok: bool, why: &'static str) -> Result<(), Refused> {
    if ok { Ok(()) } else { Err(Refused(why)) }
}

fn canonical(v: u64) -> bool {
    ((v << 16) as i64 >> 16) as u64 == v
}

#[cfg(test)]
mod tests;
