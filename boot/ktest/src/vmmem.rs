//! `vm-memory PROGRAM ARGS...` (`cargo xtask bench`'s `vm-memory` row):
//! the host memory a VM takes while it runs. Started with `qvm @CONF`
//! whose guest sets itself up, prints a line and waits.
//!
//! The kernel's own figures (`sysinfo`) are read three times:
//!
//! 1. before: once no VM runs (earlier lines of the startup script may
//!    still end theirs) and free memory and free kernel heap have stayed
//!    the same for [`STABLE_POLLS`] polls [`POLL_NS`] apart;
//! 2. running: after the program is started, once exactly one VM and one
//!    more process live and both figures have again stayed the same for
//!    [`STABLE_POLLS`] polls (the guest printed its line and waits: nothing
//!    more is allocated);
//! 3. after: once the program has been killed and waited for.
//!
//! It prints `ktest vm-memory: 'LINE' running: free memory B -> R bytes,
//! kernel heap free HB -> HR bytes` while the VM still runs, and what of
//! it the new processes (`qvm`) hold by `process_list` (their own pages and
//! page tables, the VM's RAM they map not included), then the
//! `memcheck`-style line with the memory back after the kill. Free memory
//! counts the kernel's page frames (guest RAM, stage-2 and process page
//! tables, `qvm`'s code, heap and stacks); the kernel heap holds its
//! objects (VM, vCPUs, virtual GIC, threads, handles). `cargo xtask bench`
//! takes the guest RAM of the configuration off their sum.

use abi::{ProcessInfo, SysInfo};
use ulib::{println, process, sys};

/// Time between two polls of `sysinfo`.
const POLL_NS: u64 = 10_000_000;
/// Polls without a change before a figure is taken (0.5 s).
const STABLE_POLLS: u32 = 50;
/// Most polls for one figure (10 s).
const MAX_POLLS: u32 = 1000;
/// The exit status the program is killed with.
const KILLED: usize = abi::STATUS_KILLED;

/// `sysinfo`, once `ready` holds and free memory and free kernel heap have
/// not changed for [`STABLE_POLLS`] polls; `None` after [`MAX_POLLS`].
fn settled(ready: impl Fn(&SysInfo) -> bool) -> Option<SysInfo> {
    let mut last = sys::sysinfo();
    let mut same = 0;
    for _ in 0..MAX_POLLS {
        sys::sleep_ns(POLL_NS);
        let now = sys::sysinfo();
        if ready(&now) && now.free_memory == last.free_memory && now.heap_free == last.heap_free {
            same += 1;
            if same >= STABLE_POLLS {
                return Some(now);
            }
        } else {
            same = 0;
        }
        last = now;
    }
    None
}

/// The processes of `now` not in `old`: how many, and the bytes they
/// hold (their own pages and all their page tables, as `process_list`
/// counts them: borrowed pages such as a VM's RAM not included).
fn new_processes(old: &[ProcessInfo], now: &[ProcessInfo]) -> (usize, u64) {
    now.iter()
        .filter(|p| !old.iter().any(|o| o.pid == p.pid))
        .fold((0, 0), |(n, bytes), p| (n + 1, bytes + p.memory))
}

/// Runs `PROGRAM ARGS...` (a `qvm`) and reports the memory it takes while
/// it runs; 0 if it got its figures and all the memory came back.
pub fn run(program: &str, args: &[&str]) -> usize {
    let mut argv = alloc::vec![program];
    argv.extend_from_slice(args);
    let path = alloc::format!("/bin/{program}");
    let line = argv.join(" ");
    println!("ktest vm-memory: '{line}': waiting until no VM runs, then starting it");
    let Some(before) = settled(|s| s.vms == 0) else {
        println!("FAIL ktest vm-memory: a VM still runs, or memory keeps changing, after 10 s");
        return 1;
    };
    // Within this process's heap as it is: no memory taken from the kernel.
    let old = process::list();
    let handle = match process::spawn(&path, &argv) {
        Ok(h) => h,
        Err(e) => {
            println!("FAIL ktest vm-memory: cannot start '{line}': {}", e.name());
            return 1;
        }
    };
    let running = settled(|s| s.vms == 1 && s.processes == before.processes + 1);
    match running {
        Some(r) => {
            println!(
                "ktest vm-memory: '{line}' running: free memory {} -> {} bytes, \
                 kernel heap free {} -> {} bytes",
                before.free_memory, r.free_memory, before.heap_free, r.heap_free
            );
            let (n, bytes) = new_processes(&old, &process::list());
            println!(
                "ktest vm-memory: '{line}' running: {n} new process(es) hold {bytes} bytes \
                 (own pages and page tables)"
            );
        }
        None => {
            println!("FAIL ktest vm-memory: '{line}' did not settle to one running VM within 10 s")
        }
    }
    let _ = process::kill(handle, KILLED);
    let status = process::wait(handle);
    let _ = sys::handle_close(handle);
    let after = sys::sysinfo().free_memory;
    let what = alloc::format!("ktest vm-memory: '{line}' ended with {status:?}");
    let back = crate::same_free_memory(&what, before.free_memory, after);
    usize::from(running.is_none() || !back)
}
