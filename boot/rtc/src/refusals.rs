//! What the driver was not given, asked for anyway: each refusal's error
//! code is printed (`rtc: refused: WHAT: CODE`), or `FAIL` if the kernel
//! said yes. On QEMU's `virt` board: the GPIO controller (PL061) and its
//! interrupt were not granted; the console UART (PL011), its interrupt,
//! the guests' timer PPI and an SGI are the kernel's.

use abi::Error;
use ulib::{device, println};

/// Where the refused mappings would go.
const PROBE_VA: usize = 0x61_0000_0000;
/// The guests' virtual timer PPI (the kernel's).
const VTIMER_PPI: u32 = 27;
/// An SGI (the kernel's reschedule IPI).
const SGI: u32 = 0;

fn report(what: &str, result: abi::SysResult, expected: Error) {
    match result {
        Err(e) if e == expected => println!("rtc: refused: {what}: {}", e.name()),
        Err(e) => println!(
            "rtc: FAIL {what}: {} (expected {})",
            e.name(),
            expected.name()
        ),
        Ok(v) => println!("rtc: FAIL {what}: allowed ({v})"),
    }
}

/// The first region `selector` names and its first interrupt.
fn first(selector: &str) -> Option<(u32, u32)> {
    let rows = device::list(selector).ok()?;
    rows.first().map(|r| (r.index, r.irqs[0]))
}

/// Asks for each thing it may not have; `rtc` is region `rtc` with
/// interrupt `irq` (attached already).
pub fn run(rtc: u32, irq: u32) {
    match first("arm,pl061") {
        Some((gpio, gpio_irq)) => {
            report(
                "map the GPIO (not granted)",
                device::map(gpio, PROBE_VA),
                Error::AccessDenied,
            );
            report(
                &alloc::format!("attach interrupt {gpio_irq} (the GPIO's, not granted)"),
                device::irq_attach(gpio_irq),
                Error::AccessDenied,
            );
        }
        None => println!("rtc: FAIL no arm,pl061 device to ask for"),
    }
    match first("arm,pl011") {
        Some((uart, uart_irq)) => {
            report(
                "map the console UART (the kernel's)",
                device::map(uart, PROBE_VA),
                Error::Reserved,
            );
            report(
                &alloc::format!("attach interrupt {uart_irq} (the console UART's)"),
                device::irq_attach(uart_irq),
                Error::Reserved,
            );
        }
        None => println!("rtc: FAIL no arm,pl011 device to ask for"),
    }
    report(
        &alloc::format!("attach interrupt {VTIMER_PPI} (a timer PPI)"),
        device::irq_attach(VTIMER_PPI),
        Error::Reserved,
    );
    report(
        &alloc::format!("attach interrupt {SGI} (an SGI)"),
        device::irq_attach(SGI),
        Error::Reserved,
    );
    report(
        &alloc::format!("attach interrupt {irq} again"),
        device::irq_attach(irq),
        Error::Busy,
    );
    report(
        "map the clock at an unaligned address",
        device::map(rtc, PROBE_VA + 1),
        Error::InvalidArgument,
    );
    report(
        "map region 4096 (no such region)",
        device::map(4096, PROBE_VA),
        Error::InvalidArgument,
    );
    println!("rtc: done");
}
