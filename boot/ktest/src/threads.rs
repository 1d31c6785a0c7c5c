//! Threads on every CPU: pinned threads run where they are pinned, more
//! spinning threads than CPUs all make progress (preemption), and a futex
//! mutex keeps a shared counter exact under contention.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use ulib::sync::Mutex;
use ulib::{println, sys, thread};

fn pinned(cpus: usize) -> bool {
    let mut handles = Vec::new();
    let wrong = Arc::new(AtomicU64::new(0));
    for cpu in 0..cpus {
        let wrong = wrong.clone();
        let h = thread::spawn_with(abi::PRIORITY_DEFAULT, 1 << cpu, move || {
            for i in 0..200 {
                if sys::cpu_id() != cpu {
                    wrong.fetch_add(1, Ordering::Relaxed);
                }
                if i % 50 == 0 {
                    sys::yield_now();
                }
            }
        });
        match h {
            Ok(h) => handles.push(h),
            Err(e) => {
                println!(
                    "FAIL ktest threads: cannot start a thread on CPU {cpu}: {}",
                    e.name()
                );
                return false;
            }
        }
    }
    for h in handles {
        let _ = h.join();
    }
    let wrong = wrong.load(Ordering::Relaxed);
    if wrong != 0 {
        println!("FAIL ktest threads: pinned threads ran {wrong} times on the wrong CPU");
        return false;
    }
    println!("ktest threads: pinned threads ran on each of {cpus} CPUs");
    true
}

fn preemption(cpus: usize) -> bool {
    let spinners = 2 * cpus;
    let stop = Arc::new(AtomicBool::new(false));
    let counts: Arc<Vec<AtomicU64>> = Arc::new((0..spinners).map(|_| AtomicU64::new(0)).collect());
    let seen_cpus = Arc::new(AtomicU64::new(0));
    let mut handles = Vec::new();
    for n in 0..spinners {
        let (stop, counts, seen) = (stop.clone(), counts.clone(), seen_cpus.clone());
        // No system calls in the loop: only the timer can take the CPU away.
        let h = thread::spawn(move || {
            seen.fetch_or(1 << sys::cpu_id(), Ordering::Relaxed);
            while !stop.load(Ordering::Relaxed) {
                counts[n].fetch_add(1, Ordering::Relaxed);
            }
            seen.fetch_or(1 << sys::cpu_id(), Ordering::Relaxed);
        });
        match h {
            Ok(h) => handles.push(h),
            Err(e) => {
                println!("FAIL ktest threads: cannot start spinner {n}: {}", e.name());
                return false;
            }
        }
    }
    // Wait until every spinner has counted, with a generous bound.
    let start = sys::clock();
    while counts.iter().any(|c| c.load(Ordering::Relaxed) == 0)
        && sys::clock() - start < 60_000_000_000
    {
        sys::sleep_ns(20_000_000);
    }
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        let _ = h.join();
    }
    let stalled = counts
        .iter()
        .filter(|c| c.load(Ordering::Relaxed) == 0)
        .count();
    if stalled != 0 {
        println!("FAIL ktest threads: {stalled} of {spinners} spinning threads never ran");
        return false;
    }
    let used = seen_cpus.load(Ordering::Relaxed).count_ones() as usize;
    if used != cpus {
        println!("FAIL ktest threads: spinning threads used {used} of {cpus} CPUs");
        return false;
    }
    println!("ktest threads: {spinners} spinning threads all ran, on {used} CPUs");
    true
}

fn futex_mutex() -> bool {
    const THREADS: usize = 4;
    const ROUNDS: u64 = 500;
    let counter = Arc::new(Mutex::new(0u64));
    let mut handles = Vec::new();
    for _ in 0..THREADS {
        let counter = counter.clone();
        match thread::spawn(move || {
            for _ in 0..ROUNDS {
                let mut c = counter.lock();
                let v = *c;
                sys::yield_now();
                *c = v + 1;
            }
        }) {
            Ok(h) => handles.push(h),
            Err(e) => {
                println!(
                    "FAIL ktest threads: cannot start a mutex thread: {}",
                    e.name()
                );
                return false;
            }
        }
    }
    for h in handles {
        let _ = h.join();
    }
    let total = *counter.lock();
    if total != THREADS as u64 * ROUNDS {
        println!(
            "FAIL ktest threads: mutex counter is {total}, expected {}",
            THREADS as u64 * ROUNDS
        );
        return false;
    }
    println!("ktest threads: futex mutex kept {THREADS} threads x {ROUNDS} increments exact");
    true
}

/// The `threads` mode.
pub fn run() -> usize {
    let cpus = sys::sysinfo().cpus as usize;
    let ok = pinned(cpus) && preemption(cpus) && futex_mutex();
    if ok {
        println!("ktest threads: ok");
        0
    } else {
        1
    }
}
