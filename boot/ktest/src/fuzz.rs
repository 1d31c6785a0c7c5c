//! `fuzz [SEED] [COUNT] [trace | only=N,N...]`: random system calls, to find what
//! brings the kernel down or makes it leak.
//!
//! The parent prints the seed (`-` or none: taken from the clock), runs
//! the fuzzing child `fuzz-child` in a warm-up round and then [`ROUNDS`]
//! rounds (each with fresh VM quota: VMs live as long as the process that
//! made them), waits for each, and then checks that free memory, kernel heap, VMIDs, handles
//! and the live objects are exactly as before (see [`crate::census`]).
//!
//! A child maps its scratch memory, starts [`state::MAX_THREADS`] - 1
//! more threads, and every thread makes COUNT / ROUNDS / threads calls:
//! every call number (unknown ones too), with random and boundary
//! arguments ([`pick`]), on handles it made, closed, of the wrong kind or
//! out of range ([`ctx`]), host calls in [`host`], VM and shared memory
//! calls in [`vm`]. `trace` prints each call first (slow: for finding the
//! call behind a kernel panic); `only=` makes only the calls listed
//! ([`abi::SYS_COUNT`] and up: unknown numbers), to narrow down a leak. The
//! child holds no device grant: the device calls (33–39, `dma_alloc`) are
//! refused; nor any power: of the introspection calls only its own map
//! (42) and opening its own children (45) work. The baseline is taken once
//! the warm-up's leftovers have ended ([`census::quiet`]).

mod ctx;
mod host;
mod pick;
mod state;
mod vm;

use crate::census::{self, Census};
use abi::{PAGE_SIZE, prot};
use alloc::boxed::Box;
use alloc::format;
use core::sync::atomic::Ordering;
use state::{PROGRESS, RO_PAGE, SCRATCH, SCRATCH_LEN, SPACES};
use ulib::{println, process, sys, thread};

/// Children run one after the other.
const ROUNDS: usize = 4;
/// The exit status of a child that finished: `calls << 8 | DONE`.
const DONE: usize = 0x5a;
/// How long a thread may stay in one call, once the child's first thread
/// is done, before the round ends without it.
const STRAGGLER_NS: u64 = 5_000_000_000;

fn parse_seed(s: Option<&&str>) -> u64 {
    let parsed = s.and_then(|s| match s.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    });
    parsed.unwrap_or_else(|| {
        let t = sys::clock();
        t ^ (t << 29) ^ 0x6b74_6573_7466_7a7a
    })
}

/// `fuzz [SEED] [COUNT] [trace]`.
pub fn parent(args: &[&str]) -> usize {
    let seed = parse_seed(args.first());
    let count: usize = args.get(1).and_then(|c| c.parse().ok()).unwrap_or(100_000);
    let extra = args.get(2).copied().unwrap_or("");
    println!(
        "ktest fuzz: seed {seed:#x}, {count} calls, {ROUNDS} rounds of {} threads",
        state::MAX_THREADS
    );
    let mut calls = 0;
    let mut before = Census::now();
    // Round 0 warms up (kernel tables grow to what the fuzzer needs, and
    // stay); rounds 1 to ROUNDS are measured.
    for round in 0..=ROUNDS {
        if round == 1 {
            before = census::quiet();
        }
        let round_seed = format!("{:#x}", seed.wrapping_add(round as u64 * 0x1_0000_0001));
        let n = format!("{}", count / ROUNDS);
        let mut argv = alloc::vec!["ktest", "fuzz-child", &round_seed, &n];
        if !extra.is_empty() {
            argv.push(extra);
        }
        match crate::run(&argv) {
            Ok(s) if s & 0xff == DONE => calls += s >> 8,
            other => {
                println!(
                    "FAIL ktest fuzz: round {round} (seed {round_seed}) ended with {other:x?}"
                );
                return 1;
            }
        }
    }
    let after = census::settle(&before);
    if !census::same(&format!("ktest fuzz: after {calls} calls"), &before, &after) {
        return 1;
    }
    println!("ktest fuzz: {calls} calls, seed {seed:#x}, host still up");
    0
}

/// Maps scratch, the read-only page and the page of spaces.
fn map_layout() -> Result<(), abi::Error> {
    sys::mem_map(SCRATCH, SCRATCH_LEN, prot::READ | prot::WRITE)?;
    sys::mem_map(RO_PAGE, PAGE_SIZE, prot::READ)?;
    sys::mem_map(SPACES, PAGE_SIZE, prot::READ | prot::WRITE)?;
    // SAFETY: SPACES was just mapped read-write for this process; nothing
    // else uses it, and the fuzzer never unmaps outside its window.
    unsafe { core::ptr::write_bytes(SPACES as *mut u8, b' ', PAGE_SIZE) };
    Ok(())
}

/// Call numbers, VM and shared memory calls twice as often: all of them and
/// a few past the end (the unknown-number arm draws others).
const CALLS: [usize; 58] = [
    0, 1, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
    28, 29, 30, 31, 32, 22, 23, 24, 25, 26, 26, 27, 28, 30, 31, 13, 14, 15, 33, 34, 35, 36, 37, 38,
    DMA, 41, 42, 43, 44, 45, 64, 99,
];

/// `dma_alloc` (numbered after the device calls).
const DMA: usize = abi::Sys::DmaAlloc as usize;

