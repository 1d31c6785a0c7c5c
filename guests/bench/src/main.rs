//! `bench`: round trips and interrupt latencies measured with the virtual
//! counter, 1000 times each, reported as the minimum, the median and the
//! mean in counter ticks:
//!
//! - `empty`: two counter reads with nothing between (the floor);
//! - `hvc` (or `smc`): the null hypercall, PSCI `PSCI_VERSION` over the
//!   device tree's conduit;
//! - `gicd-read`: one 32-bit `ldr` of GICD_TYPER, a GIC distributor
//!   register (under the hypervisor a trap to the kernel's virtual GIC);
//! - `mmio-read` / `mmio-write`: one 32-bit `ldr` / `str` of the PL011's
//!   UARTIBRD, a register without side effects (the value read is written
//!   back), which under the hypervisor is a round trip to the `pl011` vdev;
//! - `irq`: from just before the `str` to UARTIMSC that unmasks the PL011's
//!   transmit interrupt (its raw status is latched by the output before) to
//!   the IRQ vector's counter read: the device raises its line, the
//!   interrupt is delivered, the guest takes it. Under the hypervisor the
//!   write goes to `qvm`, which raises the line with `vm_irq_line`. The
//!   handler masks the interrupt again (another round trip);
//! - `irq-complete`: that interrupt's acknowledge plus its end of interrupt
//!   (each bracketed by two counter reads);
//! - `ipi`: from just before CPU 0's SGI write (one `msr ICC_SGI1R_EL1`, or
//!   a `str` to GICD_SGIR on GICv2) to CPU 1's IRQ vector, with CPU 1
//!   running (looping on `yield`): the time is the counter CPU 1 read at
//!   its vector, handed over in shared memory;
//! - `ipi-complete`: CPU 1's acknowledge plus end of interrupt of the IPI
//!   (an edge-triggered SGI, where `irq-complete` is a level-triggered SPI);
//! - `ipi-idle`: the IPI latency with CPU 1 waiting in WFI;
//! - `vtimer` / `vtimer-wfi`: from the deadline of CPU 0's EL1 virtual
//!   timer to its IRQ vector, spinning or in WFI (see `vtimer.rs`).
//!
//! Each line is `bench: NAME min X median Y mean Z`; a measurement that
//! cannot be made prints `bench: NAME not measured: REASON` instead (the
//! IPIs with one CPU, or when CPU 1 does not run while CPU 0 does).
//!
//! With `bench=vm-switch` in the boot arguments (`cmdline` of a VM) it
//! measures nothing itself: it reads the physical counter in a tight loop
//! and prints each gap (the loop was not running: another VM, or the host,
//! had the CPU) as `bench: gap START END`. `cargo xtask bench` runs two
//! such VMs on one CPU and puts their gaps on one time line: a gap of one
//! VM ending with the other VM's next instruction is a VM switch.
//!
//! With `bench=idle` it prints `bench: idle: ...` and waits in WFI until
//! the host ends the VM: the VM whose memory `ktest vm-memory` measures.
//!
//! Under QEMU with `-icount shift=0` a tick of a 1 GHz counter is one
//! instruction; CNTFRQ is printed to convert.
//!
//! Console lines (bare QEMU `virt`, `-cpu max`, `-icount shift=0`, 2 CPUs):
//! ```text
//! bench: CNTFRQ 1000000000 Hz, 1000 iterations, counter ticks per round trip
//! bench: empty min 2 median 2 mean 2.00
//! bench: hvc min 21 median 21 mean 21.00
//! bench: gicd-read min 3 median 3 mean 3.00
//! bench: mmio-read min 3 median 3 mean 3.00
//! bench: mmio-write min 3 median 3 mean 3.00
//! bench: irq min 5 median 5 mean 5.00
//! bench: irq-complete min 72 median 72 mean 72.00
//! bench: ipi min 21 median 21 mean 21.00
//! bench: ipi-complete min 72 median 72 mean 72.00
//! bench: ipi-idle min 21 median 21 mean 21.00
//! bench: vtimer min 3 median 3 mean 3.00
//! bench: vtimer-wfi min 8 median 8 mean 8.00
//! bench: done, powering off
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
mod vtimer;

#[cfg(all(target_os = "none", target_arch = "aarch64"))]
mod guest {
    use core::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
    use gsupport::console::UARTIBRD;
    use gsupport::dt::GicInfo;
    use gsupport::gic::{SgiSender, Trigger};
    use gsupport::sync::IrqMutex;
    use gsupport::{Platform, cpu, exceptions, gic, mmio, println, psci, smp, timer};

