//! The meeting point of a core dump: the dumping thread asks, each
//! stopped vCPU thread hands over its registers and waits until the dump
//! is written (so the RAM copied matches them).

use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};
use qvm::dump::CpuState;
use ulib::sync::Mutex;
use ulib::sys;

/// The registers the vCPU threads hand over during a dump.
pub struct Gather {
    /// 1 while a dump is taken: a stopped vCPU gives its registers and
    /// waits for 0.
    active: AtomicU32,
    /// How many vCPUs have answered (woken on each).
    arrived: AtomicU32,
    /// By vCPU index: `NT_PRSTATUS` registers.
    regs: Mutex<Vec<Option<Vec<u64>>>>,
}

impl Gather {
    /// For a VM with `vcpus`.
    pub fn new(vcpus: usize) -> Gather {
        Gather {
            active: AtomicU32::new(0),
            arrived: AtomicU32::new(0),
            regs: Mutex::new(vec![None; vcpus]),
        }
    }

    /// Whether a dump is being taken.
    pub fn active(&self) -> bool {
        self.active.load(Ordering::SeqCst) != 0
    }

    /// A dump starts: nothing gathered yet.
    pub fn begin(&self) {
        for slot in self.regs.lock().iter_mut() {
            *slot = None;
        }
        self.arrived.store(0, Ordering::SeqCst);
        self.active.store(1, Ordering::SeqCst);
    }

    /// In vCPU `index`'s thread: its registers (`None`: unreadable), then
    /// waits until the dump is over.
    pub fn hand_over(&self, index: usize, regs: Option<Vec<u64>>) {
        if let (Some(regs), Some(slot)) = (regs, self.regs.lock().get_mut(index)) {
            *slot = Some(regs);
        }
        self.arrived.fetch_add(1, Ordering::SeqCst);
        let _ = sys::futex_wake(&self.arrived, 1);
        while self.active() {
            let _ = sys::futex_wait(&self.active, 1, 0);
        }
    }

    /// Waits until `vcpus` have answered or `timeout_ns` has passed.
    pub fn wait(&self, vcpus: usize, timeout_ns: u64) {
        let deadline = sys::clock().saturating_add(timeout_ns);
        loop {
            let arrived = self.arrived.load(Ordering::SeqCst);
            let now = sys::clock();
            if arrived as usize >= vcpus || now >= deadline {
                return;
            }
            let _ = sys::futex_wait(&self.arrived, arrived, deadline - now);
        }
    }

    /// The registers gathered, as notes: `pr_pid` the vCPU number + 1.
    pub fn gathered(&self) -> Vec<CpuState> {
        let regs = self.regs.lock();
        regs.iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.clone().map(|regs| CpuState {
                    pid: i as u32 + 1,
                    regs,
                })
            })
            .collect()
    }

    /// The dump is over: the vCPU threads go on.
    pub fn end(&self) {
        self.active.store(0, Ordering::SeqCst);
        let _ = sys::futex_wake(&self.active, usize::MAX);
    }
}
