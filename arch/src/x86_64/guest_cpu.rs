//! Which vCPU each CPU has loaded and whether it runs (rather than being
//! parked for its runner in `qvm`), the VM's nested table its next guest
//! entry uses, and whether that CPU's guest TLB must be flushed first.
//! Below the trap path (`vectors.rs`, `shootdown.rs`) and the guest loop
//! (`guest_entry.rs`), which read and set it.

use super::cpu;
use super::gdt::MAX_CPUS;
use super::virt::VcpuState;
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};

static LOADED: [AtomicPtr<VcpuState>; MAX_CPUS] =
    [const { AtomicPtr::new(core::ptr::null_mut()) }; MAX_CPUS];
static RUNNING: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];
static NESTED_ROOT: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];
static TLB_STALE: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(true) }; MAX_CPUS];

/// The vCPU loaded on this CPU, and whether it runs.
pub fn set_loaded(vcpu: *mut VcpuState, running: bool) {
    let cpu = cpu::index();
    LOADED[cpu].store(vcpu, Ordering::Relaxed);
    RUNNING[cpu].store(running && !vcpu.is_null(), Ordering::Relaxed);
}

/// Parks (or unparks) the loaded vCPU: host code runs on the CPU with it
/// loaded.
pub fn set_running(running: bool) {
    let cpu = cpu::index();
    let loaded = !LOADED[cpu].load(Ordering::Relaxed).is_null();
    RUNNING[cpu].store(running && loaded, Ordering::Relaxed);
}

/// The vCPU CPU `cpu` runs, if it runs one.
pub fn running_vcpu(cpu: usize) -> Option<*mut VcpuState> {
    let vcpu = LOADED[cpu].load(Ordering::Relaxed);
    (RUNNING[cpu].load(Ordering::Relaxed) && !vcpu.is_null()).then_some(vcpu)
}

/// Makes `root` (a `guest_entry::GUEST_ROOT` value) the nested table of
/// this CPU's next guest entry.
pub fn set_nested_root(root: u64) {
    NESTED_ROOT[cpu::index()].store(root, Ordering::Relaxed);
}

/// The nested table of CPU `cpu`'s guest.
pub fn nested_root_of(cpu: usize) -> u64 {
    NESTED_ROOT[cpu].load(Ordering::Relaxed)
}

/// The nested table of this CPU's guest.
pub fn nested_root() -> u64 {
    nested_root_of(cpu::index())
}

/// A nested table changed: CPU `cpu` flushes the guest TLB before its
/// next guest entry (a shootdown runs this on every CPU).
pub fn mark_tlb_stale(cpu: usize) {
    if let Some(flag) = TLB_STALE.get(cpu) {
        flag.store(true, Ordering::Relaxed);
    }
}

/// Whether CPU `cpu` must flush its guest TLB now (and no longer after).
pub fn take_tlb_stale(cpu: usize) -> bool {
    TLB_STALE[cpu].swap(false, Ordering::Relaxed)
}

/// Whether this CPU leaves the kernel for a guest rather than for ring 3.
pub fn guest_next() -> bool {
    RUNNING[cpu::index()].load(Ordering::Relaxed)
}
