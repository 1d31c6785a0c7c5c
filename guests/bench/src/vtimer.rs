//! `vtimer` and `vtimer-wfi`: the latency of the guest's EL1 virtual timer
//! interrupt, from its deadline to the guest's IRQ vector, on the CPU that
//! runs `main` (vCPU 0 under the hypervisor).
//!
//! Each sample arms the timer (CNTV_CVAL_EL0 = now + a delay, CNTV_CTL_EL0
//! ENABLE, IMASK clear; its PPI enabled in the GIC, level-triggered) and
//! is the counter the vector reads (its third instruction) minus
//! CNTV_CVAL_EL0: at the deadline the counter equals CNTV_CVAL_EL0, so the
//! sample is the path from the timer condition being met to the vector.
//! The handler stops the timer (CNTV_CTL_EL0 = IMASK, ENABLE clear), which
//! lowers the line before the end of interrupt.
//!
//! - `vtimer`: the guest spins (counter reads and `yield`, as
//!   `wait_for` does) with IRQs unmasked, [`SPIN_AHEAD_US`] ahead;
//! - `vtimer-wfi`: the guest waits in WFI, [`WFI_AHEAD_US`] ahead, with
//!   IRQs masked as an OS idle loop does it: WFI wakes on the pending
//!   interrupt, the guest checks the counter is past the deadline (a wake
//!   before it is spurious: WFI again), unmasks, and takes it. So the
//!   sample includes a counter read and the `msr daifclr` after the wake.
//!
//! A sample is kept only if the counter read after arming is still before
//! the deadline (the deadline lay in the future when the timer was armed);
//! otherwise the interrupt is taken, thrown away and the timer armed again,
//! twice as far ahead. The guest prints `bench: NAME: N samples discarded
//! (...)` when that happened (never under `-icount`, where arming takes a
//! few instructions; often without it, where it takes real time).

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use gsupport::gic::Trigger;
use gsupport::{Platform, cpu, gic, println, timer};

use crate::guest::{ITERATIONS, measure_irq, not_measured, row, wait_for};

/// How far ahead of the counter the spinning guest arms the timer: more
/// than arming and checking take, so that the deadline falls in the loop.
const SPIN_AHEAD_US: u64 = 2;
/// How far ahead the guest arms the timer before WFI: far more than a
/// trapped WFI takes to block the vCPU under the hypervisor (a few
/// thousand instructions), so the vCPU sleeps when the deadline passes.
const WFI_AHEAD_US: u64 = 50;
/// Longest wait for one interrupt.
const WAIT_US: u64 = 100_000;
/// Farthest ahead the timer is armed after discarded attempts.
const MAX_AHEAD_US: u64 = 10_000;
/// Most discarded attempts in one measurement before it gives up.
const MAX_DISCARDED: usize = ITERATIONS;

/// The virtual timer's INTID (`u32::MAX`: not measuring).
static INTID: AtomicU32 = AtomicU32::new(u32::MAX);
/// Counter at the vector of the last virtual timer interrupt (0: none
/// since the timer was last armed).
static TAKEN_AT: AtomicU64 = AtomicU64::new(0);

/// Whether `intid` is the virtual timer's interrupt.
pub fn is_vtimer(intid: u32) -> bool {
    intid == INTID.load(Ordering::Relaxed)
}

/// The interrupt handler's part: stops the timer (its line drops) and
/// records when the vector was entered.
pub fn on_irq(at: u64) {
    timer::stop();
    TAKEN_AT.store(at, Ordering::SeqCst);
}

fn taken() -> bool {
    TAKEN_AT.load(Ordering::SeqCst) != 0
}

/// Arms the timer `ahead` ticks from now; the deadline, and whether the
/// counter was still before it once the timer was armed.
fn arm(ahead: u64) -> (u64, bool) {
    TAKEN_AT.store(0, Ordering::SeqCst);
    let deadline = timer::counter().wrapping_add(ahead);
    timer::set_deadline(deadline);
    (deadline, timer::counter() < deadline)
}

/// One `vtimer` sample, IRQs unmasked: `None` if the deadline passed
/// while arming (its interrupt taken and thrown away).
fn spin_once(ahead: u64) -> Result<Option<u64>, &'static str> {
    let (deadline, in_time) = arm(ahead);
    if !wait_for(WAIT_US, taken) {
        timer::stop();
        return Err("the virtual timer interrupt did not come within 100 ms");
    }
    Ok(in_time.then(|| TAKEN_AT.load(Ordering::SeqCst).wrapping_sub(deadline)))
}

/// One `vtimer-wfi` sample: armed and waited for with IRQs masked, then
/// taken; `None` if the deadline passed while arming.
fn wfi_once(ahead: u64) -> Result<Option<u64>, &'static str> {
    cpu::disable_irqs();
    let (deadline, in_time) = arm(ahead);
    if in_time {
        // WFI wakes on the pending interrupt even though IRQs are masked;
        // a wake before the deadline is spurious.
        loop {
            cpu::wfi();
            if timer::counter() >= deadline {
                break;
            }
        }
    }
    cpu::enable_irqs();
    if !wait_for(WAIT_US, taken) {
        timer::stop();
        return Err("the virtual timer interrupt did not come within 100 ms");
    }
    Ok(in_time.then(|| TAKEN_AT.load(Ordering::SeqCst).wrapping_sub(deadline)))
}

/// Measures `name` with `once`, keeping only samples whose deadline was
/// in the future when armed; after each discarded attempt the timer is
/// armed twice as far ahead (up to [`MAX_AHEAD_US`]), for a slow machine
/// (no `-icount`: arming takes real time).
fn measure(name: &str, ahead_us: u64, once: fn(u64) -> Result<Option<u64>, &'static str>) {
    let mut ahead = timer::us_to_ticks(ahead_us).max(1);
    let max_ahead = timer::us_to_ticks(MAX_AHEAD_US);
    let mut discarded = 0;
    let result = measure_irq(|| {
        loop {
            match once(ahead)? {
                Some(sample) => return Ok([sample, 0]),
                None if discarded < MAX_DISCARDED => {
                    discarded += 1;
                    ahead = (ahead * 2).min(max_ahead);
                }
                None => return Err("the deadline passed while arming, too often"),
            }
        }
    });
    if discarded > 0 {
        println!(
            "bench: {name}: {discarded} samples discarded (the deadline passed while arming), \
             armed {} us ahead in the end",
            timer::ticks_to_us(ahead)
        );
    }
    match result {
        Ok([latency, _]) => row(name, latency),
        Err(why) => not_measured(name, format_args!("{why}")),
    }
}

/// `vtimer` and `vtimer-wfi`; the GIC is initialised (`gic` its version).
pub fn latency(platform: &Platform, gic: Option<u32>) {
    let names = ["vtimer", "vtimer-wfi"];
    if gic.is_none() {
        for name in names {
            not_measured(name, format_args!("no GIC in the device tree"));
        }
        return;
    }
    let intid = platform.timer.virt;
    INTID.store(intid, Ordering::Relaxed);
    gic::enable(intid, Trigger::Level);
    measure(names[0], SPIN_AHEAD_US, spin_once);
    measure(names[1], WFI_AHEAD_US, wfi_once);
    timer::stop();
}
