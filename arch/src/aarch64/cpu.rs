//! Small per-CPU operations: identification, the per-CPU pointer, barriers,
//! cache and TLB maintenance, zeroing RAM with `DC ZVA`, and the EL2
//! configuration for host processes.

use aarch64_cpu::asm::{self as insn, barrier};
use aarch64_cpu::registers::{
    CNTFRQ_EL0, CNTHCTL_EL2, CNTPCT_EL0, CNTVOFF_EL2, CPTR_EL2, ESR_EL2, FAR_EL2, HCR_EL2,
    HPFAR_EL2, ID_AA64MMFR0_EL1, MDCR_EL2, MIDR_EL1, MPIDR_EL1, Readable, SCTLR_EL1, TPIDR_EL2,
    VMPIDR_EL2, VTCR_EL2, VTTBR_EL2, Writeable,
};
use core::arch::asm;

bitflags::bitflags! {
    /// HCR_EL2 bits the kernel sets (ARM ARM D24.2.48).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Hcr: u64 {
        /// VM: stage-2 translation on.
        const VM = 1 << 0;
        /// FMO: physical FIQs to EL2.
        const FMO = 1 << 3;
        /// IMO: physical IRQs to EL2.
        const IMO = 1 << 4;
        /// AMO: SErrors to EL2.
        const AMO = 1 << 5;
        /// FB: broadcast TLB and cache maintenance (the vCPU may move).
        const FB = 1 << 9;
        /// BSU = inner shareable: upgrade guest barriers.
        const BSU_IS = 1 << 10;
        /// DC: default cacheable (stage 1 off acts as Normal WB).
        const DC = 1 << 12;
        /// TWI: trap WFI.
        const TWI = 1 << 13;
        /// TWE: trap WFE.
        const TWE = 1 << 14;
        /// TID3: trap reads of the ID group 3 registers.
        const TID3 = 1 << 18;
        /// TSC: trap SMC.
        const TSC = 1 << 19;
        /// TIDCP: trap implementation-defined system registers.
        const TIDCP = 1 << 20;
        /// TGE: exceptions of EL0 go to EL2.
        const TGE = 1 << 27;
        /// RW: EL1 is AArch64.
        const RW = 1 << 31;
    }
}

bitflags::bitflags! {
    /// CPTR_EL2 (non-VHE) bits the kernel sets (ARM ARM D24.2.33).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Cptr: u64 {
        /// The RES1 bits: 13:12, 9:0.
        const RES1 = 0x33ff;
        /// TFP: trap FP/SIMD.
        const TFP = 1 << 10;
    }
}

/// HCR_EL2 while a guest runs at EL1/EL0: stage 2 on, interrupts and
/// SErrors to EL2, SMC and WFI trapped (DESIGN.md), maintenance broadcast.
pub const HCR_GUEST: Hcr = Hcr::TID3
    .union(Hcr::VM)
    .union(Hcr::FMO)
    .union(Hcr::IMO)
    .union(Hcr::AMO)
    .union(Hcr::FB)
    .union(Hcr::BSU_IS)
    .union(Hcr::TWI)
    .union(Hcr::TSC)
    .union(Hcr::TIDCP)
    .union(Hcr::RW);

/// HCR_EL2 while a host process runs at EL0 (DESIGN.md: stage-2-based
/// address spaces without VHE).
pub const HCR_HOST_PROCESS: Hcr = Hcr::VM.union(Hcr::DC).union(Hcr::TGE).union(Hcr::RW);

/// CPTR_EL2 while a guest runs: FP/SIMD allowed.
pub const CPTR_GUEST: Cptr = Cptr::RES1;
/// CPTR_EL2 while a host process runs: FP/SIMD trapped.
pub const CPTR_HOST: Cptr = Cptr::RES1.union(Cptr::TFP);

/// SCTLR_EL1 for host processes: RES1 bits, DZE, UCT, UCI; stage 1 off.
pub const SCTLR_EL1_HOST: u64 = 0x34d0_c800;

