//! The virtual local APIC of one x86 vCPU, as pure logic: the xAPIC
//! register page, the x2APIC MSRs, IA32_APIC_BASE and IA32_TSC_DEADLINE,
//! interrupt acceptance and priority, the timer and the ICR, built to the
//! Intel SDM Vol. 3A chapter "Advanced Programmable Interrupt Controller
//! (APIC)" (chapter 10 in the editions cited here; section numbers are
//! theirs).
//!
//! The VMX/SVM exit handlers forward the guest's accesses: APIC-page
//! faults to [`VLapic::read`] and [`VLapic::write`], RDMSR and WRMSR of
//! 0x1B, 0x6E0 and 0x800-0x8FF to [`VLapic::read_msr`] and
//! [`VLapic::write_msr`] (a [`Gp`] becomes #GP(0)). A write's [`Effect`]
//! says what the VM layer must do: deliver an IPI, forward an EOI to the
//! virtual I/O APIC, re-program the host timer from
//! [`VLapic::timer_deadline`]. Devices and other vCPUs raise interrupts
//! with [`VLapic::accept`]; before entering the vCPU the kernel injects
//! [`VLapic::pending`] (when the guest can take it) and calls
//! [`VLapic::acknowledge`]; when the host timer fires it calls
//! [`VLapic::timer_fire`]. Time is the guest TSC (`now`), always.
//!
//! Model:
//! - One APIC per vCPU; the APIC ID is fixed at creation. xAPIC mode may
//!   rewrite its 8-bit ID (as Pentium 4 and later allow); x2APIC mode reads
//!   the 32-bit one, and derives its LDR from it (10.12.10.2).
//! - Version 0x14, seven LVT entries (CMCI included), EOI-broadcast
//!   suppression when configured ([`LapicConfig`]).
//! - A software-disabled APIC (SVR bit 8 clear) holds IRR and ISR, takes
//!   no fixed interrupts, keeps every LVT entry masked, and still sends
//!   IPIs; NMI, SMI, INIT and SIPI bypass this model (the VM layer
//!   handles them), as they bypass the IRR (10.4.7.2).
//! - Hardware disable (IA32_APIC_BASE.EN = 0) resets the registers to
//!   their INIT state (10.4.3: the APIC "may return" to its reset state;
//!   10.12.5.1: the IDs are kept); while disabled the page reads 0 and
//!   ignores writes, the x2APIC MSRs fault, nothing is accepted or
//!   matched, the timer does not run.
//! - Errors (10.5.3): illegal vectors sent or received and reserved
//!   register offsets (xAPIC) are logged in the ESR, and raise the LVT
//!   error vector when unmasked.
//!
//! Not modeled: the Remote IRR of LINT0/LINT1 (reads 0), focus processor
//! checking (SVR bit 9 is stored only), the spurious vector (injection
//! takes [`VLapic::pending`] and [`VLapic::acknowledge`] together, so an
//! interrupt is never withdrawn between them), the P6-era checksum and
//! accept errors, remote read (RRD reads 0), sub-32-bit accesses,
//! lowest-priority arbitration (the VM layer picks among the targets,
//! e.g. by [`VLapic::ppr`]) and APIC virtualization (APICv/AVIC) state.

mod access;
mod clock;
mod destination;
mod ipi;
mod lvt;
mod msr;
mod priority;
pub mod regs;
#[cfg(test)]
mod tests;
mod timer;
mod vectors;

pub use clock::{TimerClock, TimerMode};
pub use ipi::{Delivery, DestMode, Destination, Ipi, Trigger};
pub use lvt::{LocalDelivery, Lvt};
pub use vectors::VectorSet;

use clock::Timer;
use regs::*;

/// The #GP(0) an MSR access raises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gp;

/// The APIC's mode (IA32_APIC_BASE EN and EXTD, 10.12.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApicMode {
    /// EN = 0: globally disabled.
    Disabled,
    /// EN = 1, EXTD = 0: the MMIO page.
    XApic,
    /// EN = 1, EXTD = 1: the MSRs.
    X2Apic,
}

/// What the VM layer must do after a register write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing beyond the usual re-check of [`VLapic::pending`].
    None,
    /// Deliver an IPI the guest sent.
    Ipi(Ipi),
    /// The guest ended in-service `vector`; `level` is its TMR bit, and
    /// `broadcast` (level and EOI-broadcast suppression off) says the EOI
    /// goes to the I/O APICs.
    Eoi {
        vector: u8,
        level: bool,
        broadcast: bool,
    },
    /// The timer changed: re-read [`VLapic::timer_deadline`].
    Timer,
}

/// What a vCPU's APIC is created with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LapicConfig {
    /// The (x2)APIC ID; xAPIC mode sees its low 8 bits.
    pub apic_id: u32,
    /// The bootstrap processor: IA32_APIC_BASE.BSP.
    pub bsp: bool,
    /// The timer's bus clock against the TSC.
    pub timer: TimerClock,
    /// x2APIC mode is offered (CPUID.1:ECX.x2APIC).
    pub x2apic: bool,
    /// TSC-deadline mode is offered (CPUID.1:ECX.TSC_Deadline).
    pub tsc_deadline: bool,
    /// EOI-broadcast suppression is offered (version bit 24).
    pub eoi_suppression: bool,
    /// Guest-physical address width: IA32_APIC_BASE bits from here up
    /// are reserved.
    pub phys_bits: u8,
}

