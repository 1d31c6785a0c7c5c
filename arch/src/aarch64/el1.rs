//! A guest's EL1 system-register state and its EL1 virtual timer, saved
//! when its vCPU leaves the physical CPU and restored when it comes back.

use core::arch::asm;

/// EL1 registers a guest owns (ARM ARM D13: the EL1&0 translation regime,
/// exception state, thread IDs, and the virtual timer).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct El1State {
    /// SCTLR_EL1.
    pub sctlr: u64,
    /// TTBR0_EL1.
    pub ttbr0: u64,
    /// TTBR1_EL1.
    pub ttbr1: u64,
    /// TCR_EL1.
    pub tcr: u64,
    /// MAIR_EL1.
    pub mair: u64,
    /// AMAIR_EL1.
    pub amair: u64,
    /// VBAR_EL1.
    pub vbar: u64,
    /// CONTEXTIDR_EL1.
    pub contextidr: u64,
    /// TPIDR_EL1.
    pub tpidr_el1: u64,
    /// TPIDRRO_EL0.
    pub tpidrro_el0: u64,
    /// SP_EL1.
    pub sp_el1: u64,
    /// ELR_EL1.
    pub elr: u64,
    /// SPSR_EL1.
    pub spsr: u64,
    /// ESR_EL1.
    pub esr: u64,
    /// FAR_EL1.
    pub far: u64,
    /// AFSR0_EL1.
    pub afsr0: u64,
    /// AFSR1_EL1.
    pub afsr1: u64,
    /// PAR_EL1.
    pub par: u64,
    /// CPACR_EL1.
    pub cpacr: u64,
    /// CNTKCTL_EL1.
    pub cntkctl: u64,
    /// CSSELR_EL1.
    pub csselr: u64,
    /// MDSCR_EL1.
    pub mdscr: u64,
    /// CNTV_CTL_EL0.
    pub cntv_ctl: u64,
    /// CNTV_CVAL_EL0.
    pub cntv_cval: u64,
}

/// SCTLR_EL1 at reset for a guest: RES1 bits, MMU and caches off.
pub const SCTLR_EL1_RESET: u64 = 0x30d0_0800;

/// CNTV_CTL_EL0.ENABLE.
pub const CNTV_ENABLE: u64 = 1 << 0;
/// CNTV_CTL_EL0.IMASK.
pub const CNTV_IMASK: u64 = 1 << 1;
/// CNTV_CTL_EL0.ISTATUS.
pub const CNTV_ISTATUS: u64 = 1 << 2;

/// Calls `$m!(field = "register", ...)` with every register of
/// [`El1State`], in the order they are restored.
macro_rules! el1_registers {
    ($m:ident) => {
        $m!(
            sctlr = "sctlr_el1",
            ttbr0 = "ttbr0_el1",
            ttbr1 = "ttbr1_el1",
            tcr = "tcr_el1",
            mair = "mair_el1",
            amair = "amair_el1",
            vbar = "vbar_el1",
            contextidr = "contextidr_el1",
            tpidr_el1 = "tpidr_el1",
            tpidrro_el0 = "tpidrro_el0",
            sp_el1 = "sp_el1",
            elr = "elr_el1",
            spsr = "spsr_el1",
            esr = "esr_el1",
            far = "far_el1",
            afsr0 = "afsr0_el1",
            afsr1 = "afsr1_el1",
            par = "par_el1",
            cpacr = "cpacr_el1",
            cntkctl = "cntkctl_el1",
            csselr = "csselr_el1",
            mdscr = "mdscr_el1",
            cntv_cval = "cntv_cval_el0",
            cntv_ctl = "cntv_ctl_el0"
        )
    };
}

impl El1State {
    /// The state of a vCPU that has not run yet (`aarch32`: its EL1 is
    /// AArch32, whose SCTLR resets to other bits).
    pub fn reset(aarch32: bool) -> El1State {
        El1State {
            sctlr: if aarch32 {
                super::aarch32::SCTLR_RESET
            } else {
                SCTLR_EL1_RESET
            },
            ..Default::default()
        }
    }

    /// Saves the CPU's EL1 registers (after a guest ran).
    #[inline]
    pub fn save(&mut self) {
        macro_rules! rd {
            ($($field:ident = $reg:literal),*) => {
                // SAFETY: reading EL1 system registers from EL2 has no side
                // effects.
                unsafe { $( asm!(concat!("mrs {0}, ", $reg), out(reg) self.$field, options(nomem, nostack)); )* }
            };
        }
        el1_registers!(rd);
    }

    /// Loads the CPU's EL1 registers (before a guest runs). The timer's
    /// compare value goes before its control, so enabling it never fires
    /// on an old deadline.
    #[inline]
    pub fn restore(&self) {
        macro_rules! wr {
            ($($field:ident = $reg:literal),*) => {
                // SAFETY: EL1 state belongs to the guest about to run; EL2
                // does not use it.
                unsafe { $( asm!(concat!("msr ", $reg, ", {0}"), in(reg) self.$field, options(nomem, nostack)); )* }
            };
        }
        el1_registers!(wr);
        // SAFETY: a barrier.
        unsafe { asm!("isb") };
    }
}

