//! `stress`: every CPU at once, for a bounded time, hammers the paths a
//! hypervisor takes on exits and interrupts, and checks every answer:
//!
//! - MMIO with known answers: a PL011 register per CPU written and read
//!   back (an exit to `qvm`'s vdev), GIC distributor identification
//!   registers, a GICD_IPRIORITYR byte per CPU and a banked SGI priority
//!   byte written and read back, and on GICv3 redistributors' GICR_TYPER
//!   ([`gicregs`], [`uart`]);
//! - IPIs: SGIs from every CPU to every CPU, each with a sequence number
//!   in shared memory, none allowed to be lost or duplicated ([`ipi`]);
//! - the EL1 virtual timer: a short periodic timer on every CPU, each
//!   interrupt at or after its deadline, none lost ([`vtimer`]);
//! - WFI now and then, as an OS idles ([`worker`]).
//!
//! The command line (a VM's `cmdline`) sets the run time and the timer
//! period: `stress=5s stress.timer=200us` ([`args`]); bare QEMU passes
//! none (2 s, 200 µs). Up to [`MAX_STRESS_CPUS`] CPUs take part.
//!
//! Console lines (bare QEMU `virt`, 4 CPUs, GICv3):
//! ```text
//! stress: 4 CPUs, GICv3, 2000 ms, timer every 200 us, PL011 at 0x9000000
//! stress: cpu 0: 425952 mmio, 41204 ipis sent, 40881 received, 5405 timer irqs, 0 spurious, 11832 wfi, timer late by up to 217722 us
//! stress: cpu 1: 420156 mmio, 40993 ipis sent, 40737 received, 5425 timer irqs, 0 spurious, 11671 wfi, timer late by up to 28525 us
//! stress: cpu 2: 408456 mmio, 40184 ipis sent, 40330 received, 5385 timer irqs, 0 spurious, 11346 wfi, timer late by up to 28425 us
//! stress: cpu 3: 395820 mmio, 39456 ipis sent, 39889 received, 5388 timer irqs, 0 spurious, 10995 wfi, timer late by up to 28787 us
//! stress: ok: 4 CPUs, 1650384 mmio, 161837 ipis, 21603 timer irqs, every answer as expected
//! ```
//!
//! The first wrong answer prints `stress: FAIL: cpu N: WHAT: expected X,
//! saw Y` (or what went wrong) and powers off ([`fail`]); an answer that
//! does not come within 60 s of counter time is lost.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
mod args;
#[cfg(target_os = "none")]
mod config;
#[cfg(target_os = "none")]
mod fail;
#[cfg(target_os = "none")]
mod gicregs;
#[cfg(target_os = "none")]
mod ipi;
#[cfg(target_os = "none")]
mod regs;
#[cfg(target_os = "none")]
mod uart;
#[cfg(target_os = "none")]
mod vtimer;
#[cfg(target_os = "none")]
mod worker;

/// Most CPUs that take part: each sends its own SGI (1 to 8), and GICv2
/// has no more.
pub const MAX_STRESS_CPUS: usize = 8;

#[cfg(target_os = "none")]
gsupport::entry!(guest::main);

#[cfg(target_os = "none")]
mod guest {
    use crate::config::{self, Config};
    use crate::fail::expect;
    use crate::gicregs::Gic;
    use crate::{MAX_STRESS_CPUS, args, fail, ipi, uart, vtimer, worker};
    use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
    use gsupport::gic::{self, Trigger};
    use gsupport::{Platform, cpu, entry, exceptions, print, println, psci, smp, timer};

    /// How long an awaited answer (an SGI taken, a timer interrupt, a CPU
    /// starting or finishing) may take before it counts as lost: long,
    /// because a 4-CPU QEMU on a busy 2-core machine can crawl, but well
    /// within a test case's timeout.
    const LOST_US: u64 = 60_000_000;

    /// The virtual timer's INTID.
    static TIMER_INTID: AtomicU32 = AtomicU32::new(0);
    /// CPUs taking part.
    static CPUS: AtomicUsize = AtomicUsize::new(1);
    /// Set by each CPU once its GIC interface and interrupts are set up.
    static READY: [AtomicBool; MAX_STRESS_CPUS] =
        [const { AtomicBool::new(false) }; MAX_STRESS_CPUS];

