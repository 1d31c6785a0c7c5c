//! `rtc`: a host driver for the Arm PL031 real-time clock, run as a
//! process. Started with a grant for the clock's region and interrupt
//! (`dev=arm,pl031 irq=34 rtc` in the startup script), it finds the
//! clock (`device_list`), maps it (`device_map`), prints the time, sets
//! the alarm two seconds ahead, waits for its interrupt (`irq_attach`,
//! `irq_wait`), clears and unmasks it. Then it asks for what it was not
//! given, and for what the kernel keeps, and prints each refusal's code
//! (`refusals.rs`).
//!
//! `rtc [SELECTOR]`: the clock's selector, `arm,pl031` by default.
#![no_std]
#![no_main]

extern crate alloc;

mod date;
mod pl031;
mod refusals;

use pl031::Pl031;
use ulib::{device, println};

/// Where the clock is mapped in this process.
const RTC_VA: usize = 0x60_0000_0000;
/// How far ahead the alarm is set, in seconds.
const ALARM_AHEAD: u32 = 2;

#[unsafe(no_mangle)]
fn main(args: &[&str]) -> usize {
    let selector = args.get(1).copied().unwrap_or("arm,pl031");
    let row = match device::list(selector).as_deref() {
        Ok([row, ..]) => *row,
        Ok([]) => {
            println!("rtc: no device '{selector}'");
            return 1;
        }
        Err(e) => {
            println!("rtc: device_list '{selector}': {}", e.name());
            return 1;
        }
    };
    let irq = row.irqs[0];
    println!(
        "rtc: {} ({}) at {:#x}, {} bytes, interrupt {irq}",
        row.path(),
        row.compatible(),
        row.base,
        row.size
    );
    let size = match device::map(row.index, RTC_VA) {
        Ok(size) => size,
        Err(e) => {
            println!("rtc: device_map {}: {}", row.path(), e.name());
            return 1;
        }
    };
    println!("rtc: mapped at {RTC_VA:#x} ({size} bytes)");
    // SAFETY: `device_map` mapped the PL031's page at RTC_VA as device
    // memory for this process alone.
    let rtc = unsafe { Pl031::new(RTC_VA) };
    let status = alarm(&rtc, irq);
    refusals::run(row.index, irq);
    status
}

/// Reads the time, sets the alarm, waits for its interrupt.
fn alarm(rtc: &Pl031, irq: u32) -> usize {
    let now = rtc.now();
    println!("rtc: time {now} s since 1970: {}", date::Utc(now));
    let handle = match device::irq_attach(irq) {
        Ok(h) => h,
        Err(e) => {
            println!("rtc: irq_attach {irq}: {}", e.name());
            return 1;
        }
    };
    let at = now + ALARM_AHEAD;
    rtc.set_alarm(at);
    println!("rtc: alarm set for {at} ({ALARM_AHEAD} s ahead)");
    let count = match device::irq_wait(handle) {
        Ok(n) => n,
        Err(e) => {
            println!("rtc: irq_wait: {}", e.name());
            return 1;
        }
    };
    let fired = rtc.now();
    let pending = rtc.alarm_pending();
    rtc.clear_alarm();
    println!(
        "rtc: alarm interrupt {irq} arrived (arrival {count}) at {fired} s, {} s after setting it, alarm {}",
        fired.wrapping_sub(now),
        if pending { "pending" } else { "not pending" }
    );
    match device::irq_unmask(handle) {
        Ok(_) => 0,
        Err(e) => {
            println!("rtc: irq_unmask: {}", e.name());
            1
        }
    }
}
