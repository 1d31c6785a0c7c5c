//! `ticker`: a guest that keeps running, for the demo and for console
//! tests. It prints a numbered tick every two seconds (the EL1 virtual
//! timer and WFI in between; on x86 the local APIC timer and HLT), echoes
//! each line typed on its console, powers off when the line is `q` and
//! resets the machine (PSCI SYSTEM_RESET; on x86 the FADT's reset
//! register) when it is `r` (`qvm`'s `set on-reset restart` test).
//!
//! Console lines:
//! ```text
//! ticker: up on 1 CPU, type a line (q powers off)
//! ticker: tick 1
//! ticker: you typed 'hello'
//! ```
//!
//! The loop and the lines are [`common`]'s; on an x86_64 PC (COM1, the
//! local APIC timer, ACPI) see `x86_64.rs`.
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(all(target_os = "none", target_arch = "aarch64"))]
gsupport::entry!(guest::main);

#[cfg(all(target_os = "none", target_arch = "x86_64"))]
mod x86_64;
#[cfg(all(target_os = "none", target_arch = "x86_64"))]
gsupport::entry!(x86_64::main);

/// What the guest does on either architecture, given how to wait, read
/// the console, power off and reset.
#[cfg(target_os = "none")]
mod common {
    use gsupport::println;

    /// How often to look at the console.
    pub const POLL_US: u64 = 50_000;
    /// Polls per tick line (a tick every 2 s).
    const POLLS_PER_TICK: u64 = 40;
    /// The longest line kept (the rest of a longer one is dropped).
    const LINE_MAX: usize = 80;

    /// The machine's hooks.
    pub struct Machine {
        /// Sleeps about [`POLL_US`], the CPU waiting for an interrupt.
        pub wait: fn(),
        /// A byte typed on the console, if one has come.
        pub read_byte: fn() -> Option<u8>,
        /// Powers the machine off.
        pub off: fn() -> !,
        /// Resets the machine.
        pub reset: fn() -> !,
    }

    /// Says hello, then polls the console every [`POLL_US`] and prints a
    /// tick line every 2 s, for ever (or until `q` or `r`).
    pub fn run(cpus: usize, machine: &Machine) -> ! {
        println!(
            "ticker: up on {cpus} CPU{}, type a line (q powers off)",
            if cpus == 1 { "" } else { "s" }
        );
        let mut line = [0u8; LINE_MAX];
        let mut len = 0;
        let mut polls = 0u64;
        let mut ticks = 0u64;
        loop {
            (machine.wait)();
            while let Some(b) = (machine.read_byte)() {
                match b {
                    b'\r' | b'\n' => {
                        let text = core::str::from_utf8(&line[..len]).unwrap_or("?");
                        if text == "q" {
                            println!("ticker: powering off");
                            (machine.off)();
                        }
                        if text == "r" {
                            println!("ticker: resetting");
                            (machine.reset)();
                        }
                        println!("ticker: you typed '{text}'");
                        len = 0;
                    }
                    _ if len < line.len() => {
                        line[len] = b;
                        len += 1;
                    }
                    _ => {}
                }
            }
            polls += 1;
            if polls.is_multiple_of(POLLS_PER_TICK) {
                ticks += 1;
                println!("ticker: tick {ticks}");
            }
        }
    }
}

/// The aarch64 guest: the PL011, the EL1 virtual timer through the GIC,
/// PSCI.
#[cfg(all(target_os = "none", target_arch = "aarch64"))]
mod guest {
    use crate::common::{self, Machine, POLL_US};
    use core::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
    use gsupport::gic::Trigger;
    use gsupport::{Platform, cpu, exceptions, gic, println, psci, timer};

    /// The PL011's address.
    static UART: AtomicUsize = AtomicUsize::new(0);
    static TIMER_INTID: AtomicU32 = AtomicU32::new(0);
    static WOKEN: AtomicBool = AtomicBool::new(false);

    fn on_irq(intid: u32) {
        if intid == TIMER_INTID.load(Ordering::Relaxed) {
            // Lower the (level) line before the EOI.
            timer::stop();
            WOKEN.store(true, Ordering::SeqCst);
        }
    }

    /// PL011 data register.
    const UARTDR: usize = 0x00;
    /// PL011 flag register.
    const UARTFR: usize = 0x18;
    /// UARTFR.RXFE: receive FIFO empty.
    const FR_RXFE: u32 = 1 << 4;

    /// A byte typed on the PL011, if one has come.
    fn read_byte() -> Option<u8> {
        let uart = UART.load(Ordering::Relaxed);
        // SAFETY: `uart` is the PL011 the device tree names, mapped as
        // device memory by gsupport; single aligned 32-bit loads.
        unsafe {
            let fr = core::ptr::read_volatile((uart + UARTFR) as *const u32);
            (fr & FR_RXFE == 0)
                .then(|| core::ptr::read_volatile((uart + UARTDR) as *const u32) as u8)
        }
    }

    /// Sleeps in WFI until the virtual timer's interrupt, [`POLL_US`] on.
    fn wait() {
        WOKEN.store(false, Ordering::SeqCst);
        timer::set_timeout(timer::us_to_ticks(POLL_US));
        while !WOKEN.load(Ordering::SeqCst) {
            cpu::wfi();
        }
    }

    pub fn main(platform: &'static Platform) -> ! {
        let Some(uart) = platform.uart else {
            psci::system_off()
        };
        UART.store(uart, Ordering::Relaxed);
        if gic::init().is_none() {
            println!("ticker: no GIC in the device tree");
            psci::system_off()
        }
        TIMER_INTID.store(platform.timer.virt, Ordering::Relaxed);
        exceptions::set_irq_handler(on_irq);
        gic::enable(platform.timer.virt, Trigger::Level);
        cpu::enable_irqs();
        let machine = Machine {
            wait,
            read_byte,
            off: psci::system_off,
            reset: psci::system_reset,
        };
        common::run(platform.cpus().len(), &machine)
    }
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("ticker is a guest: `cargo xtask run --guest ticker --bare` boots it");
}
