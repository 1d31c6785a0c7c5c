//! `ktest introspect`, run with `allow=info`: the introspection calls
//! answer a process holding `POWER_INFO` with what is true of the machine
//! (its own thread running on its CPU, the kernel's interrupts, the RAM
//! banks, the kernel heap and the frame pool, `init`'s map with physical
//! addresses), and `POWER_INFO` alone does not open another process.

use abi::{Error, Rights};
use ulib::{info, println, process, sys};

/// Runs the checks; the exit status.
pub fn run() -> usize {
    let mut failed = 0;
    let mut check = |what: &str, ok: bool| {
        if !ok {
            println!("FAIL ktest introspect: {what}");
            failed += 1;
        }
    };
    let (threads, irqs, areas) = match (info::threads(), info::irqs(), info::phys_map()) {
        (Ok(t), Ok(i), Ok(a)) => (t, i, a),
        other => {
            println!("FAIL ktest introspect: a listing failed: {other:?}");
            return 1;
        }
    };
    let names = process::list();
    let cpu = sys::cpu_id() as u32;
    let me = threads
        .iter()
        .find(|t| t.state == abi::THREAD_RUNNING && t.cpu == cpu)
        .map(|t| t.pid);
    let my_name = me.and_then(|pid| names.iter().find(|p| p.pid == pid));
    check(
        "its own thread runs on its CPU",
        my_name.is_some_and(|p| p.name.starts_with(b"ktest\0")),
    );
    check(
        "init's first thread is listed",
        threads.iter().any(|t| t.pid == 1 && t.tid == 1),
    );
    check(
        "the guests' timer is the kernel's",
        irqs.iter()
            .any(|i| i.kind == abi::IRQ_KERNEL && i.owner == abi::OWNER_KERNEL && i.intid == 27),
    );
    let kind = |k: u32| areas.iter().filter(move |a| a.kind == k);
    check("a RAM bank", kind(abi::AREA_RAM).count() >= 1);
    check(
        "the kernel heap",
        kind(abi::AREA_KERNEL).any(|a| a.name() == "kernel heap" && a.size > 0),
    );
    let pool = areas.last().filter(|a| a.kind == abi::AREA_POOL);
    check(
        "the frame pool, last, free within size",
        pool.is_some_and(|p| p.free > 0 && p.free <= p.size),
    );
    check(
        "the kernel's UART is the kernel's",
        kind(abi::AREA_DEVICE)
            .any(|a| a.name().starts_with("/pl011") && a.owner == abi::OWNER_KERNEL),
    );
    let init_map = info::regions(1).unwrap_or_default();
    check(
        "init's map, with physical addresses",
        !init_map.is_empty() && init_map.iter().all(|r| r.physical != 0),
    );
    check(
        "POWER_INFO alone opens no other process",
        info::process_open(1, Rights::WAIT) == Err(Error::AccessDenied),
    );
    if failed == 0 {
        println!(
            "ktest introspect: {} threads, {} interrupts, {} memory areas; checks passed",
            threads.len(),
            irqs.len(),
            areas.len()
        );
        0
    } else {
        1
    }
}