    /// "s" unless `n` is 1.
    fn plural(n: usize) -> &'static str {
        if n == 1 { "" } else { "s" }
    }

    fn on_irq(intid: u32) {
        let me = cpu::index();
        if intid == TIMER_INTID.load(Ordering::Relaxed) {
            vtimer::on_interrupt(me);
        } else if !ipi::on_sgi(me, intid, CPUS.load(Ordering::Relaxed)) {
            fail!("unexpected interrupt {intid}");
        }
    }

    /// Sets up CPU `me`'s interrupts and checks its MPIDR.
    fn setup_cpu(me: usize, cpus: usize) {
        let platform = entry::platform();
        expect(
            format_args!("MPIDR_EL1 (as in the device tree)"),
            platform.cpus()[me],
            cpu::mpidr(),
        );
        ipi::enable(cpus);
        gic::enable(platform.timer.virt, Trigger::Level);
        READY[me].store(true, Ordering::SeqCst);
    }

    fn secondary(me: usize) -> ! {
        setup_cpu(me, CPUS.load(Ordering::SeqCst));
        let config = config::wait();
        worker::run(me, &config);
        cpu::halt()
    }

    /// Prints each CPU's counts, checks the totals, puts the PL011 back.
    fn report(config: &Config) {
        let (mut mmio, mut ipis, mut irqs, mut spurious) = (0, 0, 0, 0);
        for c in 0..config.cpus {
            let (accesses, wfis) = worker::counts(c);
            let (sent, taken) = ipi::counts(c, config.cpus);
            let (timer_irqs, duplicates, late) = vtimer::counts(c);
            println!(
                "stress: cpu {c}: {accesses} mmio, {sent} ipis sent, {taken} received, \
                 {timer_irqs} timer irqs, {duplicates} spurious, {wfis} wfi, \
                 timer late by up to {} us",
                timer::ticks_to_us(late)
            );
            spurious += duplicates;
            if accesses == 0 || timer_irqs == 0 || wfis == 0 {
                fail!("cpu {c} did not do each kind of work");
            }
            (mmio, ipis, irqs) = (mmio + accesses, ipis + sent, irqs + timer_irqs);
        }
        ipi::check_all(config.cpus);
        if let Some(base) = config.uart {
            uart::restore(base);
        }
        print!(
            "stress: ok: {} CPU{}, {mmio} mmio, {ipis} ipis, {irqs} timer irqs, \
             every answer as expected",
            config.cpus,
            plural(config.cpus)
        );
        match spurious {
            0 => println!(),
            n => println!(", {n} spurious timer irqs let through (stress.spurious-timer=ok)"),
        }
    }

    pub fn main(platform: &'static Platform) -> ! {
        let args = args::parse(platform.bootargs()).unwrap_or_else(|word| {
            fail!("cannot read '{word}' on the command line (stress=5s stress.timer=200us)")
        });
        if gic::init().is_none() {
            fail!("no GIC in the device tree");
        }
        exceptions::set_irq_handler(on_irq);
        TIMER_INTID.store(platform.timer.virt, Ordering::SeqCst);
        let me = cpu::index();
        let cpus = platform.cpus().len().min(MAX_STRESS_CPUS);
        if me >= cpus {
            fail!("booted on cpu {me}, beyond the {MAX_STRESS_CPUS} that take part");
        }
        CPUS.store(cpus, Ordering::SeqCst);
        vtimer::tolerate_duplicates(args.spurious_timer_ok);
        let gic = Gic::probe(platform, cpus);
        if let Some(base) = platform.uart {
            uart::save(base);
        }
        println!(
            "stress: {cpus} CPU{}, GICv{}, {} ms, timer every {} us, PL011 at {:#x}",
            plural(cpus),
            gic.version(),
            args.run_us / 1000,
            args.period_us,
            platform.uart.unwrap_or(0)
        );
        setup_cpu(me, cpus);
        for other in (0..cpus).filter(|&c| c != me) {
            if let Err(e) = smp::start_cpu(other, secondary) {
                fail!("cpu {other} did not start: {e:?}");
            }
        }
        let lost = timer::us_to_ticks(LOST_US);
        let limit = timer::counter() + lost;
        while let Some(c) = (0..cpus).find(|&c| !READY[c].load(Ordering::SeqCst)) {
            if timer::counter() > limit {
                fail!("cpu {c} did not set up its interrupts");
            }
            core::hint::spin_loop();
        }
        let config = Config {
            cpus,
            deadline: timer::counter() + timer::us_to_ticks(args.run_us),
            period: timer::us_to_ticks(args.period_us).max(1),
            lost,
            uart: platform.uart,
            gic,
        };
        config::go(config);
        worker::run(me, &config);
        report(&config);
        psci::system_off()
    }
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("stress is a guest: `cargo xtask run --guest stress --bare --smp 4` boots it");
}
