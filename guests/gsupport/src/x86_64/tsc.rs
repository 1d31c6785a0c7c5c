//! Time from the TSC, its frequency measured once against the 8254 PIT's
//! channel 2, whose gate and output are wired to port 0x61 on a PC (bare
//! QEMU and `qvm`'s `timer8254` both provide it): channel 2 counts down
//! 10 ms in mode 0 (interrupt on terminal count) while the TSC runs. Its
//! output is polled, and each poll may take long (under a hypervisor that
//! emulates the PIT in a process, one exit to it and back): the edge lies
//! between two polls, so the measurement keeps that window as its
//! uncertainty ([`uncertainty_per_mille`]) for checks that compare times.

use super::{cpu, port};
use core::sync::atomic::{AtomicU64, Ordering};

/// The PIT's input clock in Hz.
pub const PIT_HZ: u64 = 1_193_182;
/// PIT ports: channel 2's counter and the mode/command register.
const PIT_CHANNEL2: u16 = 0x42;
/// See [`PIT_CHANNEL2`].
const PIT_COMMAND: u16 = 0x43;
/// Control word (8254 data sheet): SC = 2 (channel 2, bits 7:6), RW = 3
/// (low byte then high byte, bits 5:4), mode 0 (bits 3:1), binary.
const PIT_SELECT_CH2_LOHI_MODE0: u8 = (2 << 6) | (3 << 4);
/// Port 0x61 (NMI status and control): bit 0 gates channel 2, bit 1
/// enables the speaker, bit 5 reads channel 2's output.
const PORT_61: u16 = 0x61;
/// See [`PORT_61`].
const PORT_61_GATE2: u8 = 1 << 0;
/// See [`PORT_61`].
const PORT_61_SPEAKER: u8 = 1 << 1;
/// See [`PORT_61`].
const PORT_61_OUT2: u8 = 1 << 5;
/// The measurement's length.
const CALIBRATION_US: u64 = 10_000;
/// Give up on the PIT after this many polls (then assume 1 GHz).
const MAX_POLLS: u64 = 100_000_000;
/// What the TSC is taken to run at if the PIT never answers.
const FALLBACK_HZ: u64 = 1_000_000_000;

static HZ: AtomicU64 = AtomicU64::new(FALLBACK_HZ);
/// The kept measurement's uncertainty, in parts per thousand, rounded up.
static UNCERTAINTY: AtomicU64 = AtomicU64::new(0);

/// How many measurements are taken; the median is kept (a host that
/// deschedules the emulated CPU in the middle of one spoils only that one).
const MEASUREMENTS: usize = 3;

/// One measurement over [`CALIBRATION_US`] of the PIT, if the PIT
/// counted: TSC ticks per second, and the uncertainty in per mille. The
/// gate opened somewhere within the `outb` that opens it, and the output
/// rose between the last poll that read it low and the one that read it
/// high: each end is taken at its window's middle, and the two half
/// windows are the uncertainty.
fn measure() -> Option<(u64, u64)> {
    let count = PIT_HZ * CALIBRATION_US / 1_000_000;
    // SAFETY: the PIT's channel 2 and port 0x61's gate and speaker bits
    // belong to the guest; the speaker stays off.
    unsafe {
        let control = port::inb(PORT_61) & !(PORT_61_GATE2 | PORT_61_SPEAKER);
        port::outb(PORT_61, control);
        port::outb(PIT_COMMAND, PIT_SELECT_CH2_LOHI_MODE0);
        port::outb(PIT_CHANNEL2, count as u8);
        port::outb(PIT_CHANNEL2, (count >> 8) as u8);
        let gate_before = cpu::rdtsc();
        port::outb(PORT_61, control | PORT_61_GATE2);
        let gate_after = cpu::rdtsc();
        // `low`: the TSC before the last poll that read the output low.
        let (mut low, mut polls) = (gate_after, 0);
        let high = loop {
            let before = cpu::rdtsc();
            let risen = port::inb(PORT_61) & PORT_61_OUT2 != 0;
            if risen {
                break Some(cpu::rdtsc());
            }
            polls += 1;
            if polls >= MAX_POLLS {
                break None;
            }
            low = before;
        };
        port::outb(PORT_61, control);
        let high = high?;
        let start = gate_before + (gate_after - gate_before) / 2;
        let end = low + (high - low) / 2;
        let span = end.checked_sub(start).filter(|&s| s > 0)?;
        let window = (gate_after - gate_before) / 2 + (high - low) / 2;
        Some((span * PIT_HZ / count, (window * 1000).div_ceil(span)))
    }
}

/// Measures the TSC's frequency against the PIT (the median of
/// [`MEASUREMENTS`]).
pub(crate) fn calibrate() {
    let mut hz = [(0, 0); MEASUREMENTS];
    for slot in &mut hz {
        match measure().filter(|&(hz, _)| hz > 0) {
            Some(measured) => *slot = measured,
            None => {
                crate::println!(
                    "gsupport: the PIT's channel 2 did not count; taking the TSC as 1 GHz"
                );
                return;
            }
        }
    }
    hz.sort_unstable();
    let (median, uncertainty) = hz[MEASUREMENTS / 2];
    HZ.store(median, Ordering::Relaxed);
    UNCERTAINTY.store(uncertainty, Ordering::Relaxed);
}

/// How far off [`hz`] may be, in parts per thousand (rounded up): the
/// polling window of its measurement.
pub fn uncertainty_per_mille() -> u64 {
    UNCERTAINTY.load(Ordering::Relaxed)
}

/// The TSC's frequency in Hz.
pub fn hz() -> u64 {
    HZ.load(Ordering::Relaxed)
}

/// The TSC now.
#[inline(always)]
pub fn now() -> u64 {
    cpu::rdtsc()
}

/// TSC ticks in microseconds.
pub fn ticks_to_us(ticks: u64) -> u64 {
    (u128::from(ticks) * 1_000_000 / u128::from(hz())) as u64
}

/// Microseconds in TSC ticks.
pub fn us_to_ticks(us: u64) -> u64 {
    (u128::from(us) * u128::from(hz()) / 1_000_000) as u64
}

/// Spins for `us` microseconds.
pub fn delay_us(us: u64) {
    let end = now() + us_to_ticks(us);
    while now() < end {
        core::hint::spin_loop();
    }
}
