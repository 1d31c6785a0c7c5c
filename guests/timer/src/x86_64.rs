//! `timer` on an x86_64 PC: the local APIC timer on [`VECTOR`], five 10 ms
//! ticks in each of its modes, the CPU halted in between, the intervals
//! measured with the TSC: periodic (no tick may come before its place in
//! the series: start + n periods), one-shot re-armed at each tick, and,
//! if CPUID.1:ECX says the timer has it, TSC-deadline (re-armed at each
//! tick); in the last two no interval may be shorter than the period.
//! The APIC timer's rate is measured against the TSC, the TSC's against
//! the PIT, so "shorter" allows 2% for the measurements.
//!
//! Console lines (bare QEMU, EPYC):
//! ```text
//! timer: local APIC timer vector 0x40, TSC 2994 MHz, APIC timer 1000 MHz, period 10000 us
//! timer: 5 ticks ok, intervals 10288 10088 10074 10067 10069 us
//! timer: one-shot 5 ticks ok, intervals 10104 10071 10062 10066 10071 us
//! timer: tsc-deadline 5 ticks ok, intervals 10097 10068 10072 10062 10070 us
//! timer: cmos: base memory 640 KiB, extended 65535 KiB, above 16 MiB 16128 x 64 KiB
//! timer: rtc periodic 16 Hz: 16 interrupts in one second of its updates
//! timer: powering off
//! ```
//! (`timer: tsc-deadline not offered by the CPU` without it.) The last
//! test is the RTC's: its periodic interrupts at 16 Hz counted between
//! two of its update-ended interrupts, through the I/O APIC ([`rtc`]).

mod rtc;

use core::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use gsupport::{Platform, cpu, exceptions, lapic, power, println, tsc};

/// The timer's vector.
const VECTOR: u8 = 0x40;
/// Interrupts to take per mode.
const TICKS: usize = 5;
/// Timer period.
const PERIOD_US: u64 = 10_000;
/// Give up on a mode after this long without all the ticks.
const LIMIT_US: u64 = 10_000_000;
/// How much earlier than the period a tick may seem to come, in parts per
/// thousand (the two rate measurements' error), at least; more when the
/// TSC's measurement says it may be further off (`tsc::uncertainty_per_mille`:
/// slow polls of an emulated PIT, as under Bochs), twice that: the local
/// APIC timer's rate is measured against the TSC.
const SLACK_PER_MILLE: u64 = 20;

/// The mode being run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Periodic = 0,
    OneShot = 1,
    TscDeadline = 2,
}

static MODE: AtomicU8 = AtomicU8::new(0);
static TAKEN: AtomicUsize = AtomicUsize::new(0);
/// TSC when the timer was armed, then at each interrupt.
static STAMPS: [AtomicU64; TICKS + 1] = [const { AtomicU64::new(0) }; TICKS + 1];

fn mode() -> Mode {
    match MODE.load(Ordering::SeqCst) {
        0 => Mode::Periodic,
        1 => Mode::OneShot,
        _ => Mode::TscDeadline,
    }
}

fn on_irq(vector: u32) {
    if vector == u32::from(rtc::VECTOR) {
        rtc::on_irq();
        return;
    }
    if vector != u32::from(VECTOR) {
        println!("timer: FAIL: unexpected interrupt, vector {vector:#x}");
        return;
    }
    let now = tsc::now();
    let n = TAKEN.load(Ordering::Relaxed) + 1;
    if n > TICKS {
        lapic::stop_timer();
        return;
    }
    STAMPS[n].store(now, Ordering::Relaxed);
    TAKEN.store(n, Ordering::SeqCst);
    match mode() {
        _ if n == TICKS => lapic::stop_timer(),
        Mode::Periodic => {}
        Mode::OneShot => lapic::start_timer(VECTOR, PERIOD_US, false),
        Mode::TscDeadline => lapic::set_tsc_deadline(now + tsc::us_to_ticks(PERIOD_US)),
    }
}

