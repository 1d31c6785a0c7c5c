//! `ticker`: a guest that keeps running, for the demo and for console
//! tests. It prints a numbered tick every two seconds (virtual timer, WFI
//! in between), echoes each line typed on its console, powers off when
//! the line is `q` and resets the machine (PSCI SYSTEM_RESET) when it is
//! `r` (`qvm`'s `set on-reset restart` test).
//!
//! Console lines:
//! ```text
//! ticker: up on 1 CPU, type a line (q powers off)
//! ticker: tick 1
//! ticker: you typed 'hello'
//! ```
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
gsupport::entry!(guest::main);

#[cfg(target_os = "none")]
mod guest {
    use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    use gsupport::gic::Trigger;
    use gsupport::{Platform, cpu, exceptions, gic, println, psci, timer};

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
    /// How often to look at the console.
    const POLL_US: u64 = 50_000;
    /// Polls per tick line.
    const POLLS_PER_TICK: u64 = 40;

    fn read_byte(uart: usize) -> Option<u8> {
        // SAFETY: `uart` is the PL011 the device tree names, mapped as
        // device memory by gsupport; single aligned 32-bit loads.
        unsafe {
            let fr = core::ptr::read_volatile((uart + UARTFR) as *const u32);
            (fr & FR_RXFE == 0)
                .then(|| core::ptr::read_volatile((uart + UARTDR) as *const u32) as u8)
        }
    }

    pub fn main(platform: &'static Platform) -> ! {
        let Some(uart) = platform.uart else {
            psci::system_off()
        };
        if gic::init().is_none() {
            println!("ticker: no GIC in the device tree");
            psci::system_off()
        }
        TIMER_INTID.store(platform.timer.virt, Ordering::Relaxed);
        exceptions::set_irq_handler(on_irq);
        gic::enable(platform.timer.virt, Trigger::Level);
        cpu::enable_irqs();
        let cpus = platform.cpus().len();
        println!(
            "ticker: up on {cpus} CPU{}, type a line (q powers off)",
            if cpus == 1 { "" } else { "s" }
        );
        let mut line = [0u8; 80];
        let mut len = 0;
        let mut polls = 0u64;
        let mut ticks = 0u64;
        loop {
            // Sleep in WFI until the virtual timer's interrupt.
            WOKEN.store(false, Ordering::SeqCst);
            timer::set_timeout(timer::us_to_ticks(POLL_US));
            while !WOKEN.load(Ordering::SeqCst) {
                cpu::wfi();
            }
            while let Some(b) = read_byte(uart) {
                match b {
                    b'\r' | b'\n' => {
                        let text = core::str::from_utf8(&line[..len]).unwrap_or("?");
                        if text == "q" {
                            println!("ticker: powering off");
                            psci::system_off();
                        }
                        if text == "r" {
                            println!("ticker: resetting");
                            psci::system_reset();
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
            if polls % POLLS_PER_TICK == 0 {
                ticks += 1;
                println!("ticker: tick {ticks}");
            }
        }
    }
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("ticker is a guest: `cargo xtask run --guest ticker --bare` boots it");
}
