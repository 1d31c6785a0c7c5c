//! `ktest`: tests of the host kernel, run as host processes from the test
//! image's startup script. Each mode prints `ktest MODE: ...` lines that
//! the QEMU integration tests check; any line with `FAIL` fails the run.
//!
//! Modes: `hello`, `late MS` (sleeps, then prints), `threads`, `isolate` (with helpers `victim`,
//! `scribble`), `expect-fault MODE` (with `read-kernel`, `write-kernel`,
//! `undef`), `kill` (with `spin`), `badcalls`, `spawnloop N` (with `exit0`),
//! `shm` (with `shm-parent [quiet]`, `shm-child`, `shm-outsider`), `memcheck PROGRAM ARGS...`,
//! `vm-memory PROGRAM ARGS...` (the memory a running VM takes),
//! `fuzz [SEED] [COUNT] [trace]` (with `fuzz-child`), `lifecycle kill`,
//! `lifecycle loop N` (with `vmcrash`), `devpass SELECTOR` (a granted
//! device into one VM and nowhere else), `dma` (DMA memory with a grant),
//! `ramwipe SELECTOR` (reserved RAM mapped here and in a VM, zeroed by the
//! kernel between holders), `introspect` (with `allow=info`: the
//! introspection calls tell the truth).
#![no_std]
#![no_main]

extern crate alloc;

mod badcalls;
mod census;
mod devcalls;
mod devpass;
mod dma;
mod dmacalls;
mod faults;
mod fuzz;
mod guestcode;
mod infocalls;
mod introspect;
mod lifecycle;
mod pulses;
mod ramwipe;
mod shm;
mod testvm;
mod threads;
#[cfg(target_arch = "x86_64")]
mod vmbench;
mod vmcrash;
#[cfg(target_arch = "x86_64")]
mod vmexits;
#[cfg(target_arch = "aarch64")]
mod vmexits32;
#[cfg(target_arch = "x86_64")]
mod vmirq;
mod vmmem;
mod vmshmcalls;
#[cfg(target_arch = "x86_64")]
mod vmsmp;

use ulib::{println, process, sys};

/// Runs `ktest ARGS...` and returns its exit status.
pub fn run(args: &[&str]) -> Result<usize, abi::Error> {
    let h = process::spawn("/bin/ktest", args)?;
    let status = process::wait(h);
    let _ = sys::handle_close(h);
    status
}

fn spawnloop(count: usize) -> usize {
    // One cycle first, so this process's own heap has grown to what the
    // loop needs before free memory is measured.
    if run(&["ktest", "exit0"]) != Ok(0) {
        println!("FAIL ktest spawnloop: the child did not exit with 0");
        return 1;
    }
    let before = sys::sysinfo().free_memory;
    for i in 0..count {
        match run(&["ktest", "exit0"]) {
            Ok(0) => {}
            other => {
                println!("FAIL ktest spawnloop: cycle {i}: {other:?}");
                return 1;
            }
        }
    }
    let after = sys::sysinfo().free_memory;
    let what = alloc::format!("ktest spawnloop: {count} spawn/exit cycles");
    if same_free_memory(&what, before, after) {
        0
    } else {
        1
    }
}

/// Prints `WHAT, free memory BEFORE -> AFTER bytes`; if they differ, also
/// a `FAIL` line with the bytes lost, and `false`.
pub fn same_free_memory(what: &str, before: u64, after: u64) -> bool {
    println!("{what}, free memory {before} -> {after} bytes");
    if before != after {
        println!("FAIL {what}: {} bytes leaked", before as i64 - after as i64);
    }
    before == after
}

/// `memcheck PROGRAM ARGS...`: runs a program and checks that all the
/// memory it took (a VM's RAM too) came back when it ended.
fn memcheck(program: &str, args: &[&str]) -> usize {
    let mut argv = alloc::vec![program];
    argv.extend_from_slice(args);
    let path = alloc::format!("/bin/{program}");
    let line = argv.join(" ");
    let before = sys::sysinfo().free_memory;
    let status = match process::spawn(&path, &argv) {
        Ok(h) => {
            let s = process::wait(h);
            let _ = sys::handle_close(h);
            s
        }
        Err(e) => Err(e),
    };
    let after = sys::sysinfo().free_memory;
    let what = alloc::format!("ktest memcheck: '{line}' ended with {status:?}");
    if same_free_memory(&what, before, after) {
        0
    } else {
        1
    }
}

/// Where host processes run, as `hello` says.
#[cfg(not(target_arch = "x86_64"))]
const USER_LEVEL: &str = "EL0";
#[cfg(target_arch = "x86_64")]
const USER_LEVEL: &str = "ring 3";

#[unsafe(no_mangle)]
fn main(args: &[&str]) -> usize {
    match args.get(1..).unwrap_or(&[]) {
        ["hello", rest @ ..] => {
            println!("ktest hello: a host process at {USER_LEVEL}, args {rest:?}");
            0
        }
        ["exit0"] => 0,
        ["late", ms] => {
            sys::sleep_ns(ms.parse::<u64>().unwrap_or(100) * 1_000_000);
            println!("ktest late: done after {ms} ms");
            0
        }
        ["threads"] => threads::run(),
        ["isolate"] => faults::isolate(),
        ["victim"] => faults::victim(),
        ["scribble"] => faults::scribble(),
        ["expect-fault", mode] => faults::expect_fault(mode),
        ["read-kernel"] => faults::read_kernel(),
        ["write-kernel"] => faults::write_kernel(),
        ["undef"] => faults::undefined_instruction(),
        ["kill"] => faults::kill(),
        ["introspect"] => introspect::run(),
        ["spin"] => loop {
            core::hint::spin_loop();
        },
        ["badcalls"] => badcalls::run(),
        ["spawnloop", n] => spawnloop(n.parse().unwrap_or(200)),
        ["shm"] => shm::run(),
        ["shm-parent"] => shm::parent(false),
        ["shm-parent", "quiet"] => shm::parent(true),
        ["shm-child"] => shm::child(),
        ["shm-outsider"] => shm::outsider(),
        ["memcheck", program, rest @ ..] => memcheck(program, rest),
        ["vm-memory", program, rest @ ..] => vmmem::run(program, rest),
        ["fuzz", rest @ ..] => fuzz::parent(rest),
        ["fuzz-child", rest @ ..] => fuzz::child(rest),
        ["lifecycle", "kill"] => lifecycle::kill(),
        ["lifecycle", "loop", n] => lifecycle::cycles(n.parse().unwrap_or(99)),
        ["vmcrash"] => vmcrash::run(),
        #[cfg(target_arch = "aarch64")]
        ["vmexits32"] => vmexits32::run(),
        #[cfg(target_arch = "x86_64")]
        ["vmbench"] => vmbench::run(),
        #[cfg(target_arch = "x86_64")]
        ["vmexits"] => vmexits::run(),
        #[cfg(target_arch = "x86_64")]
        ["vmirq"] => vmirq::run(),
        #[cfg(target_arch = "x86_64")]
        ["vmsmp"] => vmsmp::run(),
        ["devpass", selector] => devpass::run(selector),
        ["dma"] => dma::run(),
        ["ramwipe", selector] => ramwipe::run(selector),
        _ => {
            println!("FAIL ktest: unknown mode {args:?}");
            2
        }
    }
}
