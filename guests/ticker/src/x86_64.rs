//! `ticker` on an x86_64 PC: COM1 polled through its line status register
//! ([`console::read_byte`]), the local APIC timer in one-shot mode on
//! [`VECTOR`] with the CPU halted until it fires, ACPI S5 for `q` and the
//! FADT's reset register (the PC's 0xCF9; the 8042's pulse without one)
//! for `r`. The other CPUs are left waiting for their start-up IPIs.
//!
//! Console lines (the same as on aarch64):
//! ```text
//! ticker: up on 1 CPU, type a line (q powers off)
//! ticker: tick 1
//! ticker: you typed 'hello'
//! ticker: powering off
//! ```

use crate::common::{self, Machine, POLL_US};
use core::sync::atomic::{AtomicBool, Ordering};
use gsupport::{Platform, console, cpu, exceptions, lapic, power, println};

/// The local APIC timer's vector.
const VECTOR: u8 = 0x40;

/// Set by the timer's interrupt.
static WOKEN: AtomicBool = AtomicBool::new(false);

fn on_irq(vector: u32) {
    if vector == u32::from(VECTOR) {
        WOKEN.store(true, Ordering::SeqCst);
    } else {
        println!("ticker: unexpected interrupt, vector {vector:#x}");
    }
}

/// Arms the one-shot timer for [`POLL_US`] and halts until it fires
/// (`sti; hlt`, so it cannot fire between the check and the halt);
/// interrupts are off again on return.
fn wait() {
    WOKEN.store(false, Ordering::SeqCst);
    lapic::start_timer(VECTOR, POLL_US, false);
    while !WOKEN.load(Ordering::SeqCst) {
        cpu::wait_for_interrupt();
        cpu::disable_irqs();
    }
}

pub fn main(platform: &'static Platform) -> ! {
    exceptions::set_irq_handler(on_irq);
    // Measured now (against the TSC), before the first poll.
    lapic::timer_hz();
    let machine = Machine {
        wait,
        read_byte: console::read_byte,
        off: power::system_off,
        reset: power::system_reset,
    };
    common::run(platform.cpus().len(), &machine)
}
