//! This CPU's local APIC (Intel SDM Vol. 3A chapter 12, "Advanced
//! Programmable Interrupt Controller"): x2APIC mode through MSRs where
//! CPUID offers it, else xAPIC mode through the 4 KiB page at the APIC
//! base. The kernel uses it for its timer (TSC-deadline mode where
//! offered, else one-shot on the calibrated APIC clock), for IPIs, to
//! start other CPUs (INIT, SIPI) and to end interrupts (EOI).

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use raw_cpuid::CpuId;
use x86_64::registers::model_specific::Msr;

/// IA32_APIC_BASE.
const IA32_APIC_BASE: u32 = 0x1B;
/// IA32_APIC_BASE.EN: the APIC is on (xAPIC mode).
const APIC_BASE_EN: u64 = 1 << 11;
/// IA32_APIC_BASE.EXTD: x2APIC mode.
const APIC_BASE_EXTD: u64 = 1 << 10;
/// IA32_APIC_BASE bits 12 and up: the page of the xAPIC registers.
const APIC_BASE_ADDRESS: u64 = !0xFFF & ((1 << 52) - 1);
/// IA32_TSC_DEADLINE.
const IA32_TSC_DEADLINE: u32 = 0x6E0;
/// The first x2APIC MSR; xAPIC offset `o` is MSR `X2APIC_BASE + o / 16`.
const X2APIC_BASE: u32 = 0x800;

/// Register offsets in the xAPIC page (SDM table 12-1).
pub const ID: u32 = 0x20;
/// Task priority.
pub const TPR: u32 = 0x80;
/// End of interrupt.
pub const EOI: u32 = 0xB0;
/// Spurious-interrupt vector register.
pub const SVR: u32 = 0xF0;
/// Interrupt command register, low half (x2APIC: the whole 64 bits).
pub const ICR_LOW: u32 = 0x300;
/// Interrupt command register, high half (xAPIC only).
pub const ICR_HIGH: u32 = 0x310;
/// LVT timer.
pub const LVT_TIMER: u32 = 0x320;
/// LVT LINT0.
pub const LVT_LINT0: u32 = 0x350;
/// LVT LINT1.
pub const LVT_LINT1: u32 = 0x360;
/// LVT error.
pub const LVT_ERROR: u32 = 0x370;
/// Timer initial count.
pub const TIMER_INITIAL: u32 = 0x380;
/// Timer current count.
pub const TIMER_CURRENT: u32 = 0x390;
/// Timer divide configuration.
pub const TIMER_DIVIDE: u32 = 0x3E0;

/// SVR.APIC software enable.
const SVR_ENABLE: u32 = 1 << 8;
/// LVT mask bit.
const LVT_MASKED: u32 = 1 << 16;
/// LVT timer mode bits 18:17: one-shot.
const TIMER_ONE_SHOT: u32 = 0b00 << 17;
/// LVT timer mode bits 18:17: TSC-deadline.
const TIMER_TSC_DEADLINE: u32 = 0b10 << 17;
/// Divide configuration for divide-by-1 (SDM figure 12-10).
const DIVIDE_BY_1: u32 = 0b1011;
/// ICR delivery modes (bits 10:8).
const ICR_FIXED: u32 = 0b000 << 8;
/// INIT.
const ICR_INIT: u32 = 0b101 << 8;
/// Start-up.
const ICR_STARTUP: u32 = 0b110 << 8;
/// ICR level: assert (must be set for all but INIT de-assert).
const ICR_ASSERT: u32 = 1 << 14;
/// ICR delivery status: send pending (xAPIC).
const ICR_PENDING: u32 = 1 << 12;

/// The vector spurious interrupts arrive at.
pub const SPURIOUS_VECTOR: u8 = 0xFF;

static X2APIC: AtomicBool = AtomicBool::new(false);
static XAPIC_BASE: AtomicU64 = AtomicU64::new(0);
static TSC_DEADLINE: AtomicBool = AtomicBool::new(false);
/// TSC ticks per APIC timer tick (divide by 1), × 2^16, when the timer
/// runs one-shot.
static TSC_PER_APIC_TICK_X65536: AtomicU64 = AtomicU64::new(0);

