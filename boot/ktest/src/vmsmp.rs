//! `vmsmp` (x86): guest SMP the x86 way. A two-vCPU VM built with the VM
//! calls: vCPU 0 sends INIT and a start-up IPI for page 0x8000 to APIC ID
//! 1 through its local APIC (which the kernel emulates) and reports with a
//! VMMCALL; vCPU 1, never set up by this program, must then start in real
//! mode at 0x8000 (its runner thread waits in `vcpu_run` until then),
//! report with a VMMCALL of its own and halt. Then vCPU 0 sends the
//! running (halted) vCPU 1 INIT and a start-up IPI for page 0x9000: vCPU 1
//! must be reset and start again there (SDM Vol. 3A 10.6.1, 9.4.4) and
//! report a second time.

use crate::testvm::{self, RAM_GPA, RAM_VA};
use abi::{ExitKind, Sys, SysResult, VcpuExit, response};
use core::sync::atomic::{AtomicU64, Ordering};
use ulib::{println, sys, thread};

/// The start-up pages (vectors 0x08 and 0x09) and where this process
/// sees them.
const AP_GPA: usize = 0x8000;
const AP_VA: usize = abi::USER_BASE + 0x61_0000_0000;
const AP_AGAIN_OFFSET: usize = 0x1000;
/// What each vCPU reports in EAX.
const BSP_SENT: u64 = 1;
const BSP_SENT_AGAIN: u64 = 2;
const AP_UP: u64 = 0xa9;
const AP_UP_AGAIN: u64 = 0xaa;
/// How long to wait for vCPU 1, each time.
const WAIT_NS: u64 = 10_000_000_000;

/// vCPU 1's last VMMCALL EAX (0 before its first).
static AP_REPORT: AtomicU64 = AtomicU64::new(0);

fn call(n: Sys, args: [usize; 6]) -> SysResult {
    sys::call(n, args)
}

/// The VM and its two vCPUs, vCPU 0 set to run the bootstrap program.
fn build() -> Result<[usize; 2], testvm::Failure> {
    let vm = testvm::create(2)?;
    testvm::map(vm, AP_GPA, 2 * abi::PAGE_SIZE, AP_VA)?;
    testvm::put(RAM_VA, crate::guestcode::smp_guest());
    testvm::put(AP_VA, crate::guestcode::smp_ap());
    testvm::put(AP_VA + AP_AGAIN_OFFSET, crate::guestcode::smp_ap_again());
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

/// vCPU 0 runs to its next VMMCALL, which must report `wanted`.
fn bsp_reports(bsp: usize, wanted: u64) -> Result<(), alloc::string::String> {
    match next_call(bsp) {
        Ok(eax) if eax == wanted => Ok(()),
        Ok(other) => Err(alloc::format!("vCPU 0 reported {other:#x}")),
        Err(why) => Err(alloc::format!("vCPU 0: {why}")),
    }
}

/// Waits up to [`WAIT_NS`] for vCPU 1 to report `wanted`.
fn ap_reports(wanted: u64, what: &str) -> Result<(), alloc::string::String> {
    let deadline = sys::clock() + WAIT_NS;
    while AP_REPORT.load(Ordering::SeqCst) != wanted && sys::clock() < deadline {
        sys::sleep_ns(1_000_000);
    }
    match AP_REPORT.load(Ordering::SeqCst) {
        r if r == wanted => Ok(()),
        other => Err(alloc::format!(
            "vCPU 1 did not start {what} within 10 s (its last report: {other:#x})"
        )),
    }
}

/// `vmsmp`: 0 when vCPU 1 started from vCPU 0's IPIs, and started again
/// from a second INIT and start-up IPI while it ran.
pub fn run() -> usize {
    let [bsp, ap] = match build() {
        Ok(v) => v,
        Err((what, e)) => {
            println!("FAIL ktest vmsmp: {what}: {}", e.name());
            return 1;
        }
    };
    // vCPU 1's runner: its `vcpu_run` waits until the start-up IPI; it
    // runs the vCPU again after each report (it halts in between).
    if let Err(e) = thread::spawn(move || {
        for _ in 0..2 {
            match next_call(ap) {
                Ok(eax) => AP_REPORT.store(eax, Ordering::SeqCst),
                Err(why) => return println!("FAIL ktest vmsmp: vCPU 1: {why}"),
            }
        }
    }) {
        println!("FAIL ktest vmsmp: thread for vCPU 1: {}", e.name());
        return 1;
    }
    let first = bsp_reports(bsp, BSP_SENT).and_then(|()| ap_reports(AP_UP, "at 0x8000"));
    if let Err(why) = first {
        println!("FAIL ktest vmsmp: {why}");
        return 1;
    }
    println!(
        "ktest vmsmp: vCPU 0's INIT and start-up IPI started vCPU 1 in real mode at 0x8000: ok"
    );
    // Let vCPU 1 reach its HLT (an INIT finds it asleep there or running).
    sys::sleep_ns(20_000_000);
    let again =
        bsp_reports(bsp, BSP_SENT_AGAIN).and_then(|()| ap_reports(AP_UP_AGAIN, "again at 0x9000"));
    match again {
        Ok(()) => {
            println!(
                "ktest vmsmp: an INIT reset the running vCPU 1 and a start-up IPI started it again at 0x9000: ok"
            );
            0
        }
        Err(why) => {
            println!("FAIL ktest vmsmp: {why}");
            1
        }
    }
}
