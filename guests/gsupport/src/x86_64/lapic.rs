//! The local APIC in xAPIC mode, through its MMIO page at the MADT's
//! address (SDM Vol. 3A chapter 11): enabling it, EOI, IPIs (fixed, INIT
//! and start-up), and its timer in one-shot, periodic and TSC-deadline
//! modes. Every register access is one aligned 32-bit `mov`.

use super::{port, tsc};
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Register offsets (SDM Vol. 3A, table 11-1).
pub const LAPIC_ID: usize = 0x20;
/// Task priority register.
pub const LAPIC_TPR: usize = 0x80;
/// End of interrupt.
pub const LAPIC_EOI: usize = 0xB0;
/// Spurious interrupt vector register.
pub const LAPIC_SVR: usize = 0xF0;
/// Interrupt command register, low and high halves.
pub const LAPIC_ICR_LOW: usize = 0x300;
/// See [`LAPIC_ICR_LOW`].
pub const LAPIC_ICR_HIGH: usize = 0x310;
/// LVT timer, LINT0 and error registers.
pub const LAPIC_LVT_TIMER: usize = 0x320;
/// See [`LAPIC_LVT_TIMER`].
pub const LAPIC_LVT_LINT0: usize = 0x350;
/// See [`LAPIC_LVT_TIMER`].
pub const LAPIC_LVT_ERROR: usize = 0x370;
/// Timer initial count, current count and divide configuration.
pub const LAPIC_TIMER_ICR: usize = 0x380;
/// See [`LAPIC_TIMER_ICR`].
pub const LAPIC_TIMER_CCR: usize = 0x390;
/// See [`LAPIC_TIMER_ICR`].
pub const LAPIC_TIMER_DCR: usize = 0x3E0;
/// SVR bit 8: APIC software enable.
pub const SVR_APIC_ENABLE: u32 = 1 << 8;
/// LVT bit 16: masked.
pub const LVT_MASKED: u32 = 1 << 16;
/// LVT timer mode (bits 18:17): one-shot, periodic, TSC-deadline.
pub const LVT_TIMER_ONE_SHOT: u32 = 0b00 << 17;
/// See [`LVT_TIMER_ONE_SHOT`].
pub const LVT_TIMER_PERIODIC: u32 = 0b01 << 17;
/// See [`LVT_TIMER_ONE_SHOT`].
pub const LVT_TIMER_TSC_DEADLINE: u32 = 0b10 << 17;
/// Divide configuration: divide by 1 (bits 3, 1:0 = 1, 11).
pub const DCR_DIVIDE_BY_1: u32 = 0b1011;
/// ICR delivery modes (bits 10:8): fixed, INIT, start-up.
pub const ICR_FIXED: u32 = 0b000 << 8;
/// See [`ICR_FIXED`].
pub const ICR_INIT: u32 = 0b101 << 8;
/// See [`ICR_FIXED`].
pub const ICR_STARTUP: u32 = 0b110 << 8;
/// ICR bit 12: delivery status (send pending).
pub const ICR_SEND_PENDING: u32 = 1 << 12;
/// ICR bit 14: level assert.
pub const ICR_ASSERT: u32 = 1 << 14;
/// IA32_TSC_DEADLINE (SDM Vol. 4, table 2-2).
pub const IA32_TSC_DEADLINE: u32 = 0x6E0;
/// The 8259 PICs' data (mask) ports.
const PIC1_DATA: u16 = 0x21;
/// See [`PIC1_DATA`].
const PIC2_DATA: u16 = 0xA1;

static BASE: AtomicUsize = AtomicUsize::new(0);
/// Timer ticks per second at divide-by-1 (0 until calibrated).
static TIMER_HZ: AtomicU64 = AtomicU64::new(0);

fn read(reg: usize) -> u32 {
    load32(BASE.load(Ordering::Relaxed) + reg)
}

/// One 32-bit `mov` from `addr`: a load a hypervisor decodes (a volatile
/// read may be folded into another instruction, `test` with a memory
/// operand say, which an MMIO emulator need not take).
fn load32(addr: usize) -> u32 {
    let value: u32;
    // SAFETY: the callers pass a local APIC register in the identity map,
    // mapped uncached; reading one has no side effects.
    unsafe {
        core::arch::asm!(
            "mov {value:e}, dword ptr [{addr}]",
            value = out(reg) value,
            addr = in(reg) addr,
            options(nostack, preserves_flags, readonly)
        )
    };
    value
}

fn write(reg: usize, value: u32) {
    // SAFETY: as `read`; the callers write what the SDM defines.
    unsafe { ((BASE.load(Ordering::Relaxed) + reg) as *mut u32).write_volatile(value) }
}

/// The APIC ID of the local APIC at `base` (before [`init_this_cpu`]).
pub fn id_at(base: u64) -> u32 {
    // `base` is the local APIC's page in the identity map.
    load32(base as usize + LAPIC_ID) >> 24
}

/// This CPU's APIC ID.
pub fn id() -> u32 {
    read(LAPIC_ID) >> 24
}