/// CNTHCTL_EL2.EL1PCTEN | EL1PCEN: lower levels may use the physical counter
/// and timer.
pub const CNTHCTL_EL1PCTEN_EL1PCEN: u64 = 0b11;

/// MPIDR_EL1 affinity fields (Aff3 at 39:32, Aff2..0 at 23:0).
pub fn mpidr() -> u64 {
    MPIDR_EL1.get() & 0xff_00ff_ffff
}

/// ID_AA64MMFR0_EL1.PARange.
pub fn pa_range() -> u64 {
    ID_AA64MMFR0_EL1.read(ID_AA64MMFR0_EL1::PARange)
}

/// MIDR_EL1, for the banner.
pub fn midr() -> u64 {
    MIDR_EL1.get()
}

/// Sets this CPU's per-CPU pointer (TPIDR_EL2).
pub fn set_per_cpu(value: usize) {
    TPIDR_EL2.set(value as u64);
}

/// This CPU's per-CPU pointer.
#[inline(always)]
pub fn per_cpu() -> usize {
    TPIDR_EL2.get() as usize
}

/// Waits for an interrupt (with PSTATE.I set, a pending interrupt still
/// wakes the CPU).
pub fn wait_for_interrupt() {
    barrier::dsb(barrier::SY);
    insn::wfi();
}

/// The spin-wait hint (`YIELD`): tells the CPU (or the simulator running
/// it) that this thread of execution waits on another. QEMU's TCG, which
/// runs all CPUs in turn in one host thread under `-icount`, moves on to
/// the next CPU at a `YIELD`, so a CPU spinning on a lock lets the holder
/// run instead of spinning out its whole turn; hardware may give the
/// other hardware thread of its core the pipeline.
pub fn spin_hint() {
    // SAFETY: YIELD is a hint with no architectural effect.
    unsafe { asm!("yield", options(nomem, nostack, preserves_flags)) };
}

/// Zeroes `len` bytes at `addr` with `DC ZVA`, one instruction per block
/// of DCZID_EL0's size (64 bytes on a Cortex-A72), four blocks a loop;
/// with plain stores if DCZID_EL0 prohibits it or the range is not made
/// of whole groups of four blocks.
///
/// # Safety
/// `[addr, addr + len)` must be memory the caller owns, mapped as Normal
/// memory (`DC ZVA` on Device memory is an alignment fault).
pub unsafe fn zero_normal(addr: usize, len: usize) {
    let dczid: u64;
    // SAFETY: reading an identification register.
    unsafe { asm!("mrs {0}, dczid_el0", out(reg) dczid, options(nomem, nostack)) };
    // BS: log2 of the block size in 4-byte words; DZP: prohibited.
    let block = 4usize << (dczid & 0xf);
    let group = 4 * block;
    if dczid & (1 << 4) != 0 || !addr.is_multiple_of(block) || !len.is_multiple_of(group) {
        // SAFETY: the caller owns the range.
        unsafe { core::ptr::write_bytes(addr as *mut u8, 0, len) };
        return;
    }
    if len == 0 {
        return;
    }
    // SAFETY: the caller owns the Normal memory zeroed; DC ZVA stores like
    // any store, the DSB completes them before anything that follows.
    unsafe {
        asm!(
            "1:",
            "dc zva, {at}",
            "add {at}, {at}, {block}",
            "dc zva, {at}",
            "add {at}, {at}, {block}",
            "dc zva, {at}",
            "add {at}, {at}, {block}",
            "dc zva, {at}",
            "add {at}, {at}, {block}",
            "cmp {at}, {end}",
            "b.lo 1b",
            "dsb ishst",
            at = inout(reg) addr => _,
            block = in(reg) block,
            end = in(reg) addr + len,
            options(nostack),
        )
    };
}

/// Waits for an event.
pub fn wait_for_event() {
    insn::wfe();
}

