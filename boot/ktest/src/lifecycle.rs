//! VM lifecycle: VMs that end every way a VM can, and everything they held
//! coming back.
//!
//! - `lifecycle kill`: starts `qvm` with `smp-busy.qvmconf` (4 vCPUs, all
//!   busy with PL011 I/O for ever), waits until it runs, kills it, and
//!   checks free memory, kernel heap, VMIDs and handles (after one
//!   unmeasured warm-up cycle).
//! - `lifecycle loop N`: N VM start/stop cycles in turn by guest power-off
//!   (`qvm` with the `hello` guest), by killing `qvm` (at varying times:
//!   while it assembles the VM, as the guest starts, while its vCPUs are
//!   busy) and by a VMM crashing with running vCPUs (`ktest vmcrash`);
//!   the same numbers must come back after the loop (one warm-up cycle of
//!   each kind first).

use crate::census::{self, Census};
use abi::{Error, STATUS_FAULT};
use ulib::{println, process, sys};

/// The status `ktest` kills `qvm` with.
const KILL_STATUS: usize = 9;
/// How long to let the busy VM run before the kill in `lifecycle kill`.
const BUSY_MS: u64 = 3000;
/// How long to wait for `qvm` to start its vCPU threads.
const START_NS: u64 = 20_000_000_000;

const BUSY_QVM: [&str; 2] = ["qvm", "@/etc/vm/smp-busy.qvmconf"];
const HELLO_QVM: [&str; 2] = ["qvm", "@/etc/vm/hello.qvmconf"];

/// Threads of the live process named `qvm*` (0: none).
fn qvm_threads() -> u64 {
    process::list()
        .iter()
        .filter(|p| p.name.starts_with(b"qvm"))
        .map(|p| p.threads)
        .max()
        .unwrap_or(0)
}

/// Starts the busy VM; after `delay_ms` (or, with `wait_running`, once
/// `qvm` has its 4 vCPU threads and then `delay_ms`) kills it; the
/// status it ended with.
fn kill_cycle(delay_ms: u64, wait_running: bool) -> Result<usize, (&'static str, Error)> {
    let h = process::spawn("/bin/qvm", &BUSY_QVM).map_err(|e| ("spawn qvm", e))?;
    if wait_running {
        let deadline = sys::clock() + START_NS;
        while qvm_threads() < 5 && sys::clock() < deadline {
            sys::sleep_ns(5_000_000);
        }
    }
    sys::sleep_ns(delay_ms * 1_000_000);
    let killed = process::kill(h, KILL_STATUS);
    let status = process::wait(h);
    let _ = sys::handle_close(h);
    killed.map_err(|e| ("process_kill", e))?;
    status.map_err(|e| ("process_wait", e))
}

/// Runs a program to its end; its status.
fn run_program(path: &str, args: &[&str]) -> Result<usize, (&'static str, Error)> {
    let h = process::spawn(path, args).map_err(|e| ("spawn", e))?;
    let status = process::wait(h);
    let _ = sys::handle_close(h);
    status.map_err(|e| ("process_wait", e))
}

fn expect(what: &str, got: Result<usize, (&'static str, Error)>, want: usize) -> bool {
    match got {
        Ok(s) if s == want => true,
        Ok(s) => {
            println!("FAIL ktest lifecycle: {what}: status {s:#x}, expected {want:#x}");
            false
        }
        Err((call, e)) => {
            println!("FAIL ktest lifecycle: {what}: {call}: {}", e.name());
            false
        }
    }
}

/// `lifecycle kill`.
pub fn kill() -> usize {
    if !expect("warm-up", kill_cycle(BUSY_MS, true), KILL_STATUS) {
        return 1;
    }
    let before = Census::now();
    if !expect("kill", kill_cycle(BUSY_MS, true), KILL_STATUS) {
        return 1;
    }
    println!("ktest lifecycle: killed a 4-vCPU qvm while its vCPUs ran and did I/O");
    let after = census::settle(&before);
    usize::from(!census::same(
        "ktest lifecycle: after the kill",
        &before,
        &after,
    ))
}

/// One cycle of kind `i % 3`: the guest powers off, `qvm` is killed
/// (after 0 to 400 ms), or the VMM crashes.
fn cycle(i: usize) -> bool {
    let what = alloc::format!("cycle {i}");
    match i % 3 {
        0 => expect(&what, run_program("/bin/qvm", &HELLO_QVM), 0),
        1 => expect(&what, kill_cycle((i as u64 * 37) % 400, false), KILL_STATUS),
        _ => expect(
            &what,
            run_program("/bin/ktest", &["ktest", "vmcrash"]),
            STATUS_FAULT,
        ),
    }
}

/// `lifecycle loop N`.
pub fn cycles(count: usize) -> usize {
    if !(0..3).all(cycle) {
        return 1;
    }
    let before = Census::now();
    for i in 0..count {
        if !cycle(i) {
            return 1;
        }
    }
    let kinds = |k: usize| (0..count).filter(|i| i % 3 == k).count();
    println!(
        "ktest lifecycle: {count} VM start/stop cycles: {} powered off, {} qvm killed, {} VMM crashed",
        kinds(0),
        kinds(1),
        kinds(2)
    );
    let after = census::settle(&before);
    usize::from(!census::same(
        "ktest lifecycle: after the loop",
        &before,
        &after,
    ))
}
