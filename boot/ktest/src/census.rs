//! What a test compares before and after it ran something: free memory,
//! kernel heap, free VMIDs of both pools, open handles and the live
//! objects, all from `sysinfo`. Every one must come back exactly.

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
        if now == *before || sys::clock() > deadline {
            return now;
        }
        sys::sleep_ns(10_000_000);
    }
}

/// Prints `WHAT: free memory, heap, VMIDs and handles as before` or, for
/// each number that changed, a `FAIL` line; whether all came back.
pub fn same(what: &str, before: &Census, after: &Census) -> bool {
    let mut ok = true;
    for ((name, b), (_, a)) in before.fields().iter().zip(after.fields()) {
        if *b != a {
            println!("FAIL {what}: {name} {b} -> {a}");
            ok = false;
        }
    }
    if ok {
        println!(
            "{what}: free memory ({} bytes), kernel heap ({} bytes free), VMIDs ({} + {} free) and handles ({}) as before",
            after.free_memory,
            after.heap_free,
            after.free_process_vmids,
            after.free_vm_vmids,
            after.handles
        );
    }
    ok
}
