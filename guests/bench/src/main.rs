//! `bench`: round trips measured with the virtual counter, 1000 times
//! each, reported as the minimum, the median and the mean in counter ticks:
//!
//! - `empty`: two counter reads with nothing between (the floor);
//! - `hvc` (or `smc`): the null hypercall, PSCI `PSCI_VERSION` over the
//!   device tree's conduit;
//! - `mmio-read` / `mmio-write`: one 32-bit `ldr` / `str` of the PL011's
//!   UARTIBRD, a register without side effects (the value read is written
//!   back), which under the hypervisor is a round trip to the `pl011` vdev.
//!
//! Under QEMU with `-icount shift=0` a tick of a 1 GHz counter is one
//! instruction; CNTFRQ is printed to convert. IRQ latency comes later.
//!
//! Console lines:
//! ```text
//! bench: CNTFRQ 62500000 Hz, 1000 iterations, counter ticks per round trip
//! bench: empty min 5 median 5 mean 5.02
//! bench: hvc min 11 median 12 mean 11.61
//! bench: mmio-read min 22 median 23 mean 22.70
//! bench: mmio-write min 23 median 24 mean 23.49
//! bench: done, powering off
//! ```
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
gsupport::entry!(guest::main);

#[cfg(target_os = "none")]
mod guest {
    use gsupport::console::UARTIBRD;
    use gsupport::sync::IrqMutex;
    use gsupport::{Platform, mmio, println, psci, timer};

    /// Round trips per measurement.
    const ITERATIONS: usize = 1000;

    static SAMPLES: IrqMutex<[u64; ITERATIONS]> = IrqMutex::new([0; ITERATIONS]);

    /// Counter ticks of one operation: fastest, median, and the mean in
    /// hundredths (finer than a tick when the counter is slow).
    struct Stats {
        min: u64,
        median: u64,
        mean_centi: u64,
    }

    /// Runs `op` [`ITERATIONS`] times (IRQs masked), timing each run alone.
    fn measure(mut op: impl FnMut()) -> Stats {
        SAMPLES.with(|samples| {
            for slot in samples.iter_mut() {
                let start = timer::counter();
                op();
                *slot = timer::counter().wrapping_sub(start);
            }
            samples.sort_unstable();
            let total: u64 = samples.iter().sum();
            Stats {
                min: samples[0],
                median: samples[ITERATIONS / 2],
                mean_centi: total * 100 / ITERATIONS as u64,
            }
        })
    }

    fn row(name: &str, s: Stats) {
        println!(
            "bench: {name} min {} median {} mean {}.{:02}",
            s.min,
            s.median,
            s.mean_centi / 100,
            s.mean_centi % 100
        );
    }

    pub fn main(platform: &'static Platform) -> ! {
        println!(
            "bench: CNTFRQ {} Hz, {ITERATIONS} iterations, counter ticks per round trip",
            timer::frequency()
        );
        row("empty", measure(|| {}));
        match platform.psci.name() {
            name @ ("hvc" | "smc") => row(
                name,
                measure(|| {
                    psci::null_call();
                }),
            ),
            _ => println!("bench: no PSCI conduit: no hypercall to measure"),
        }
        match platform.uart {
            Some(base) => {
                let reg = base + UARTIBRD;
                // SAFETY: UARTIBRD of the console's PL011: aligned, mapped,
                // and reading it has no side effect.
                let value = unsafe { mmio::read32(reg) };
                row(
                    "mmio-read",
                    measure(|| {
                        // SAFETY: as above.
                        unsafe { mmio::read32(reg) };
                    }),
                );
                row(
                    "mmio-write",
                    measure(|| {
                        // SAFETY: writes back the divisor it holds: no change.
                        unsafe { mmio::write32(reg, value) };
                    }),
                );
            }
            None => println!("bench: no PL011: no MMIO to measure"),
        }
        println!("bench: done, powering off");
        psci::system_off()
    }
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("bench is a guest: `cargo xtask run --guest bench --bare` boots it");
}