/// The address of register `reg` (for probes and benchmarks).
pub fn register_address(reg: usize) -> usize {
    BASE.load(Ordering::Relaxed) + reg
}

/// Enables this CPU's local APIC at `base` (spurious vector 0xFF, TPR 0,
/// timer, LINT0 and error masked); on the boot CPU also masks the 8259s.
pub(crate) fn init_this_cpu(base: u64) {
    if BASE.swap(base as usize, Ordering::SeqCst) == 0 {
        // SAFETY: masking every 8259 line: the guest uses the APICs only.
        unsafe {
            port::outb(PIC1_DATA, 0xFF);
            port::outb(PIC2_DATA, 0xFF);
        }
    }
    write(LAPIC_TPR, 0);
    write(LAPIC_LVT_TIMER, LVT_MASKED);
    write(LAPIC_LVT_LINT0, LVT_MASKED);
    write(LAPIC_LVT_ERROR, LVT_MASKED);
    write(
        LAPIC_SVR,
        SVR_APIC_ENABLE | u32::from(super::exceptions::SPURIOUS_VECTOR),
    );
}

/// Signals the end of the interrupt being handled.
pub fn eoi() {
    write(LAPIC_EOI, 0);
}

fn send(apic_id: u32, command: u32) {
    while read(LAPIC_ICR_LOW) & ICR_SEND_PENDING != 0 {
        core::hint::spin_loop();
    }
    write(LAPIC_ICR_HIGH, apic_id << 24);
    write(LAPIC_ICR_LOW, command);
}

/// Sends a fixed interrupt with `vector` to the CPU with `apic_id`.
pub fn send_ipi(apic_id: u32, vector: u8) {
    send(apic_id, ICR_FIXED | ICR_ASSERT | u32::from(vector));
}

/// Sends INIT to the CPU with `apic_id`.
pub fn send_init(apic_id: u32) {
    send(apic_id, ICR_INIT | ICR_ASSERT);
}

/// Sends a start-up IPI: the CPU starts in real mode at `page` << 12.
pub fn send_startup(apic_id: u32, page: u8) {
    send(apic_id, ICR_STARTUP | ICR_ASSERT | u32::from(page));
}

/// The timer's ticks per second at divide-by-1, measured against the TSC
/// the first time (the median of three 10 ms measurements).
pub fn timer_hz() -> u64 {
    let known = TIMER_HZ.load(Ordering::Relaxed);
    if known != 0 {
        return known;
    }
    let mut hz = [0u64; 3];
    for slot in &mut hz {
        write(LAPIC_TIMER_DCR, DCR_DIVIDE_BY_1);
        write(LAPIC_LVT_TIMER, LVT_MASKED | LVT_TIMER_ONE_SHOT);
        let start = tsc::now();
        write(LAPIC_TIMER_ICR, u32::MAX);
        tsc::delay_us(10_000);
        let counted = u32::MAX - read(LAPIC_TIMER_CCR);
        let elapsed = tsc::now() - start;
        write(LAPIC_TIMER_ICR, 0);
        *slot = u64::from(counted) * tsc::hz() / elapsed.max(1);
    }
    hz.sort_unstable();
    TIMER_HZ.store(hz[1], Ordering::Relaxed);
    hz[1]
}

/// Starts the timer: `vector` every `us` microseconds (`periodic`) or
/// once after them.
pub fn start_timer(vector: u8, us: u64, periodic: bool) {
    let count = (timer_hz() * us / 1_000_000).clamp(1, u64::from(u32::MAX)) as u32;
    let mode = if periodic {
        LVT_TIMER_PERIODIC
    } else {
        LVT_TIMER_ONE_SHOT
    };
    write(LAPIC_TIMER_DCR, DCR_DIVIDE_BY_1);
    write(LAPIC_LVT_TIMER, mode | u32::from(vector));
    write(LAPIC_TIMER_ICR, count);
}

/// Puts the timer in TSC-deadline mode with `vector` (arm it with
/// [`set_tsc_deadline`]; only if CPUID.1:ECX.TSC_Deadline is set).
pub fn start_tsc_deadline_timer(vector: u8) {
    write(LAPIC_LVT_TIMER, LVT_TIMER_TSC_DEADLINE | u32::from(vector));
    // The mode switch must be seen before the MSR write (SDM Vol. 3A
    // 11.5.4.1): MFENCE orders the MMIO store before WRMSR.
    // SAFETY: a fence only orders memory accesses.
    unsafe { core::arch::asm!("mfence", options(nostack)) };
}

/// Arms the TSC-deadline timer for TSC value `deadline` (0 disarms).
pub fn set_tsc_deadline(deadline: u64) {
    // SAFETY: IA32_TSC_DEADLINE exists when the caller checked CPUID;
    // writing it only arms this CPU's timer.
    unsafe { super::msr::wrmsr(IA32_TSC_DEADLINE, deadline) };
}

/// Stops the timer (masked, count 0).
pub fn stop_timer() {
    write(LAPIC_LVT_TIMER, LVT_MASKED);
    write(LAPIC_TIMER_ICR, 0);
}