impl LapicConfig {
    /// Every feature offered, a 52-bit physical address width (the
    /// architectural limit); the VM layer narrows these to its CPUID.
    pub fn new(apic_id: u32, bsp: bool, timer: TimerClock) -> LapicConfig {
        LapicConfig {
            apic_id,
            bsp,
            timer,
            x2apic: true,
            tsc_deadline: true,
            eoi_suppression: true,
            phys_bits: 52,
        }
    }
}

/// The virtual local APIC of one vCPU.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VLapic {
    config: LapicConfig,
    /// IA32_APIC_BASE as read.
    base: u64,
    /// The xAPIC ID (ID register bits 31:24).
    xapic_id: u8,
    tpr: u8,
    /// xAPIC LDR (bits 31:24).
    ldr: u32,
    dfr: u32,
    svr: u32,
    isr: VectorSet,
    tmr: VectorSet,
    irr: VectorSet,
    /// ESR as read: the errors latched by the last ESR write.
    esr: u32,
    /// Errors since the last ESR write.
    esr_pending: u32,
    /// LVT entries in [`Lvt`] order.
    lvt: [u32; 7],
    /// ICR, both halves (x2APIC layout: destination in 63:32; xAPIC: in
    /// 63:56).
    icr: u64,
    timer: Timer,
}

impl VLapic {
    /// A vCPU's APIC at power-up (xAPIC mode at 0xFEE0_0000), with every
    /// feature of [`LapicConfig::new`].
    pub fn new(apic_id: u32, bsp: bool, timer: TimerClock) -> VLapic {
        VLapic::with_config(LapicConfig::new(apic_id, bsp, timer))
    }

    /// A vCPU's APIC at power-up (10.4.7.1, 10.12.5.1).
    pub fn with_config(config: LapicConfig) -> VLapic {
        let bsp = if config.bsp { APIC_BASE_BSP } else { 0 };
        let mut l = VLapic {
            config,
            base: APIC_BASE_DEFAULT | APIC_BASE_EN | bsp,
            xapic_id: config.apic_id as u8,
            tpr: 0,
            ldr: 0,
            dfr: 0,
            svr: 0,
            isr: VectorSet::EMPTY,
            tmr: VectorSet::EMPTY,
            irr: VectorSet::EMPTY,
            esr: 0,
            esr_pending: 0,
            lvt: [0; 7],
            icr: 0,
            timer: Timer::new(config.timer),
        };
        l.reset();
        l
    }

    /// INIT (10.4.7.3): every register to its power-up value except the
    /// APIC ID; IA32_APIC_BASE (and so the mode) is kept (10.12.5.1). The
    /// timer stops: the VM layer drops its host timer.
    pub fn reset(&mut self) {
        self.tpr = 0;
        self.ldr = 0;
        self.dfr = !0;
        self.svr = SVR_RESET;
        self.isr = VectorSet::EMPTY;
        self.tmr = VectorSet::EMPTY;
        self.irr = VectorSet::EMPTY;
        self.esr = 0;
        self.esr_pending = 0;
        self.lvt = [LVT_RESET; 7];
        self.icr = 0;
        self.timer = Timer::new(self.config.timer);
    }

    /// The configuration it was created with.
    pub fn config(&self) -> &LapicConfig {
        &self.config
    }

    /// The mode IA32_APIC_BASE selects.
    pub fn mode(&self) -> ApicMode {
        match (
            self.base & APIC_BASE_EN != 0,
            self.base & APIC_BASE_EXTD != 0,
        ) {
            (false, _) => ApicMode::Disabled,
            (true, false) => ApicMode::XApic,
            (true, true) => ApicMode::X2Apic,
        }
    }

    /// IA32_APIC_BASE.
    pub fn apic_base(&self) -> u64 {
        self.base
    }

    /// The guest-physical address of the xAPIC page.
    pub fn base_address(&self) -> u64 {
        self.base & !0xFFF
    }

    /// The x2APIC ID (the configured APIC ID).
    pub fn x2apic_id(&self) -> u32 {
        self.config.apic_id
    }

    /// The xAPIC ID (ID register bits 31:24).
    pub fn xapic_id(&self) -> u8 {
        self.xapic_id
    }

    /// The x2APIC logical ID: the cluster (ID bits 19:4) in 31:16, one
    /// bit for ID bits 3:0 in 15:0 (10.12.10.2).
    pub fn x2apic_ldr(&self) -> u32 {
        let id = self.x2apic_id();
        ((id >> 4) & 0xFFFF) << 16 | 1 << (id & 0xF)
    }

    /// The LDR as the current mode reads it.
    pub fn ldr(&self) -> u32 {
        match self.mode() {
            ApicMode::X2Apic => self.x2apic_ldr(),
            _ => self.ldr,
        }
    }

    /// The DFR.
    pub fn dfr(&self) -> u32 {
        self.dfr
    }

    /// The SVR.
    pub fn svr(&self) -> u32 {
        self.svr
    }

    /// SVR bit 8.
    pub fn software_enabled(&self) -> bool {
        self.svr & SVR_APIC_ENABLED != 0
    }

    /// Hardware- and software-enabled: fixed interrupts are accepted.
    pub fn is_enabled(&self) -> bool {
        self.mode() != ApicMode::Disabled && self.software_enabled()
    }
}
