//! `timer`: programs the EL1 virtual timer for five 10 ms periods, takes
//! each interrupt through the GIC (waiting in WFI in between), checks that
//! none came early, prints the measured intervals and powers off.
//!
//! Console lines:
//! ```text
//! timer: virtual timer INTID 27, GICv3, CNTFRQ 62500000 Hz, period 10000 us
//! timer: 5 ticks ok, intervals 10095 10061 10044 10052 10049 us
//! timer: powering off
//! ```
//!
//! On an x86_64 PC, see `x86_64.rs`.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(all(target_os = "none", target_arch = "x86_64"))]
mod x86_64;
#[cfg(all(target_os = "none", target_arch = "x86_64"))]
gsupport::entry!(x86_64::main);

#[cfg(all(target_os = "none", target_arch = "aarch64"))]
gsupport::entry!(guest::main);

#[cfg(all(target_os = "none", target_arch = "aarch64"))]
mod guest {
    use core::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
    use gsupport::gic::Trigger;
    use gsupport::{Platform, cpu, exceptions, gic, println, psci, timer};

    /// Interrupts to take.
    const TICKS: usize = 5;
    /// Timer period.
    const PERIOD_US: u64 = 10_000;
    /// Give up after this long without all the ticks.
    const LIMIT_US: u64 = 10_000_000;

    static TIMER_INTID: AtomicU32 = AtomicU32::new(0);
    static PERIOD: AtomicU64 = AtomicU64::new(0);
    static TAKEN: AtomicUsize = AtomicUsize::new(0);
    /// Counter when the timer was armed, then at each interrupt.
    static STAMPS: [AtomicU64; TICKS + 1] = [const { AtomicU64::new(0) }; TICKS + 1];

    fn on_irq(intid: u32) {
        if intid != TIMER_INTID.load(Ordering::Relaxed) {
            println!("timer: FAIL: unexpected interrupt {intid}");
            return;
        }
        let now = timer::counter();
        let n = TAKEN.load(Ordering::Relaxed) + 1;
        if n > TICKS {
            timer::stop();
            return;
        }
        STAMPS[n].store(now, Ordering::Relaxed);
        TAKEN.store(n, Ordering::SeqCst);
        // A deadline in the future lowers the (level) line before the EOI.
        if n < TICKS {
            timer::set_deadline(now + PERIOD.load(Ordering::Relaxed));
        } else {
            timer::stop();
        }
    }

    pub fn main(platform: &'static Platform) -> ! {
        let Some(version) = gic::init() else {
            println!("timer: FAIL: no GIC in the device tree");
            psci::system_off()
        };
        let intid = platform.timer.virt;
        let period = timer::us_to_ticks(PERIOD_US);
        TIMER_INTID.store(intid, Ordering::Relaxed);
        PERIOD.store(period, Ordering::Relaxed);
        exceptions::set_irq_handler(on_irq);
        gic::enable(intid, Trigger::Level);
        println!(
            "timer: virtual timer INTID {intid}, GICv{version}, CNTFRQ {} Hz, period {PERIOD_US} us",
            timer::frequency()
        );

        let start = timer::counter();
        STAMPS[0].store(start, Ordering::Relaxed);
        timer::set_deadline(start + period);
        cpu::enable_irqs();
        let limit = start + timer::us_to_ticks(LIMIT_US);
        while TAKEN.load(Ordering::SeqCst) < TICKS && timer::counter() < limit {
            cpu::wfi();
        }
        cpu::disable_irqs();
        timer::stop();

        let taken = TAKEN.load(Ordering::SeqCst);
        if taken < TICKS {
            println!("timer: FAIL: {taken} of {TICKS} ticks in {LIMIT_US} us");
            psci::system_off()
        }
        let mut intervals = [0u64; TICKS];
        for (i, slot) in intervals.iter_mut().enumerate() {
            *slot = STAMPS[i + 1].load(Ordering::Relaxed) - STAMPS[i].load(Ordering::Relaxed);
        }
        let us = intervals.map(timer::ticks_to_us);
        if let Some(early) = intervals.iter().position(|&t| t < period) {
            println!(
                "timer: FAIL: tick {} came after {} ticks, before the period of {period}",
                early + 1,
                intervals[early]
            );
            psci::system_off()
        }
        println!(
            "timer: {TICKS} ticks ok, intervals {} {} {} {} {} us",
            us[0], us[1], us[2], us[3], us[4]
        );
        println!("timer: powering off");
        psci::system_off()
    }
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("timer is a guest: `cargo xtask run --guest timer --bare` boots it");
}
