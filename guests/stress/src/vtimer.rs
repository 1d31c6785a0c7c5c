//! Each CPU's EL1 virtual timer, one period ahead at a time: the run loop
//! arms it ([`rearm`]) whenever the last interrupt was taken, and the
//! interrupt handler stops it, so every arm gives exactly one interrupt
//! and the loop makes progress between two of them however slow an
//! interrupt is (a handler that armed the next one itself could spend all
//! its time taking them). Each interrupt must come at or after its
//! deadline (the counter read in the handler at least CNTV_CVAL), with
//! CNTV_CVAL still the value this CPU wrote and the timer still enabled
//! in CNTV_CTL (a hypervisor may have set IMASK). ISTATUS is not checked:
//! QEMU computes it only when its own timer callback runs, so it can
//! still read 0 a little after the counter has passed CNTV_CVAL, when a
//! hypervisor delivered the interrupt first. An interrupt still missing
//! long after its deadline is lost and fails the run; at the end the
//! interrupts taken must equal the arms.
//!
//! An interrupt with none armed (the last one was taken) is a duplicate
//! and fails the run, unless it finds the timer stopped, as the handler
//! left it, and [`tolerate_duplicates`] was asked for: then it is counted
//! as spurious (`stress.spurious-timer=ok`). qhv once made exactly those:
//! its WFI path raised the virtual timer interrupt in software when the
//! deadline had passed, and the physical timer interrupt that came in
//! after the guest acknowledged the first raised it again, each raise an
//! edge; it now drives the interrupt as a level that follows the timer
//! (docs/testing.md).

use crate::fail::expect;
use crate::{MAX_STRESS_CPUS as MAX, fail};
use core::arch::asm;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use gsupport::timer;

/// CNTV_CTL_EL0.ENABLE.
const CTL_ENABLE: u64 = 1 << 0;

/// Arms so far, per CPU.
static ARMED: [AtomicU64; MAX] = [const { AtomicU64::new(0) }; MAX];
/// Interrupts taken so far, per CPU.
static TAKEN: [AtomicU64; MAX] = [const { AtomicU64::new(0) }; MAX];
/// The deadline last written to CNTV_CVAL_EL0, per CPU.
static DEADLINE: [AtomicU64; MAX] = [const { AtomicU64::new(0) }; MAX];
/// Latest interrupt after its deadline, in ticks, per CPU.
static LATE_MAX: [AtomicU64; MAX] = [const { AtomicU64::new(0) }; MAX];
/// Duplicates counted instead of failing the run, per CPU.
static SPURIOUS: [AtomicU64; MAX] = [const { AtomicU64::new(0) }; MAX];
/// Whether a duplicate with the timer stopped is counted, not a failure.
static TOLERATE: AtomicBool = AtomicBool::new(false);

fn cval() -> u64 {
    let v: u64;
    // SAFETY: reading this CPU's virtual timer.
    unsafe { asm!("mrs {0}, cntv_cval_el0", out(reg) v, options(nomem, nostack)) };
    v
}

fn ctl() -> u64 {
    let v: u64;
    // SAFETY: reading this CPU's virtual timer.
    unsafe { asm!("mrs {0}, cntv_ctl_el0", out(reg) v, options(nomem, nostack)) };
    v
}

fn arm(me: usize, deadline: u64) {
    DEADLINE[me].store(deadline, Ordering::SeqCst);
    ARMED[me].fetch_add(1, Ordering::SeqCst);
    timer::set_deadline(deadline);
}

/// Arms CPU `me`'s timer `period` ticks after `now` unless its last
/// interrupt is still to come. Returns whether it armed it.
pub fn rearm(me: usize, now: u64, period: u64) -> bool {
    if TAKEN[me].load(Ordering::SeqCst) != ARMED[me].load(Ordering::SeqCst) {
        return false;
    }
    arm(me, now + period);
    true
}

/// Counts a duplicate interrupt with the timer stopped instead of failing
/// the run (before the CPUs start).
pub fn tolerate_duplicates(yes: bool) {
    TOLERATE.store(yes, Ordering::SeqCst);
}

/// CPU `me`'s timer interrupt (in the interrupt handler).
pub fn on_interrupt(me: usize) {
    let now = timer::counter();
    let (cval, ctl) = (cval(), ctl());
    let deadline = DEADLINE[me].load(Ordering::SeqCst);
    let armed = ARMED[me].load(Ordering::SeqCst);
    if TAKEN[me].load(Ordering::SeqCst) == armed {
        if ctl & CTL_ENABLE == 0 && TOLERATE.load(Ordering::Relaxed) {
            SPURIOUS[me].fetch_add(1, Ordering::Relaxed);
            timer::stop();
            return;
        }
        fail!(
            "timer interrupt with none armed: a duplicate of interrupt {armed} \
             (deadline {deadline:#x}, taken), counter {now:#x}, CNTV_CTL_EL0 {ctl:#x}"
        );
    }
    expect(
        format_args!("CNTV_CVAL_EL0 at the timer interrupt"),
        deadline,
        cval,
    );
    if now < cval {
        fail!("timer interrupt at counter {now:#x}, before its deadline CNTV_CVAL {cval:#x}");
    }
    if ctl & CTL_ENABLE == 0 {
        fail!("timer interrupt with CNTV_CTL_EL0 {ctl:#x}: the timer is not enabled");
    }
    let taken = TAKEN[me].fetch_add(1, Ordering::SeqCst) + 1;
    expect(
        format_args!("timer interrupts taken (one per arm)"),
        ARMED[me].load(Ordering::SeqCst),
        taken,
    );
    LATE_MAX[me].fetch_max(now - cval, Ordering::Relaxed);
    // The condition stays met: stop it, or it would fire again at once.
    timer::stop();
}

/// Fails if CPU `me`'s armed interrupt is more than `lost` ticks overdue.
pub fn check_overdue(me: usize, now: u64, lost: u64) {
    let deadline = DEADLINE[me].load(Ordering::SeqCst);
    let (armed, taken) = (
        ARMED[me].load(Ordering::SeqCst),
        TAKEN[me].load(Ordering::SeqCst),
    );
    if taken < armed && now > deadline.saturating_add(lost) {
        fail!(
            "timer interrupt lost: deadline {deadline:#x} passed {} ms ago (counter {now:#x}), \
             {taken} taken of {armed} armed, CNTV_CTL_EL0 {:#x}",
            timer::ticks_to_us(now - deadline) / 1000,
            ctl()
        );
    }
}

/// After the run: waits (interrupts on) for CPU `me`'s last interrupt,
/// at most `lost` ticks past its deadline; then the arms and interrupts
/// must agree.
pub fn finish(me: usize, lost: u64) {
    while TAKEN[me].load(Ordering::SeqCst) != ARMED[me].load(Ordering::SeqCst) {
        check_overdue(me, timer::counter(), lost);
        core::hint::spin_loop();
    }
    expect(
        format_args!("timer interrupts taken at the end (one per arm)"),
        ARMED[me].load(Ordering::SeqCst),
        TAKEN[me].load(Ordering::SeqCst),
    );
}

/// CPU `me`'s interrupts: taken, duplicates counted, and the latest one
/// after its deadline in ticks.
pub fn counts(me: usize) -> (u64, u64, u64) {
    (
        TAKEN[me].load(Ordering::SeqCst),
        SPURIOUS[me].load(Ordering::Relaxed),
        LATE_MAX[me].load(Ordering::Relaxed),
    )
}