/// The CPU offers x2APIC mode.
pub fn has_x2apic() -> bool {
    CpuId::new()
        .get_feature_info()
        .is_some_and(|f| f.has_x2apic())
}

/// The local APICs run in x2APIC mode.
pub fn is_x2apic() -> bool {
    X2APIC.load(Ordering::Relaxed)
}

/// The CPU offers the TSC-deadline timer mode.
pub fn has_tsc_deadline() -> bool {
    CpuId::new()
        .get_feature_info()
        .is_some_and(|f| f.has_tsc_deadline())
}

fn read(reg: u32) -> u32 {
    if X2APIC.load(Ordering::Relaxed) {
        // SAFETY: x2APIC mode is on; reg names an x2APIC register.
        unsafe { Msr::new(X2APIC_BASE + reg / 16).read() as u32 }
    } else {
        let base = XAPIC_BASE.load(Ordering::Relaxed);
        // SAFETY: the xAPIC page is identity-mapped (and uncached by the
        // firmware's MTRRs); reg is a register offset in it.
        unsafe { core::ptr::read_volatile((base + u64::from(reg)) as *const u32) }
    }
}

fn write(reg: u32, value: u32) {
    if X2APIC.load(Ordering::Relaxed) {
        // SAFETY: as in `read`.
        unsafe { Msr::new(X2APIC_BASE + reg / 16).write(u64::from(value)) }
    } else {
        let base = XAPIC_BASE.load(Ordering::Relaxed);
        // SAFETY: as in `read`.
        unsafe { core::ptr::write_volatile((base + u64::from(reg)) as *mut u32, value) }
    }
}

/// Turns this CPU's APIC on (x2APIC mode where offered), masks its local
/// interrupt lines and timer, and accepts every priority.
///
/// # Safety
/// Called once per CPU as it starts, with interrupts masked.
pub unsafe fn init() {
    let x2 = has_x2apic();
    let mut base_msr = Msr::new(IA32_APIC_BASE);
    // SAFETY: IA32_APIC_BASE exists on every CPU with an APIC; enabling
    // it (and x2APIC mode where offered) is a legal transition from the
    // firmware's xAPIC mode.
    unsafe {
        let base = base_msr.read();
        XAPIC_BASE.store(base & APIC_BASE_ADDRESS, Ordering::Relaxed);
        let extd = if x2 { APIC_BASE_EXTD } else { 0 };
        base_msr.write(base | APIC_BASE_EN | extd);
    }
    X2APIC.store(x2, Ordering::Relaxed);
    TSC_DEADLINE.store(has_tsc_deadline(), Ordering::Relaxed);
    write(TPR, 0);
    write(LVT_LINT0, LVT_MASKED);
    write(LVT_LINT1, LVT_MASKED);
    write(LVT_ERROR, LVT_MASKED);
    write(LVT_TIMER, LVT_MASKED);
    write(SVR, SVR_ENABLE | u32::from(SPURIOUS_VECTOR));
}

/// This CPU's APIC ID (32 bits in x2APIC mode, 8 in xAPIC mode).
pub fn id() -> u32 {
    let raw = read(ID);
    if X2APIC.load(Ordering::Relaxed) {
        raw
    } else {
        raw >> 24
    }
}

/// Ends the interrupt in service.
pub fn eoi() {
    write(EOI, 0);
}

fn send(apic_id: u32, command: u32) {
    if X2APIC.load(Ordering::Relaxed) {
        let value = (u64::from(apic_id) << 32) | u64::from(command);
        // SAFETY: x2APIC mode is on; the ICR takes any destination.
        unsafe { Msr::new(X2APIC_BASE + ICR_LOW / 16).write(value) }
    } else {
        write(ICR_HIGH, apic_id << 24);
        write(ICR_LOW, command);
        while read(ICR_LOW) & ICR_PENDING != 0 {
            core::hint::spin_loop();
        }
    }
}

