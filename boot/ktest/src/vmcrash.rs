//! `vmcrash`: a VMM that crashes. It builds a 4-vCPU VM itself with the VM
//! calls (the `spin` guest program from [`crate::guestcode`]), runs each
//! vCPU on a thread of its own, waits until every vCPU has come back from
//! the guest at least once, and then reads an unmapped address (0x40): the kernel
//! ends the process (status 0x100) with its vCPUs running. `ktest
//! lifecycle` checks that the VM's memory, VMID and handles come back.

use crate::testvm::{self, RAM_GPA, RAM_VA};
use abi::{Error, Sys, SysResult, VcpuExit, VmConfig, response};
use core::sync::atomic::{AtomicUsize, Ordering};
use ulib::{println, sys, thread};

/// vCPUs of the VM.
const VCPUS: usize = 4;
/// A guest-physical address with nothing there: stores to it are MMIO
/// exits.
const MMIO_GPA: u64 = 0x0900_0000;
/// Where the crash reads: nothing is mapped there.
const BAD_ADDRESS: usize = 0x40;
/// How long to wait for every vCPU to have run.
const WAIT_NS: u64 = 10_000_000_000;

/// Exits each vCPU thread has taken.
static EXITS: [AtomicUsize; VCPUS] = [const { AtomicUsize::new(0) }; VCPUS];

/// The interrupt controller layout `qvm` gives a VM by default
/// (`qvm/src/layout/defaults.rs`; on x86 the PC's APIC addresses).
pub fn vm_config(gic_version: u64, vcpus: u64) -> VmConfig {
    let (gicd, gicr_or_gicc, spis) = match gic_version {
        2 => (0x2c00_1000, 0x2c00_2000, 32),
        abi::IRQ_CHIP_APIC => (0xfec0_0000, 0xfee0_0000, 24),
        _ => (0x2f00_0000, 0x2f10_0000, 32),
    };
    VmConfig {
        gic_version,
        gicd,
        gicr_or_gicc,
        vcpus,
        spis,
        pm_timer_port: 0,
        flags: 0,
    }
}

fn call(n: Sys, args: [usize; 6]) -> SysResult {
    sys::call(n, args)
}

/// Builds the VM and powers every vCPU on at the guest program; the vCPU
/// handles.
fn build() -> Result<[usize; VCPUS], (&'static str, Error)> {
    let vm = testvm::create(VCPUS as u64)?;
    testvm::put(RAM_VA, crate::guestcode::spin_guest());
    let regs = crate::guestcode::spin_regs(RAM_GPA as u64, MMIO_GPA);
    let mut vcpus = [0; VCPUS];
    for (i, vcpu) in vcpus.iter_mut().enumerate() {
        *vcpu = testvm::vcpu(vm, i, Some(&regs))?;
    }
    Ok(vcpus)
}

/// Runs vCPU `index` for ever, answering each exit.
fn run_vcpu(index: usize, vcpu: usize) {
    let mut exit = VcpuExit::default();
    loop {
        exit.response = response::COMPLETE;
        match call(Sys::VcpuRun, [vcpu, &raw mut exit as usize, 0, 0, 0, 0]) {
            Ok(_) => {
                EXITS[index].fetch_add(1, Ordering::SeqCst);
            }
            Err(e) => {
                println!("FAIL ktest vmcrash: vcpu_run of vCPU {index}: {}", e.name());
                return;
            }
        }
    }
}

/// `vmcrash`: returns only if something failed before the crash.
pub fn run() -> usize {
    let vcpus = match build() {
        Ok(v) => v,
        Err((what, e)) => {
            println!("FAIL ktest vmcrash: {what}: {}", e.name());
            return 1;
        }
    };
    for (index, vcpu) in vcpus.into_iter().enumerate() {
        if let Err(e) = thread::spawn(move || run_vcpu(index, vcpu)) {
            println!("FAIL ktest vmcrash: thread for vCPU {index}: {}", e.name());
            return 1;
        }
    }
    let deadline = sys::clock() + WAIT_NS;
    while EXITS.iter().any(|e| e.load(Ordering::SeqCst) == 0) {
        if sys::clock() > deadline {
            println!("FAIL ktest vmcrash: not every vCPU ran within 10 s");
            return 1;
        }
        sys::sleep_ns(1_000_000);
    }
    // SAFETY: not safe at all, on purpose: nothing is mapped at 0x40, so
    // this read faults and the kernel ends the process, vCPUs and all.
    let value = unsafe { core::ptr::read_volatile(BAD_ADDRESS as *const u64) };
    println!("FAIL ktest vmcrash: read {value:#x} from an unmapped address");
    1
}