    /// Round trips per measurement.
    pub(crate) const ITERATIONS: usize = 1000;
    /// PL011 UARTIMSC: interrupt mask set/clear.
    const UARTIMSC: usize = 0x38;
    /// UARTIMSC.TXIM: transmit interrupt enabled.
    const TXIM: u32 = 1 << 5;
    /// GICD_TYPER: read-only, no side effects.
    const GICD_TYPER: usize = 0x4;
    /// The SGI of the IPI measurements.
    const SGI_BENCH: u32 = 7;
    /// Longest wait for one interrupt.
    const WAIT_US: u64 = 100_000;
    /// How long CPU 1 gets to show it runs beside CPU 0: less than a time
    /// slice of the hypervisor (10 ms), so that two vCPUs sharing one
    /// physical CPU are told apart.
    const CONCURRENCY_US: u64 = 2_000;
    /// Pause before each IPI, for CPU 1 to be back in its loop (or in WFI)
    /// when the CPUs run in parallel.
    const SETTLE_US: u64 = 10;

    /// Gaps kept by the VM-switch loop.
    const GAPS: usize = 64;
    /// A loop iteration longer than this many ticks is a gap.
    const GAP_TICKS: u64 = 100;
    /// How long the VM-switch loop runs at most.
    const SWITCH_WINDOW_US: u64 = 400_000;

    static SAMPLES: IrqMutex<[[u64; ITERATIONS]; 2]> = IrqMutex::new([[0; ITERATIONS]; 2]);

    /// Counter at the vector of the last PL011 interrupt (0: none yet).
    static UART_AT: AtomicU64 = AtomicU64::new(0);
    /// The PL011's UARTIMSC address (0: no PL011).
    static UART_IMSC: AtomicU64 = AtomicU64::new(0);
    /// The PL011's INTID.
    static UART_INTID: AtomicU32 = AtomicU32::new(u32::MAX);
    /// Counter at CPU 1's vector for the last IPI (0: none yet).
    static IPI_AT: AtomicU64 = AtomicU64::new(0);
    /// CPU 1 waits in WFI (else it loops on `yield`).
    static IDLE: AtomicBool = AtomicBool::new(false);
    /// Set by CPU 1 just before each WFI.
    static IN_WFI: AtomicBool = AtomicBool::new(false);
    /// CPU 1's loop iterations.
    static SPINS: AtomicU64 = AtomicU64::new(0);

    /// Counter ticks of one operation: fastest, median, and the mean in
    /// hundredths (finer than a tick when the counter is slow).
    pub(crate) struct Stats {
        min: u64,
        median: u64,
        mean_centi: u64,
    }

    fn stats(samples: &mut [u64]) -> Stats {
        samples.sort_unstable();
        let total: u64 = samples.iter().sum();
        Stats {
            min: samples[0],
            median: samples[samples.len() / 2],
            mean_centi: total * 100 / samples.len() as u64,
        }
    }

    /// Runs `op` [`ITERATIONS`] times (IRQs masked), timing each run alone.
    fn measure(mut op: impl FnMut()) -> Stats {
        SAMPLES.with(|samples| {
            let samples = &mut samples[0];
            for slot in samples.iter_mut() {
                let start = timer::counter();
                op();
                *slot = timer::counter().wrapping_sub(start);
            }
            stats(samples)
        })
    }