/// Runs one mode; returns the intervals in TSC ticks.
fn run(mode: Mode, name: &str) -> [u64; TICKS] {
    MODE.store(mode as u8, Ordering::SeqCst);
    TAKEN.store(0, Ordering::SeqCst);
    let start = tsc::now();
    STAMPS[0].store(start, Ordering::Relaxed);
    match mode {
        Mode::Periodic => lapic::start_timer(VECTOR, PERIOD_US, true),
        Mode::OneShot => lapic::start_timer(VECTOR, PERIOD_US, false),
        Mode::TscDeadline => {
            lapic::start_tsc_deadline_timer(VECTOR);
            lapic::set_tsc_deadline(start + tsc::us_to_ticks(PERIOD_US));
        }
    }
    let limit = start + tsc::us_to_ticks(LIMIT_US);
    while TAKEN.load(Ordering::SeqCst) < TICKS && tsc::now() < limit {
        cpu::wait_for_interrupt();
        cpu::disable_irqs();
    }
    lapic::stop_timer();
    let taken = TAKEN.load(Ordering::SeqCst);
    if taken < TICKS {
        println!("timer: FAIL: {name}: {taken} of {TICKS} ticks in {LIMIT_US} us");
        power::system_off()
    }
    let stamp = |i: usize| STAMPS[i].load(Ordering::Relaxed);
    let period = tsc::us_to_ticks(PERIOD_US);
    let slack = SLACK_PER_MILLE.max(2 * tsc::uncertainty_per_mille());
    let least = period - period * slack.min(500) / 1000;
    for n in 1..=TICKS {
        // Periodic ticks keep their places in the series; the others are
        // each armed a period after the last.
        let (since, periods) = match mode {
            Mode::Periodic => (stamp(0), n as u64),
            _ => (stamp(n - 1), 1),
        };
        if stamp(n) - since < least * periods {
            println!(
                "timer: FAIL: {name}: tick {n} came {} us after {}, before {periods} periods",
                tsc::ticks_to_us(stamp(n) - since),
                if periods == 1 {
                    "the last"
                } else {
                    "the start"
                }
            );
            power::system_off()
        }
    }
    core::array::from_fn(|i| stamp(i + 1) - stamp(i))
}

fn report(label: &str, intervals: [u64; TICKS]) {
    let us = intervals.map(tsc::ticks_to_us);
    println!(
        "timer: {label}{TICKS} ticks ok, intervals {} {} {} {} {} us",
        us[0], us[1], us[2], us[3], us[4]
    );
}

pub fn main(platform: &'static Platform) -> ! {
    exceptions::set_irq_handler(on_irq);
    println!(
        "timer: local APIC timer vector {VECTOR:#x}, TSC {} MHz, APIC timer {} MHz, period {PERIOD_US} us",
        tsc::hz() / 1_000_000,
        lapic::timer_hz() / 1_000_000
    );
    report("", run(Mode::Periodic, "periodic"));
    report("one-shot ", run(Mode::OneShot, "one-shot"));
    if cpu::cpuid(1)[2] & cpu::CPUID_1_ECX_TSC_DEADLINE != 0 {
        report("tsc-deadline ", run(Mode::TscDeadline, "tsc-deadline"));
    } else {
        println!("timer: tsc-deadline not offered by the CPU");
    }
    // What the BIOS (or qvm) left in CMOS RAM: base and extended memory
    // in KiB, memory above 16 MiB in 64 KiB units (IBM PC/AT map; 0x34 on
    // as the Bochs and QEMU BIOSes keep it).
    let word = |at: u8| u32::from(rtc::read(at)) | u32::from(rtc::read(at + 1)) << 8;
    println!(
        "timer: cmos: base memory {} KiB, extended {} KiB, above 16 MiB {} x 64 KiB",
        word(0x15),
        word(0x17),
        word(0x34)
    );
    let counted = rtc::run(platform);
    // Within one of the rate: the second's two ends fall anywhere
    // between two periodic interrupts.
    let ok = counted.abs_diff(rtc::RATE_HZ) <= 1;
    println!(
        "timer: {}rtc periodic {} Hz: {counted} interrupts in one second of its updates",
        if ok { "" } else { "FAIL: " },
        rtc::RATE_HZ
    );
    println!("timer: powering off");
    power::system_off()
}