/// Sends interrupt `vector` to the CPU with `apic_id`.
pub fn send_ipi(apic_id: u32, vector: u8) {
    send(apic_id, ICR_FIXED | ICR_ASSERT | u32::from(vector));
}

/// Sends INIT to the CPU with `apic_id` (SDM 9.4.4.1).
pub fn send_init(apic_id: u32) {
    send(apic_id, ICR_INIT | ICR_ASSERT);
}

/// Sends a start-up IPI: the CPU starts in real mode at `page` × 4 KiB.
pub fn send_startup(apic_id: u32, page: u8) {
    send(apic_id, ICR_STARTUP | ICR_ASSERT | u32::from(page));
}

/// Records the APIC timer's rate against the TSC, for one-shot mode.
pub fn set_timer_rate(tsc_per_apic_tick_x65536: u64) {
    TSC_PER_APIC_TICK_X65536.store(tsc_per_apic_tick_x65536, Ordering::Relaxed);
}

/// Raises `vector` when the TSC reaches `deadline` (now if it has).
pub fn set_deadline(vector: u8, deadline: u64, now: u64) {
    if TSC_DEADLINE.load(Ordering::Relaxed) {
        write(LVT_TIMER, TIMER_TSC_DEADLINE | u32::from(vector));
        // SAFETY: the CPU offers TSC-deadline mode, which the LVT selects.
        unsafe { Msr::new(IA32_TSC_DEADLINE).write(deadline.max(1)) }
        return;
    }
    let rate = TSC_PER_APIC_TICK_X65536.load(Ordering::Relaxed).max(1);
    let ticks = (u128::from(deadline.saturating_sub(now)) << 16) / u128::from(rate);
    write(TIMER_DIVIDE, DIVIDE_BY_1);
    write(LVT_TIMER, TIMER_ONE_SHOT | u32::from(vector));
    write(TIMER_INITIAL, ticks.clamp(1, u128::from(u32::MAX)) as u32);
}

/// The TSC deadline this CPU's timer is armed for, read back from the
/// local APIC (for what must end at the same time: the VMX-preemption
/// timer of a guest's run, `vmx/world.rs`): IA32_TSC_DEADLINE in
/// TSC-deadline mode (0 once it fired or when disarmed, SDM 12.5.4.1),
/// else what the one-shot count has left; `None` when nothing is due.
/// Reading it costs nothing on the paths that arm the timer.
pub fn armed_deadline(now: u64) -> Option<u64> {
    if TSC_DEADLINE.load(Ordering::Relaxed) {
        // SAFETY: the CPU offers TSC-deadline mode; reading the MSR has
        // no side effect.
        let deadline = unsafe { Msr::new(IA32_TSC_DEADLINE).read() };
        return (deadline != 0).then_some(deadline);
    }
    if read(LVT_TIMER) & LVT_MASKED != 0 {
        return None;
    }
    let left = u64::from(read(TIMER_CURRENT));
    let rate = TSC_PER_APIC_TICK_X65536.load(Ordering::Relaxed);
    (left != 0).then(|| now.saturating_add(((u128::from(left) * u128::from(rate)) >> 16) as u64))
}

/// Stops the timer.
pub fn stop_timer() {
    write(LVT_TIMER, LVT_MASKED);
    if TSC_DEADLINE.load(Ordering::Relaxed) {
        // SAFETY: as in `set_deadline`; 0 disarms.
        unsafe { Msr::new(IA32_TSC_DEADLINE).write(0) }
    } else {
        write(TIMER_INITIAL, 0);
    }
}

/// Counts the APIC timer down from its maximum at divide-by-1 and returns
/// how far it got; `wait` runs meanwhile (the calibration's interval).
pub fn count_during(wait: &mut dyn FnMut()) -> u32 {
    write(TIMER_DIVIDE, DIVIDE_BY_1);
    write(LVT_TIMER, LVT_MASKED | TIMER_ONE_SHOT);
    write(TIMER_INITIAL, u32::MAX);
    wait();
    let left = read(TIMER_CURRENT);
    write(TIMER_INITIAL, 0);
    u32::MAX - left
}