/// Invalidates data cache lines over a range (used before the MMU is on).
///
/// # Safety
/// Dirty data in the range is lost.
pub unsafe fn invalidate_dcache_range(start: usize, len: usize) {
    let mut line = start & !63;
    while line < start + len {
        // SAFETY: the caller accepts losing dirty lines.
        unsafe { asm!("dc ivac, {0}", in(reg) line) };
        line += 64;
    }
    // SAFETY: a barrier.
    unsafe { asm!("dsb sy") };
}

/// Cleans data cache lines over a range to the point of coherency (for a
/// CPU that will read it with its MMU off).
pub fn clean_dcache_range(start: usize, len: usize) {
    let mut line = start & !63;
    while line < start + len {
        // SAFETY: cleaning writes back dirty lines; no data changes.
        unsafe { asm!("dc cvac, {0}", in(reg) line) };
        line += 64;
    }
    // SAFETY: a barrier.
    unsafe { asm!("dsb sy") };
}

/// Sets up the EL2 state every CPU needs before running host processes:
/// HCR_EL2, VTCR_EL2, FP traps, counters, and a clean EL1 state.
pub fn init_el2(vtcr: u64) {
    HCR_EL2.set(HCR_HOST_PROCESS.bits());
    VTCR_EL2.set(vtcr);
    CPTR_EL2.set(CPTR_HOST.bits());
    CNTHCTL_EL2.set(CNTHCTL_EL1PCTEN_EL1PCEN);
    CNTVOFF_EL2.set(0);
    SCTLR_EL1.set(SCTLR_EL1_HOST);
    MDCR_EL2.set(super::sysreg::MDCR_EL2);
    // VPIDR_EL2 is not in aarch64-cpu.
    // SAFETY: the MIDR guests read is the CPU's own.
    unsafe { asm!("msr vpidr_el2, {0}", in(reg) midr()) };
    // Bit 31 of MPIDR is RES1.
    VMPIDR_EL2.set(mpidr() | (1 << 31));
    barrier::isb(barrier::SY);
}

/// Switches the stage-2 space (VTTBR_EL2).
#[inline]
pub fn set_vttbr(vttbr: u64) {
    // The kernel only installs roots of live stage-2 tables. The register
    // write is `nomem` to the compiler: the fence keeps the table stores
    // before it.
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::SeqCst);
    VTTBR_EL2.set(vttbr);
    barrier::isb(barrier::SY);
}

/// The current VTTBR_EL2.
pub fn vttbr() -> u64 {
    VTTBR_EL2.get()
}

/// Invalidates all stage-1 and stage-2 TLB entries of the VMID in VTTBR_EL2
/// on every CPU of the inner-shareable domain.
pub fn tlb_flush_current_vmid() {
    // SAFETY: TLB maintenance only drops cached translations.
    unsafe { asm!("dsb ishst", "tlbi vmalls12e1is", "dsb ish", "isb") };
}

/// Invalidates the stage-2 entry of one IPA of the current VMID everywhere,
/// and all stage-1 entries of it (stage 1 is off for host processes).
pub fn tlb_flush_ipa(ipa: usize) {
    // SAFETY: TLB maintenance only drops cached translations.
    unsafe {
        asm!("dsb ishst", "tlbi ipas2e1is, {0}", "dsb ish", "tlbi vmalle1is", "dsb ish", "isb", in(reg) ipa >> 12)
    };
}

/// Reads the exception syndrome and fault address registers.
#[inline]
pub fn fault_registers() -> (u64, u64, u64) {
    (ESR_EL2.get(), FAR_EL2.get(), HPFAR_EL2.get())
}

/// Physical counter value.
#[inline]
pub fn counter() -> u64 {
    // The ISB keeps the read from being taken early.
    barrier::isb(barrier::SY);
    CNTPCT_EL0.get()
}

/// Counter frequency in Hz.
pub fn counter_frequency() -> u64 {
    CNTFRQ_EL0.get()
}

/// The frame pointer, for backtraces.
#[inline(always)]
pub fn frame_pointer() -> usize {
    let v: usize;
    // SAFETY: copying a register.
    unsafe { asm!("mov {0}, x29", out(reg) v) };
    v
}
