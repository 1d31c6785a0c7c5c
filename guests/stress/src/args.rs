//! The command line (a VM's `cmdline`, the device tree's
//! `/chosen/bootargs`): `stress=T` is how long every CPU runs, and
//! `stress.timer=T` the period of each CPU's virtual timer, each T a
//! number with `s`, `ms` or `us` (seconds without).
//! `stress.spurious-timer=ok` lets one kind of hypervisor bug pass, for
//! investigating it: a second virtual timer interrupt for a deadline
//! already taken, after the guest stopped its timer (counted and shown
//! instead of failing the run; see [`crate::vtimer`]); no test case sets
//! it. Other words are left alone.

/// Run time without `stress=`: short, for a bare board under QEMU TCG.
pub const DEFAULT_RUN_US: u64 = 2_000_000;
/// Timer period without `stress.timer=`.
pub const DEFAULT_PERIOD_US: u64 = 200;
/// Bounds of the run time: 1 ms to 10 minutes.
const RUN_US: core::ops::RangeInclusive<u64> = 1_000..=600_000_000;
/// Bounds of the timer period: 10 µs to 1 s.
const PERIOD_US: core::ops::RangeInclusive<u64> = 10..=1_000_000;

/// What the command line asks for, in microseconds of counter time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Args {
    /// How long the CPUs run.
    pub run_us: u64,
    /// The virtual timer's period.
    pub period_us: u64,
    /// A second timer interrupt for a deadline already taken is counted,
    /// not a failure.
    pub spurious_timer_ok: bool,
}

/// Reads `bootargs`; `Err` names the word it could not take.
pub fn parse(bootargs: &str) -> Result<Args, &str> {
    let mut args = Args {
        run_us: DEFAULT_RUN_US,
        period_us: DEFAULT_PERIOD_US,
        spurious_timer_ok: false,
    };
    for word in bootargs.split_whitespace() {
        if let Some(value) = word.strip_prefix("stress=") {
            args.run_us = micros(value).filter(|us| RUN_US.contains(us)).ok_or(word)?;
        } else if let Some(value) = word.strip_prefix("stress.spurious-timer=") {
            if value != "ok" {
                return Err(word);
            }
            args.spurious_timer_ok = true;
        } else if let Some(value) = word.strip_prefix("stress.timer=") {
            args.period_us = micros(value)
                .filter(|us| PERIOD_US.contains(us))
                .ok_or(word)?;
        }
    }
    Ok(args)
}

/// `4s`, `4`, `500ms`, `200us` in microseconds.
fn micros(text: &str) -> Option<u64> {
    let (digits, scale) = if let Some(d) = text.strip_suffix("us") {
        (d, 1)
    } else if let Some(d) = text.strip_suffix("ms") {
        (d, 1_000)
    } else if let Some(d) = text.strip_suffix('s') {
        (d, 1_000_000)
    } else {
        (text, 1_000_000)
    };
    digits.parse::<u64>().ok()?.checked_mul(scale)
}
