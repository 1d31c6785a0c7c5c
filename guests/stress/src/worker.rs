//! One CPU's run. Until the deadline (and for a few rounds at least),
//! each round: the CPU's PL011 register ([`crate::uart`]), the GIC
//! registers ([`crate::gicregs`]), an SGI to the next CPU
//! ([`crate::ipi`]), its virtual timer ([`crate::vtimer`]) armed again if
//! its last interrupt came, or checked not to be lost, and every
//! [`WFI_EVERY`] rounds a WFI, the way an OS idles: interrupts masked,
//! the timer armed if it is not, WFI (the pending interrupt must wake it),
//! interrupts unmasked and the interrupt taken. (With interrupts unmasked
//! the timer's interrupt could be taken between the arm and the WFI, which
//! would then wait for ever.) Then it stops sending, waits for its last
//! timer interrupt and until it took every SGI sent to it, and waits for
//! the others to finish.

use crate::config::Config;
use crate::{MAX_STRESS_CPUS as MAX, fail, ipi, uart, vtimer};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use gsupport::{cpu, timer};

/// A WFI every this many rounds.
const WFI_EVERY: usize = 4;

/// MMIO accesses made, per CPU.
static MMIO: [AtomicU64; MAX] = [const { AtomicU64::new(0) }; MAX];
/// WFIs made, per CPU.
static WFIS: [AtomicU64; MAX] = [const { AtomicU64::new(0) }; MAX];
/// Set by each CPU when its part is over and checked.
static FINISHED: [AtomicBool; MAX] = [const { AtomicBool::new(false) }; MAX];

/// Waits for an interrupt as an OS idles, with the timer sure to wake it.
fn wait_for_interrupt(me: usize, period: u64) {
    cpu::disable_irqs();
    vtimer::rearm(me, timer::counter(), period);
    cpu::wfi();
    cpu::enable_irqs();
}

/// Runs CPU `me`'s part and returns once every CPU has finished.
pub fn run(me: usize, config: &Config) {
    let mut sender = ipi::Sender::new(me, config.cpus);
    cpu::enable_irqs();
    // Rounds each CPU makes even if the deadline has passed: enough for a
    // WFI and an SGI to each CPU, few enough not to drag on when exits are
    // slow (a busy machine can take seconds per round).
    let min_rounds = config.cpus.max(WFI_EVERY);
    let mut round = 0;
    loop {
        let now = timer::counter();
        if round >= min_rounds && now >= config.deadline {
            break;
        }
        if fail::failed() {
            cpu::halt();
        }
        round += 1;
        let mut mmio = config.gic.step(me, round, config.cpus);
        if let Some(base) = config.uart {
            mmio += uart::step(base, me, round);
        }
        MMIO[me].fetch_add(mmio, Ordering::Relaxed);
        sender.step(now, config.lost);
        if !vtimer::rearm(me, now, config.period) {
            vtimer::check_overdue(me, now, config.lost);
        }
        if round.is_multiple_of(WFI_EVERY) {
            wait_for_interrupt(me, config.period);
            WFIS[me].fetch_add(1, Ordering::Relaxed);
        }
    }
    ipi::done_sending(me);
    vtimer::finish(me, config.lost);
    ipi::drain(me, config.cpus, config.lost);
    FINISHED[me].store(true, Ordering::SeqCst);
    // Interrupts stay on: a late or duplicate SGI still fails the run.
    let limit = timer::counter() + config.lost;
    while let Some(c) = (0..config.cpus).find(|&c| !FINISHED[c].load(Ordering::SeqCst)) {
        if timer::counter() > limit {
            fail!(
                "cpu {c} did not finish its part within {} ms of this one",
                timer::ticks_to_us(config.lost) / 1000
            );
        }
        core::hint::spin_loop();
    }
}

/// CPU `me`'s MMIO accesses and WFIs.
pub fn counts(me: usize) -> (u64, u64) {
    (
        MMIO[me].load(Ordering::Relaxed),
        WFIS[me].load(Ordering::Relaxed),
    )
}
