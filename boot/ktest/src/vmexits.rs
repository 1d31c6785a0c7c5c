//! `vmexits` (x86): a VM built with the VM calls whose one vCPU takes one
//! exit of each kind the kernel gives its VMM, in order, each checked and
//! answered as a VMM would: an OUT and an IN at COM1, an MMIO store and
//! load, a VMMCALL after a CPUID the kernel answered itself (the
//! hypervisor leaf's signature), an RDMSR of an MSR the kernel does not
//! know, and a triple fault as a reset. The first wrong exit fails it.

use crate::testvm::{self, RAM_GPA, RAM_VA};
use abi::{ExitKind, Sys, SysResult, VcpuExit, response};
use ulib::{println, sys};

/// What the VMM answers: the IN, the MMIO load, the RDMSR.
const IN_VALUE: u64 = 0x5a;
const LOAD_VALUE: u64 = 0x1234_5678;
const MSR_VALUE: u64 = 0xaabb_ccdd_1122_3344;
/// CPUID 0x4000_0000 EBX: "qhvq".
const SIGNATURE_EBX: u64 = 0x7176_6871;

fn call(n: Sys, args: [usize; 6]) -> SysResult {
    sys::call(n, args)
}

/// The VM with the program in its RAM and its vCPU set to run it.
fn build() -> Result<usize, testvm::Failure> {
    let vm = testvm::create(1)?;
    testvm::put(RAM_VA, crate::guestcode::exits_guest());
    let mut gpr = [0; 16];
    gpr[6] = RAM_GPA as u64 + crate::guestcode::exits_guest_idt_offset();
    testvm::vcpu(
        vm,
        0,
        Some(&crate::guestcode::protected_mode(RAM_GPA as u64, gpr)),
    )
}

/// One expected exit: its kind, and a check of the record.
struct Step {
    what: &'static str,
    kind: ExitKind,
    ok: fn(&VcpuExit) -> bool,
    /// The answer's value (a read's).
    value: u64,
}

const STEPS: [Step; 8] = [
    Step {
        what: "OUT 0x41 to port 0x3f8",
        kind: ExitKind::PortIo,
        ok: |e| (e.address, e.size, e.write, e.value) == (0x3f8, 1, 1, 0x41),
        value: 0,
    },
    Step {
        what: "IN from port 0x3f8",
        kind: ExitKind::PortIo,
        ok: |e| (e.address, e.size, e.write) == (0x3f8, 1, 0),
        value: IN_VALUE,
    },
    Step {
        what: "an MMIO store of the IN's 0x5a at 0xd0000000",
        kind: ExitKind::Mmio,
        ok: |e| (e.address, e.size, e.write, e.value) == (0xd000_0000, 4, 1, IN_VALUE),
        value: 0,
    },
    Step {
        what: "an MMIO load at 0xd0000010",
        kind: ExitKind::Mmio,
        ok: |e| (e.address, e.size, e.write) == (0xd000_0010, 4, 0),
        value: LOAD_VALUE,
    },
    Step {
        what: "VMMCALL with the load's value and CPUID's signature",
        kind: ExitKind::Hypercall,
        ok: |e| e.args[0] == LOAD_VALUE && e.args[1] == SIGNATURE_EBX,
        value: 0,
    },
    Step {
        what: "RDMSR 0x1234",
        kind: ExitKind::Register,
        ok: |e| (e.address, e.write) == (0x1234, 0),
        value: MSR_VALUE,
    },
    Step {
        what: "VMMCALL with what RDMSR read in EDX:EAX",
        kind: ExitKind::Hypercall,
        ok: |e| e.args[0] == MSR_VALUE & 0xffff_ffff && e.args[3] == MSR_VALUE >> 32,
        value: 0,
    },
    Step {
        what: "a triple fault",
        kind: ExitKind::Reset,
        ok: |_| true,
        value: 0,
    },
];

/// `vmexits`: 0 when every exit came as expected.
pub fn run() -> usize {
    let vcpu = match build() {
        Ok(v) => v,
        Err((what, e)) => {
            println!("FAIL ktest vmexits: {what}: {}", e.name());
            return 1;
        }
    };
    let mut exit = VcpuExit::default();
    for step in STEPS.iter() {
        exit.response = response::COMPLETE;
        if let Err(e) = call(Sys::VcpuRun, [vcpu, &raw mut exit as usize, 0, 0, 0, 0]) {
            println!(
                "FAIL ktest vmexits: vcpu_run for {}: {}",
                step.what,
                e.name()
            );
            return 1;
        }
        if ExitKind::from_raw(exit.kind) != Some(step.kind) || !(step.ok)(&exit) {
            println!("FAIL ktest vmexits: wanted {}, got {exit:x?}", step.what);
            return 1;
        }
        exit.value = step.value;
    }
    let names: alloc::vec::Vec<&str> = STEPS.iter().map(|s| s.what).collect();
    println!("ktest vmexits: {}: ok", names.join(", "));
    0
}