/// One fuzzing thread: `count` calls.
fn fuzz_thread(t: usize, seed: u64, count: usize, gic: u64) {
    let mut c = ctx::Ctx {
        r: pick::Rng::new(seed ^ (t as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        t,
        exit: Box::default(),
        gic,
    };
    let only = state::ONLY.load(Ordering::Relaxed);
    for _ in 0..count {
        let mut nr = c.r.pick(&CALLS);
        while only != 0 && only & (1 << nr.min(abi::SYS_COUNT)) == 0 {
            nr = c.r.pick(&CALLS);
        }
        if nr == 99 {
            nr = {
                let v = [
                    abi::SYS_COUNT,
                    abi::SYS_COUNT + 1,
                    255,
                    256,
                    1 << 16,
                    1 << 32,
                    usize::MAX - 1,
                    usize::MAX,
                    c.r.next() as usize,
                ];
                c.r.pick(&v)
            };
        }
        match nr {
            22..=28 | 30..=32 => vm::one(&mut c, nr),
            _ => host::one(&mut c, nr),
        }
    }
    PROGRESS[t].done.store(true, Ordering::SeqCst);
}

/// `fuzz-child SEED COUNT [trace]`: one round; exits with
/// `calls << 8 | DONE`.
pub fn child(args: &[&str]) -> usize {
    let seed = parse_seed(args.first());
    let count: usize = args.get(1).and_then(|c| c.parse().ok()).unwrap_or(1000);
    match args.get(2) {
        Some(&"trace") => state::TRACE.store(true, Ordering::Relaxed),
        Some(list) if list.starts_with("only=") => {
            let mask = list[5..]
                .split(',')
                .filter_map(|n| n.parse::<u32>().ok())
                .fold(0u64, |m, n| m | 1 << n.min(abi::SYS_COUNT as u32));
            state::ONLY.store(mask, Ordering::Relaxed);
        }
        _ => {}
    }
    if let Err(e) = map_layout() {
        println!("FAIL ktest fuzz: mapping scratch: {}", e.name());
        return 1;
    }
    let gic = sys::sysinfo().vm_gic_version;
    let per = count / state::MAX_THREADS;
    // The main thread only watches: a fuzzing thread may stay in
    // `vcpu_run` for ever (a vCPU that is off, or a guest that never
    // exits: RAM at guest-physical 0 that holds no exit program leaves
    // an exception at VBAR_EL1 = 0 looping inside the guest), and the
    // round must still end.
    for t in 0..state::MAX_THREADS {
        match thread::spawn(move || fuzz_thread(t, seed, per, gic)) {
            // Its handle is closed at once: no fuzzing call can wait for it.
            Ok(j) => drop(sys::handle_close(j.handle())),
            Err(e) => {
                println!("FAIL ktest fuzz: thread {t}: {}", e.name());
                return 1;
            }
        }
    }
    // Wait for them; a thread whose count has not moved for STRAGGLER_NS
    // is taken as blocked.
    let mut seen = [(usize::MAX, 0); state::MAX_THREADS];
    loop {
        let now = sys::clock();
        let mut running = 0;
        let mut moving = 0;
        for (p, (calls, since)) in PROGRESS.iter().zip(seen.iter_mut()) {
            if p.done.load(Ordering::SeqCst) {
                continue;
            }
            running += 1;
            let c = p.calls.load(Ordering::SeqCst);
            if c != *calls {
                (*calls, *since) = (c, now);
            }
            if now - *since < STRAGGLER_NS {
                moving += 1;
            }
        }
        if running == 0 {
            return finish();
        }
        if moving == 0 {
            return stragglers();
        }
        sys::sleep_ns(10_000_000);
    }
}

/// Some threads are still in a call: only `vcpu_run` may rightly block
/// for ever (a handle it took was closed and came back as a vCPU that is
/// off, or its guest loops without an exit), and, while one does,
/// `thread_wait` for a thread below the fuzzers' priority (the looping
/// guest's CPU, if the thread is pinned to it, never runs it: strict
/// priorities).
fn stragglers() -> usize {
    let in_vcpu_run = |p: &state::Progress| {
        !p.done.load(Ordering::SeqCst)
            && p.current.load(Ordering::SeqCst) == abi::Sys::VcpuRun as usize
    };
    let guest_holds_a_cpu = PROGRESS.iter().any(in_vcpu_run);
    let mut ok = true;
    for (t, p) in PROGRESS.iter().enumerate() {
        if p.done.load(Ordering::SeqCst) {
            continue;
        }
        let nr = p.current.load(Ordering::SeqCst);
        let arg0 = p.arg0.load(Ordering::SeqCst);
        let starvable = matches!(
            state::handles().get(arg0).map(|e| e.kind),
            Some(state::Kind::Thread { starvable: true })
        );
        if nr == abi::Sys::VcpuRun as usize {
            println!(
                "ktest fuzz: thread {t} still in vcpu_run({arg0}) at the end (a vCPU that is off or a guest that never exits)"
            );
        } else if nr == abi::Sys::ThreadWait as usize && starvable && guest_holds_a_cpu {
            println!(
                "ktest fuzz: thread {t} still in thread_wait({arg0}) at the end (a low-priority thread on a CPU a guest holds)"
            );
        } else {
            println!("FAIL ktest fuzz: thread {t} still in call {nr} (x0 {arg0:#x}) after 5 s");
            ok = false;
        }
    }
    if ok { finish() } else { 1 }
}

/// Kills the children still running, waits for them; the exit status.
fn finish() -> usize {
    let children: alloc::vec::Vec<usize> = {
        let handles = state::handles();
        (0..1024)
            .filter(|&h| {
                handles
                    .get(h)
                    .is_some_and(|e| e.kind == state::Kind::Process)
            })
            .collect()
    };
    for h in children {
        let _ = process::kill(h, 1);
        let _ = process::wait(h);
    }
    let calls = state::total_calls();
    println!("ktest fuzz: round done, {calls} calls");
    calls << 8 | DONE
}