    /// Runs `op` [`ITERATIONS`] times with IRQs unmasked; `op` returns up
    /// to two samples of one run, or why it could not make them.
    pub(crate) fn measure_irq(
        mut op: impl FnMut() -> Result<[u64; 2], &'static str>,
    ) -> Result<[Stats; 2], &'static str> {
        SAMPLES.with(|samples| {
            // No handler takes this lock: interrupts may come in.
            cpu::enable_irqs();
            let [first, second] = samples;
            let mut result = Ok(());
            for (a, b) in first.iter_mut().zip(second.iter_mut()) {
                match op() {
                    Ok(pair) => [*a, *b] = pair,
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            cpu::disable_irqs();
            result?;
            Ok([stats(first), stats(second)])
        })
    }

    pub(crate) fn row(name: &str, s: Stats) {
        println!(
            "bench: {name} min {} median {} mean {}.{:02}",
            s.min,
            s.median,
            s.mean_centi / 100,
            s.mean_centi % 100
        );
    }

    pub(crate) fn not_measured(name: &str, why: core::fmt::Arguments<'_>) {
        println!("bench: {name} not measured: {why}");
    }

    /// A hint that this CPU is waiting: QEMU (one thread for all CPUs under
    /// `-icount`) then runs the next CPU. Never trapped, never sleeps.
    #[inline(always)]
    fn relax() {
        // SAFETY: YIELD is a hint with no effect on state.
        unsafe { core::arch::asm!("yield", options(nomem, nostack, preserves_flags)) };
    }

    /// Waits (relaxing) until `done` or `us` microseconds; whether it came.
    pub(crate) fn wait_for(us: u64, done: impl Fn() -> bool) -> bool {
        let limit = timer::counter() + timer::us_to_ticks(us);
        while !done() {
            if timer::counter() > limit {
                return false;
            }
            relax();
        }
        true
    }

    fn on_irq(intid: u32) {
        let at = exceptions::irq_times().entry;
        if intid == SGI_BENCH {
            IPI_AT.store(at, Ordering::SeqCst);
        } else if intid == UART_INTID.load(Ordering::Relaxed) {
            // SAFETY: UARTIMSC of the PL011: masking its interrupts lowers
            // the line before the end of interrupt.
            unsafe { mmio::write32(UART_IMSC.load(Ordering::Relaxed) as usize, 0) };
            UART_AT.store(at, Ordering::SeqCst);
        } else if crate::vtimer::is_vtimer(intid) {
            crate::vtimer::on_irq(at);
        } else {
            println!("bench: unexpected interrupt {intid}");
        }
    }

    /// `irq` and `irq-complete`, with the PL011's transmit interrupt.
    fn irq_latency(platform: &Platform, gic: Option<u32>) {
        let (Some(uart), Some(intid)) = (platform.uart, platform.uart_intid) else {
            not_measured("irq", format_args!("no PL011 interrupt in the device tree"));
            return;
        };
        if gic.is_none() {
            not_measured("irq", format_args!("no GIC in the device tree"));
            return;
        }
        let imsc = uart + UARTIMSC;
        UART_IMSC.store(imsc as u64, Ordering::Relaxed);
        UART_INTID.store(intid, Ordering::Relaxed);
        gic::enable(intid, Trigger::Level);
        // The lines printed so far have latched the raw transmit interrupt
        // (TXRIS): unmasking it raises the line.
        let result = measure_irq(|| {
            UART_AT.store(0, Ordering::SeqCst);
            let start = timer::counter();
            // SAFETY: UARTIMSC of the console's PL011; the handler masks
            // the interrupt again.
            unsafe { mmio::write32(imsc, TXIM) };
            if !wait_for(WAIT_US, || UART_AT.load(Ordering::SeqCst) != 0) {
                // SAFETY: as above.
                unsafe { mmio::write32(imsc, 0) };
                return Err("the PL011 transmit interrupt did not come within 100 ms");
            }
            // The handler and the end of interrupt ran on this CPU.
            let times = exceptions::irq_times();
            let latency = UART_AT.load(Ordering::SeqCst).wrapping_sub(start);
            Ok([latency, times.ack + times.eoi])
        });
        match result {
            Ok([latency, complete]) => {
                row("irq", latency);
                row("irq-complete", complete);
            }
            Err(why) => {
                not_measured("irq", format_args!("{why}"));
                not_measured("irq-complete", format_args!("{why}"));
            }
        }
    }

    /// CPU 1: takes the IPIs, looping on `yield` or waiting in WFI.
    fn receiver(_me: usize) -> ! {
        gic::enable(SGI_BENCH, Trigger::Edge);
        cpu::enable_irqs();
        loop {
            SPINS.fetch_add(1, Ordering::Relaxed);
            if IDLE.load(Ordering::Relaxed) {
                IN_WFI.store(true, Ordering::SeqCst);
                cpu::wfi();
            } else {
                relax();
            }
        }
    }

    /// One IPI measurement to CPU `target`, running or idle: the latency
    /// as `names[0]`, and the receiver's acknowledge and end of interrupt
    /// as `names[1]` if given.
    fn ipi(names: &[&str], sender: SgiSender, target: usize, idle: bool) {
        IDLE.store(idle, Ordering::SeqCst);
        let result = measure_irq(|| {
            if idle && !wait_for(WAIT_US, || IN_WFI.load(Ordering::SeqCst)) {
                return Err("the receiver did not get back to WFI within 100 ms");
            }
            IN_WFI.store(false, Ordering::SeqCst);
            // Let CPU 1 finish its way back into its loop or into WFI
            // (without `yield`: QEMU's CPU switches would cost time).
            let settled = timer::counter() + timer::us_to_ticks(SETTLE_US);
            while timer::counter() < settled {}
            IPI_AT.store(0, Ordering::SeqCst);
            let done = exceptions::irq_times_of(target).done;
            let start = timer::counter();
            sender.send();
            if !wait_for(WAIT_US, || IPI_AT.load(Ordering::SeqCst) != 0) {
                return Err("the receiver did not take the IPI within 100 ms");
            }
            let latency = IPI_AT.load(Ordering::SeqCst).wrapping_sub(start);
            if !wait_for(WAIT_US, || exceptions::irq_times_of(target).done != done) {
                return Err("the receiver did not end the IPI within 100 ms");
            }
            let times = exceptions::irq_times_of(target);
            Ok([latency, times.ack + times.eoi])
        });
        match result {
            Ok([latency, complete]) => {
                row(names[0], latency);
                if let Some(name) = names.get(1) {
                    row(name, complete);
                }
            }
            Err(why) => {
                for name in names {
                    not_measured(name, format_args!("{why}"));
                }
            }
        }
    }

    /// `ipi` and `ipi-idle`, from CPU 0 to CPU 1.
    fn ipi_latency(gic: Option<u32>) {
        let names = ["ipi", "ipi-complete", "ipi-idle"];
        let skip = |why: core::fmt::Arguments<'_>| {
            for name in names {
                not_measured(name, why);
            }
        };
        if gic.is_none() {
            return skip(format_args!("no GIC in the device tree"));
        }
        let n = smp::cpu_count();
        if n < 2 {
            return skip(format_args!("one CPU (an IPI needs two)"));
        }
        let me = cpu::index();
        let target = usize::from(me == 0);
        if let Err(e) = smp::start_cpu(target, receiver) {
            return skip(format_args!("cpu {target} could not be started: {e:?}"));
        }
        let Some(sender) = gic::sgi_sender(SGI_BENCH, target) else {
            return skip(format_args!("no SGI route to cpu {target}"));
        };
        // Two vCPUs on one physical CPU: the receiver would run only when
        // the sender's time slice ends, and the figure would be the slice.
        let spins = SPINS.load(Ordering::SeqCst);
        if !wait_for(CONCURRENCY_US, || SPINS.load(Ordering::SeqCst) != spins) {
            return skip(format_args!(
                "cpu {target} does not run while cpu {me} does (one physical CPU for both?)"
            ));
        }
        ipi(&names[..2], sender, target, false);
        ipi(&names[2..], sender, target, true);
    }

