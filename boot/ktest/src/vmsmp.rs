//! `vmsmp` (x86): guest SMP the x86 way. A two-vCPU VM built with the VM
//! calls: vCPU 0 sends INIT and a start-up IPI for page 0x8000 to APIC ID
//! 1 through its local APIC (which the kernel emulates) and reports with a
//! VMMCALL; vCPU 1, never set up by this program, must then start in real
//! mode at 0x8000 (its runner thread waits in `vcpu_run` until then) and
//! report with a VMMCALL of its own.

use crate::testvm::{self, RAM_GPA, RAM_VA};
use abi::{ExitKind, Sys, SysResult, VcpuExit, response};
use core::sync::atomic::{AtomicU64, Ordering};
use ulib::{println, sys, thread};

/// The start-up page (vector 0x08) and where this process sees it.
const AP_GPA: usize = 0x8000;
const AP_VA: usize = abi::USER_BASE + 0x61_0000_0000;
/// What each vCPU reports in EAX.
const BSP_SENT: u64 = 1;
const AP_UP: u64 = 0xa9;
/// How long to wait for vCPU 1.
const WAIT_NS: u64 = 10_000_000_000;

/// vCPU 1's VMMCALL EAX, once it made one (0 before).
static AP_REPORT: AtomicU64 = AtomicU64::new(0);

fn call(n: Sys, args: [usize; 6]) -> SysResult {
    sys::call(n, args)
}

/// The VM and its two vCPUs, vCPU 0 set to run the bootstrap program.
fn build() -> Result<[usize; 2], testvm::Failure> {
    let vm = testvm::create(2)?;
    testvm::map(vm, AP_GPA, abi::PAGE_SIZE, AP_VA)?;
    testvm::put(RAM_VA, crate::guestcode::smp_guest());
    testvm::put(AP_VA, crate::guestcode::smp_ap());
    let regs = crate::guestcode::protected_mode(RAM_GPA as u64, [0; 16]);
    let bsp = testvm::vcpu(vm, 0, Some(&regs))?;
    let ap = testvm::vcpu(vm, 1, None)?;
    Ok([bsp, ap])
}

/// Runs `vcpu` to its next exit; the VMMCALL's EAX, if it was one.
fn next_call(vcpu: usize) -> Result<u64, alloc::string::String> {
    let mut exit = VcpuExit {
        response: response::COMPLETE,
        ..Default::default()
    };
    call(Sys::VcpuRun, [vcpu, &raw mut exit as usize, 0, 0, 0, 0])
        .map_err(|e| alloc::format!("vcpu_run: {}", e.name()))?;
    if ExitKind::from_raw(exit.kind) != Some(ExitKind::Hypercall) {
        return Err(alloc::format!("wanted a VMMCALL, got {exit:x?}"));
    }
    Ok(exit.args[0])
}

/// `vmsmp`: 0 when vCPU 1 started from vCPU 0's IPIs.
pub fn run() -> usize {
    let [bsp, ap] = match build() {
        Ok(v) => v,
        Err((what, e)) => {
            println!("FAIL ktest vmsmp: {what}: {}", e.name());
            return 1;
        }
    };
    // vCPU 1's runner: its `vcpu_run` waits until the start-up IPI.
    if let Err(e) = thread::spawn(move || match next_call(ap) {
        Ok(eax) => AP_REPORT.store(eax, Ordering::SeqCst),
        Err(why) => println!("FAIL ktest vmsmp: vCPU 1: {why}"),
    }) {
        println!("FAIL ktest vmsmp: thread for vCPU 1: {}", e.name());
        return 1;
    }
    match next_call(bsp) {
        Ok(BSP_SENT) => {}
        Ok(other) => {
            println!("FAIL ktest vmsmp: vCPU 0 reported {other:#x}");
            return 1;
        }
        Err(why) => {
            println!("FAIL ktest vmsmp: vCPU 0: {why}");
            return 1;
        }
    }
    let deadline = sys::clock() + WAIT_NS;
    while AP_REPORT.load(Ordering::SeqCst) == 0 && sys::clock() < deadline {
        sys::sleep_ns(1_000_000);
    }
    match AP_REPORT.load(Ordering::SeqCst) {
        AP_UP => {
            println!(
                "ktest vmsmp: vCPU 0's INIT and start-up IPI started vCPU 1 in real mode at 0x8000: ok"
            );
            0
        }
        0 => {
            println!("FAIL ktest vmsmp: vCPU 1 did not start within 10 s");
            1
        }
        other => {
            println!("FAIL ktest vmsmp: vCPU 1 reported {other:#x}");
            1
        }
    }
}
