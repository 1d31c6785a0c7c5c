//! What a test compares before and after it ran something: free memory,
//! kernel heap, free VMIDs of both pools, open handles and the live
//! objects, all from `sysinfo`. Every one must come back exactly, except
//! the kernel heap: the kernel's tables (slabs of processes, threads, VMs
//! and vCPUs, wait lists, run queues) keep the capacity they grew to, so
//! a run that reaches a new high-water mark leaves less heap free for
//! good, in steps (seen: 32 to 608 bytes, once 12 KiB when the vCPU slab
//! doubled) that stop once the tables are big enough. It may drop by at
//! most [`HEAP_SLACK`]; a leak per call or per process goes past that.

use ulib::{println, sys};

/// The numbers compared, in `sysinfo` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Census {
    free_memory: u64,
    heap_free: u64,
    free_process_vmids: u64,
    free_vm_vmids: u64,
    handles: u64,
    processes: u64,
    threads: u64,
    vms: u64,
    shm_objects: u64,
}

/// Most kernel heap a test may leave used: growth of the kernel's tables
/// to a new high-water mark.
pub const HEAP_SLACK: u64 = 64 << 10;

/// How long [`settle`] waits for the numbers to come back.
const SETTLE_NS: u64 = 3_000_000_000;

impl Census {
    /// The numbers now.
    pub fn now() -> Census {
        let i = sys::sysinfo();
        Census {
            free_memory: i.free_memory,
            heap_free: i.heap_free,
            free_process_vmids: i.free_process_vmids,
            free_vm_vmids: i.free_vm_vmids,
            handles: i.handles,
            processes: i.processes,
            threads: i.threads,
            vms: i.vms,
            shm_objects: i.shm_objects,
        }
    }

    /// Whether the numbers are `before`'s (the heap within [`HEAP_SLACK`]).
    pub fn matches(&self, before: &Census) -> bool {
        let mut a = *self;
        if before.heap_free.saturating_sub(a.heap_free) <= HEAP_SLACK {
            a.heap_free = before.heap_free;
        }
        a == *before
    }

    fn fields(&self) -> [(&'static str, u64); 9] {
        [
            ("free memory", self.free_memory),
            ("heap free", self.heap_free),
            ("free process VMIDs", self.free_process_vmids),
            ("free VM VMIDs", self.free_vm_vmids),
            ("handles", self.handles),
            ("processes", self.processes),
            ("threads", self.threads),
            ("VMs", self.vms),
            ("shm objects", self.shm_objects),
        ]
    }
}

/// The numbers once they equal `before` (processes a test started may
/// still be ending), or as they are after a few seconds.
pub fn settle(before: &Census) -> Census {
    let deadline = sys::clock() + SETTLE_NS;
    loop {
        let now = Census::now();
        if now.matches(before) || sys::clock() > deadline {
            return now;
        }
        sys::sleep_ns(10_000_000);
    }
}

/// The numbers once they hold still: two readings [`QUIET_GAP_NS`] apart
/// agree (what an earlier run started, a grandchild sleeping a few
/// milliseconds, a process whose memory goes back as its last thread
/// leaves another CPU, has ended), or as they are after a few seconds. A
/// baseline taken the moment a run's child was waited for can still
/// count such leftovers, and then the numbers after look like a gain.
pub fn quiet() -> Census {
    let deadline = sys::clock() + SETTLE_NS;
    let mut last = Census::now();
    loop {
        sys::sleep_ns(QUIET_GAP_NS);
        let now = Census::now();
        if now == last || sys::clock() > deadline {
            return now;
        }
        last = now;
    }
}

/// How far apart [`quiet`]'s readings are: longer than the fuzzer's
/// longest-lived grandchild (`ktest late 30`) sleeps.
const QUIET_GAP_NS: u64 = 100_000_000;

/// Prints `WHAT: free memory, heap, VMIDs and handles as before` or, for
/// each number that changed, a `FAIL` line; whether all came back.
pub fn same(what: &str, before: &Census, after: &Census) -> bool {
    let mut ok = true;
    for ((name, b), (_, a)) in before.fields().iter().zip(after.fields()) {
        let heap_growth = name.starts_with("heap") && a <= *b && b - a <= HEAP_SLACK;
        if *b != a && !heap_growth {
            println!("FAIL {what}: {name} {b} -> {a}");
            ok = false;
        }
    }
    if ok {
        println!(
            "{what}: free memory ({} bytes), VMIDs ({} + {} free) and handles ({}) as before, \
             kernel heap {} bytes free (tables grew by {} bytes)",
            after.free_memory,
            after.free_process_vmids,
            after.free_vm_vmids,
            after.handles,
            after.heap_free,
            before.heap_free - after.heap_free,
        );
    }
    ok
}
