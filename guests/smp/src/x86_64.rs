//! `smp` on an x86_64 PC: starts every other CPU the MADT lists with INIT
//! and start-up IPIs (`gsupport::smp`), each says it is up with its APIC
//! ID; then IPIs both ways: the boot CPU sends [`PING`] to every CPU
//! (itself too), and each answers with [`PONG`] to the boot CPU. Powers
//! off.
//!
//! Console lines (4 CPUs):
//! ```text
//! smp: 4 CPUs, starting 3 with INIT and start-up IPIs
//! smp: cpu 1 up, APIC ID 0x1
//! smp: cpu 2 up, APIC ID 0x2
//! smp: cpu 3 up, APIC ID 0x3
//! smp: 4 CPUs, IPIs both ways ok
//! smp: powering off
//! ```

use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use gsupport::{MAX_CPUS, Platform, cpu, exceptions, lapic, power, println, smp, tsc};

/// The boot CPU's request.
const PING: u8 = 0x41;
/// A CPU's answer.
const PONG: u8 = 0x42;
/// How long to wait for a CPU or an answer.
const WAIT_US: u64 = 5_000_000;

/// Set by each secondary once it has printed its line.
static UP: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];
/// Set by each CPU when it took the boot CPU's IPI.
static PINGED: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];
/// Answers the boot CPU took.
static PONGS: AtomicU32 = AtomicU32::new(0);
/// The boot CPU's APIC ID.
static BOOT_APIC_ID: AtomicU32 = AtomicU32::new(0);

fn on_irq(vector: u32) {
    match vector {
        v if v == u32::from(PING) => {
            PINGED[cpu::index()].store(true, Ordering::SeqCst);
            lapic::send_ipi(BOOT_APIC_ID.load(Ordering::SeqCst), PONG);
        }
        v if v == u32::from(PONG) => {
            PONGS.fetch_add(1, Ordering::SeqCst);
        }
        _ => println!(
            "smp: FAIL: cpu {} took an unexpected interrupt, vector {vector:#x}",
            cpu::index()
        ),
    }
}

fn fail(what: core::fmt::Arguments<'_>) -> ! {
    println!("smp: FAIL: {what}");
    power::system_off()
}

/// Waits (interrupts on) until `done`, or fails the test saying `what`.
fn wait_for(what: core::fmt::Arguments<'_>, done: impl Fn() -> bool) {
    let limit = tsc::now() + tsc::us_to_ticks(WAIT_US);
    cpu::enable_irqs();
    while !done() {
        if tsc::now() > limit {
            fail(what);
        }
        core::hint::spin_loop();
    }
}

fn secondary(me: usize) -> ! {
    println!("smp: cpu {me} up, APIC ID {:#x}", lapic::id());
    UP[me].store(true, Ordering::SeqCst);
    loop {
        cpu::wait_for_interrupt();
    }
}

pub fn main(platform: &'static Platform) -> ! {
    exceptions::set_irq_handler(on_irq);
    BOOT_APIC_ID.store(lapic::id(), Ordering::SeqCst);
    let cpus = platform.cpus();
    let n = cpus.len();
    let plural = if n == 1 { "" } else { "s" };
    println!(
        "smp: {n} CPU{plural}, starting {} with INIT and start-up IPIs",
        n - 1
    );
    for (other, up) in UP.iter().enumerate().take(n).skip(1) {
        if let Err(e) = smp::start_cpu(other, secondary) {
            fail(format_args!("cpu {other} did not start: {e:?}"));
        }
        wait_for(format_args!("cpu {other} did not report in"), || {
            up.load(Ordering::SeqCst)
        });
    }
    for (target, pinged) in PINGED.iter().enumerate().take(n) {
        let before = PONGS.load(Ordering::SeqCst);
        lapic::send_ipi(cpus[target], PING);
        wait_for(format_args!("no answer to the IPI to cpu {target}"), || {
            pinged.load(Ordering::SeqCst) && PONGS.load(Ordering::SeqCst) > before
        });
    }
    cpu::disable_irqs();
    println!("smp: {n} CPU{plural}, IPIs both ways ok");
    println!("smp: powering off");
    power::system_off()
}
