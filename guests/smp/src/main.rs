//! `smp`: starts every other CPU with PSCI `CPU_ON` (checking each with
//! `AFFINITY_INFO` before and after), or from its spin table where the
//! device tree says so (the Raspberry Pi: `smp: 4 CPUs, starting 3 from
//! their spin tables`), each secondary says it is up; then
//! IPIs both ways: the boot CPU sends SGI 1 to every CPU (itself too), and
//! each answers with SGI 2 to the boot CPU. Powers off.
//!
//! Console lines (4 CPUs):
//! ```text
//! smp: 4 CPUs, starting 3 with PSCI CPU_ON over hvc
//! smp: cpu 1 up, MPIDR 0x1
//! smp: cpu 2 up, MPIDR 0x2
//! smp: cpu 3 up, MPIDR 0x3
//! smp: 4 CPUs, IPIs both ways ok
//! smp: powering off
//! ```
//!
//! With `smp=busy` in the boot arguments (`cmdline` of a VM) it does not
//! power off: it prints `smp: N CPUs busy with PL011 I/O` and every CPU
//! then reads and writes the PL011's UARTIBRD forever (each access a trap
//! to the VMM), until the VM is ended from outside (`ktest lifecycle`).
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
    use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
    use gsupport::gic::Trigger;
    use gsupport::psci::AffinityState;
    use gsupport::{
        MAX_CPUS, Platform, console, cpu, exceptions, gic, mmio, println, psci, smp, timer,
    };

    /// The boot CPU's request.
    const SGI_PING: u32 = 1;
    /// A CPU's answer.
    const SGI_PONG: u32 = 2;
    /// How long to wait for a CPU or an answer.
    const WAIT_US: u64 = 5_000_000;

    /// Set by each secondary once it has printed its line.
    static UP: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];
    /// Set by each CPU when it took the boot CPU's SGI.
    static PINGED: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];
    /// Answers the boot CPU took.
    static PONGS: AtomicU32 = AtomicU32::new(0);
    static BOOT_CPU: AtomicU32 = AtomicU32::new(0);
    /// `smp=busy`: the PL011's UARTIBRD address every CPU keeps touching
    /// once up (0: power off as usual).
    static BUSY_REG: AtomicUsize = AtomicUsize::new(0);

    /// Set by the boot CPU once every CPU is up and the IPIs are done:
    /// the others start their I/O then, so that it does not slow the
    /// start-up.
    static GO: AtomicBool = AtomicBool::new(false);

    /// Reads and writes back UARTIBRD (no side effect) forever.
    fn busy_io() -> ! {
        while !GO.load(Ordering::SeqCst) {
            core::hint::spin_loop();
        }
        let reg = BUSY_REG.load(Ordering::SeqCst);
        loop {
            // SAFETY: `reg` is the PL011's UARTIBRD, mapped as Device
            // memory; reading it and writing the same value back changes
            // nothing.
            unsafe { mmio::write32(reg, mmio::read32(reg)) };
        }
    }

    fn on_irq(intid: u32) {
        match intid {
            SGI_PING => {
                PINGED[cpu::index()].store(true, Ordering::SeqCst);
                gic::send_sgi(SGI_PONG, BOOT_CPU.load(Ordering::SeqCst) as usize);
            }
            SGI_PONG => {
                PONGS.fetch_add(1, Ordering::SeqCst);
            }
            _ => println!(
                "smp: FAIL: cpu {} took unexpected interrupt {intid}",
                cpu::index()
            ),
        }
    }

    /// Waits (IRQs on) until `done`, or fails the test saying `what`.
    fn wait_for(what: core::fmt::Arguments<'_>, done: impl Fn() -> bool) {
        let limit = timer::counter() + timer::us_to_ticks(WAIT_US);
        while !done() {
            if timer::counter() > limit {
                println!("smp: FAIL: {what}");
                psci::system_off()
            }
            core::hint::spin_loop();
        }
    }

    fn fail(what: core::fmt::Arguments<'_>) -> ! {
        println!("smp: FAIL: {what}");
        psci::system_off()
    }

    fn secondary(me: usize) -> ! {
        gic::enable(SGI_PING, Trigger::Edge);
        println!("smp: cpu {me} up, MPIDR {:#x}", cpu::mpidr());
        UP[me].store(true, Ordering::SeqCst);
        cpu::enable_irqs();
        if BUSY_REG.load(Ordering::SeqCst) != 0 {
            busy_io()
        }
        loop {
            cpu::wfi();
        }
    }

    pub fn main(platform: &'static Platform) -> ! {
        if gic::init().is_none() {
            fail(format_args!("no GIC in the device tree"));
        }
        let me = cpu::index();
        BOOT_CPU.store(me as u32, Ordering::SeqCst);
        exceptions::set_irq_handler(on_irq);
        if platform.bootargs().split(' ').any(|a| a == "smp=busy") {
            match platform.uart {
                Some(uart) => BUSY_REG.store(uart + console::UARTIBRD, Ordering::SeqCst),
                None => fail(format_args!("smp=busy needs a PL011")),
            }
        }
        gic::enable(SGI_PING, Trigger::Edge);
        gic::enable(SGI_PONG, Trigger::Edge);
        cpu::enable_irqs();

        let cpus = platform.cpus();
        let n = cpus.len();
        let plural = if n == 1 { "" } else { "s" };
        // The Raspberry Pi's CPUs wait on spin tables: no PSCI to ask.
        let spin = |cpu: usize| platform.spin_table(cpu).is_some();
        let others = || (0..n).filter(|&c| c != me);
        if n > 1 && others().all(spin) {
            println!(
                "smp: {n} CPU{plural}, starting {} from their spin tables",
                n - 1
            );
        } else {
            println!(
                "smp: {n} CPU{plural}, starting {} with PSCI CPU_ON over {}",
                n - 1,
                platform.psci.name()
            );
        }
        for (other, &mpidr) in cpus.iter().enumerate().filter(|&(c, _)| c != me) {
            match psci::affinity_info(mpidr) {
                _ if spin(other) => {}
                Ok(AffinityState::Off) => {}
                state => fail(format_args!(
                    "cpu {other} before CPU_ON: AFFINITY_INFO {state:?}"
                )),
            }
            if let Err(e) = smp::start_cpu(other, secondary) {
                fail(format_args!("cpu {other} did not start: {e:?}"));
            }
            wait_for(format_args!("cpu {other} did not report in"), || {
                UP[other].load(Ordering::SeqCst)
            });
            match psci::affinity_info(mpidr) {
                _ if spin(other) => {}
                Ok(AffinityState::On) => {}
                state => fail(format_args!(
                    "cpu {other} after CPU_ON: AFFINITY_INFO {state:?}"
                )),
            }
        }

        for (target, pinged) in PINGED.iter().enumerate().take(n) {
            let before = PONGS.load(Ordering::SeqCst);
            gic::send_sgi(SGI_PING, target);
            wait_for(format_args!("no answer to the IPI to cpu {target}"), || {
                pinged.load(Ordering::SeqCst) && PONGS.load(Ordering::SeqCst) > before
            });
        }
        println!("smp: {n} CPU{plural}, IPIs both ways ok");
        if BUSY_REG.load(Ordering::SeqCst) != 0 {
            println!("smp: {n} CPU{plural} busy with PL011 I/O");
            GO.store(true, Ordering::SeqCst);
            busy_io()
        }
        println!("smp: powering off");
        psci::system_off()
    }
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("smp is a guest: `cargo xtask run --guest smp --bare` boots it");
}
