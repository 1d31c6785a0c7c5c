//! `vmbench` (x86): the SVM backend's exit paths timed from inside a VM
//! this program builds with the VM calls and serves as its VMM, as `cargo
//! xtask bench --arch x86_64` runs it under QEMU with `-icount` (a TSC
//! tick is one instruction). The guest ([`crate::guestcode::bench_guest`])
//! times 64 of each with RDTSC: nothing (the floor), CPUID (answered in
//! the backend), a read of its local APIC's version register (the kernel's
//! emulated APIC, the MMIO instruction decoded), OUT and VMMCALL (each an
//! exit to this program and back: the `vcpu_run` round trip). It prints
//! one line per row: `ktest vmbench: NAME min N median M`.

use crate::testvm::{self, RAM_GPA, RAM_VA};
use abi::{ExitKind, Sys, VcpuExit, response};
use ulib::{println, sys};

/// The rows, in the guest's order.
const ROWS: [&str; 5] = ["empty", "cpuid", "apic-read", "pio", "vmmcall"];
/// Samples of each.
const SAMPLES: usize = 64;
/// Where the guest stores its samples, from its RAM's start.
const RESULTS: usize = 0x4000;
/// The port the guest's last OUT names.
const DONE_PORT: u64 = 0xf4;

/// `vmbench`: 0 when every row was measured.
pub fn run() -> usize {
    let built = testvm::create(1).and_then(|vm| {
        testvm::put(RAM_VA, crate::guestcode::bench_guest());
        let mut gpr = [0; 16];
        gpr[6] = (RAM_GPA + RESULTS) as u64;
        let regs = crate::guestcode::protected_mode(RAM_GPA as u64, gpr);
        testvm::vcpu(vm, 0, Some(&regs))
    });
    let vcpu = match built {
        Ok(v) => v,
        Err((what, e)) => {
            println!("FAIL ktest vmbench: {what}: {}", e.name());
            return 1;
        }
    };
    let mut exit = VcpuExit::default();
    loop {
        exit.response = response::COMPLETE;
        if let Err(e) = sys::call(Sys::VcpuRun, [vcpu, &raw mut exit as usize, 0, 0, 0, 0]) {
            println!("FAIL ktest vmbench: vcpu_run: {}", e.name());
            return 1;
        }
        match ExitKind::from_raw(exit.kind) {
            Some(ExitKind::PortIo) if exit.address == DONE_PORT => break,
            Some(ExitKind::PortIo | ExitKind::Hypercall) => {}
            _ => {
                println!("FAIL ktest vmbench: unexpected exit {exit:x?}");
                return 1;
            }
        }
    }
    for (i, name) in ROWS.iter().enumerate() {
        let mut samples = [0u32; SAMPLES];
        for (j, s) in samples.iter_mut().enumerate() {
            let at = RAM_VA + RESULTS + (i * SAMPLES + j) * 4;
            // SAFETY: guest RAM mapped read-write here (`testvm::create`);
            // the guest has stopped writing (it reported done).
            *s = unsafe { core::ptr::read_volatile(at as *const u32) };
        }
        samples.sort_unstable();
        println!(
            "ktest vmbench: {name} min {} median {}",
            samples[0],
            samples[SAMPLES / 2]
        );
    }
    0
}