    /// Reads the physical counter in a loop and prints the gaps.
    fn vm_switch() -> ! {
        let mut gaps = [(0u64, 0u64); GAPS];
        let mut n = 0;
        let start = timer::physical_counter();
        let end = start + timer::us_to_ticks(SWITCH_WINDOW_US);
        let mut last = start;
        while n < GAPS && last < end {
            let now = timer::physical_counter();
            if now - last > GAP_TICKS {
                gaps[n] = (last, now);
                n += 1;
            }
            last = now;
        }
        println!(
            "bench: vm-switch: {n} gaps over {GAP_TICKS} ticks in {} ticks",
            last - start
        );
        for &(from, to) in &gaps[..n] {
            println!("bench: gap {from} {to}");
        }
        println!("bench: done, powering off");
        psci::system_off()
    }

    /// Prints one line and waits in WFI (IRQs masked, no timer armed)
    /// until the host ends the VM.
    fn idle() -> ! {
        println!("bench: idle: waiting in WFI until the host ends the VM");
        cpu::disable_irqs();
        loop {
            cpu::wfi();
        }
    }

    pub fn main(platform: &'static Platform) -> ! {
        let mode = |m: &str| platform.bootargs().split_whitespace().any(|a| a == m);
        if mode("bench=vm-switch") {
            vm_switch();
        }
        if mode("bench=idle") {
            idle();
        }
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
        let gic_version = gic::init();
        exceptions::set_irq_handler(on_irq);
        match platform.gic {
            GicInfo::V2 { gicd, .. } | GicInfo::V3 { gicd, .. } => {
                let reg = gicd + GICD_TYPER;
                row(
                    "gicd-read",
                    measure(|| {
                        // SAFETY: GICD_TYPER: aligned, mapped, read-only.
                        unsafe { mmio::read32(reg) };
                    }),
                );
            }
            GicInfo::None => not_measured("gicd-read", format_args!("no GIC")),
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
        irq_latency(platform, gic_version);
        ipi_latency(gic_version);
        crate::vtimer::latency(platform, gic_version);
        println!("bench: done, powering off");
        psci::system_off()
    }
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("bench is a guest: `cargo xtask run --guest bench --bare` boots it");
}