impl El1State {
    /// Sets aside the EL1 registers that govern host processes at EL0
    /// (with HCR_EL2.TGE set: SCTLR_EL1's EL0 controls, MDSCR_EL1,
    /// CNTKCTL_EL1) and gives them the host's values, as
    /// [`restore_host`] does; every other EL1 register, and the virtual
    /// timer, stays the guest's on the CPU.
    #[inline]
    pub fn park(&mut self) {
        // SAFETY: reads of EL1 registers, then the host's values into the
        // three that host processes see; EL2 does not use them.
        unsafe {
            asm!(
                "mrs {s}, sctlr_el1",
                "mrs {m}, mdscr_el1",
                "mrs {c}, cntkctl_el1",
                "msr sctlr_el1, {host}",
                "msr mdscr_el1, xzr",
                "msr cntkctl_el1, xzr",
                s = out(reg) self.sctlr,
                m = out(reg) self.mdscr,
                c = out(reg) self.cntkctl,
                host = in(reg) super::cpu::SCTLR_EL1_HOST,
                options(nostack),
            )
        };
    }

    /// Puts back what [`El1State::park`] set aside.
    #[inline]
    pub fn unpark(&self) {
        // SAFETY: the loaded guest's own values of its EL1 registers.
        unsafe {
            asm!(
                "msr sctlr_el1, {s}",
                "msr mdscr_el1, {m}",
                "msr cntkctl_el1, {c}",
                s = in(reg) self.sctlr,
                m = in(reg) self.mdscr,
                c = in(reg) self.cntkctl,
                options(nostack),
            )
        };
    }
}

/// The registers only an AArch32 EL1 has (ARM ARM D1.20.2: those with no
/// AArch64 EL1 register to share): the SPSRs of the IRQ, FIQ, Abort and
/// Undefined modes (SPSR_svc is SPSR_EL1), DACR, IFSR and FPEXC, which
/// EL2 reaches as DACR32_EL2, IFSR32_EL2 and FPEXC32_EL2.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct El1State32 {
    /// SPSR_abt.
    pub spsr_abt: u64,
    /// SPSR_und.
    pub spsr_und: u64,
    /// SPSR_irq.
    pub spsr_irq: u64,
    /// SPSR_fiq.
    pub spsr_fiq: u64,
    /// DACR32_EL2.
    pub dacr: u64,
    /// IFSR32_EL2.
    pub ifsr: u64,
    /// FPEXC32_EL2 (0 at reset: VFP off until the guest enables it).
    pub fpexc: u64,
}

impl El1State32 {
    /// Saves them after the guest ran. FP must not be trapped
    /// (CPTR_EL2.TFP also traps FPEXC32_EL2 at EL2).
    #[inline]
    pub fn save(&mut self) {
        // SAFETY: reads of EL1/EL2 registers without side effects.
        unsafe {
            asm!(
                "mrs {0}, spsr_abt",
                "mrs {1}, spsr_und",
                "mrs {2}, spsr_irq",
                "mrs {3}, spsr_fiq",
                "mrs {4}, dacr32_el2",
                "mrs {5}, ifsr32_el2",
                "mrs {6}, fpexc32_el2",
                out(reg) self.spsr_abt,
                out(reg) self.spsr_und,
                out(reg) self.spsr_irq,
                out(reg) self.spsr_fiq,
                out(reg) self.dacr,
                out(reg) self.ifsr,
                out(reg) self.fpexc,
                options(nomem, nostack),
            )
        };
    }

    /// Loads them before the guest runs (FP not trapped).
    #[inline]
    pub fn restore(&self) {
        // SAFETY: state of the AArch32 guest about to run; EL2 and host
        // processes (AArch64) do not use it.
        unsafe {
            asm!(
                "msr spsr_abt, {0}",
                "msr spsr_und, {1}",
                "msr spsr_irq, {2}",
                "msr spsr_fiq, {3}",
                "msr dacr32_el2, {4}",
                "msr ifsr32_el2, {5}",
                "msr fpexc32_el2, {6}",
                in(reg) self.spsr_abt,
                in(reg) self.spsr_und,
                in(reg) self.spsr_irq,
                in(reg) self.spsr_fiq,
                in(reg) self.dacr,
                in(reg) self.ifsr,
                in(reg) self.fpexc,
                options(nomem, nostack),
            )
        };
    }
}

/// Sets up EL1 for host processes after a guest ran: stage 1 off, EL0 may
/// use the cache and counter instructions host programs need, and no
/// debug state of the guest's stays on: with HCR_EL2.TGE set, MDSCR_EL1
/// also governs debug exceptions from host processes, so a guest's
/// software-step (SS) or breakpoint enable (MDE) would end them.
pub fn restore_host() {
    // SAFETY: with HCR_EL2.TGE set only these EL1 registers affect EL0.
    unsafe {
        asm!(
            "msr sctlr_el1, {sctlr}",
            "msr mdscr_el1, xzr",
            "msr cntkctl_el1, xzr",
            "msr cntv_ctl_el0, xzr",
            "isb",
            sctlr = in(reg) super::cpu::SCTLR_EL1_HOST,
        )
    };
}

/// Switches HCR_EL2 and CPTR_EL2 between host processes and guests.
#[inline]
pub fn set_traps(hcr: super::cpu::Hcr, cptr: super::cpu::Cptr) {
    let (hcr, cptr) = (hcr.bits(), cptr.bits());
    // SAFETY: the kernel owns these EL2 registers.
    unsafe { asm!("msr hcr_el2, {0}", "msr cptr_el2, {1}", "isb", in(reg) hcr, in(reg) cptr) };
}

/// Sets VMPIDR_EL2 (what the guest reads as MPIDR_EL1).
#[inline]
pub fn set_vmpidr(value: u64) {
    // SAFETY: only changes what EL1 reads as its MPIDR.
    unsafe { asm!("msr vmpidr_el2, {0}", in(reg) value) };
}
