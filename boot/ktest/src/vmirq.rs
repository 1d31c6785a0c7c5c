//! `vmirq` (x86): interrupts of a VM whose APICs the kernel emulates. A
//! one-vCPU VM built with the VM calls runs the irq guest
//! ([`crate::guestcode::irq_guest`]) with a GDT and IDT this program puts
//! in its RAM: it arms its local APIC timer and halts until the timer's
//! vector arrives, then routes I/O APIC pin 5 and makes a VMMCALL, on
//! which this program raises the pin (`vm_irq_line`); it halts until that
//! vector arrives; it then enters x2APIC mode and arms its timer in
//! TSC-deadline mode through the MSRs, halts until that vector arrives,
//! and reports with a last VMMCALL. No access to the APIC windows or MSRs
//! comes here: the kernel emulates them.

use crate::testvm::{self, RAM_GPA, RAM_LEN, RAM_VA};
use abi::{ExitKind, Sys, SysResult, VcpuExit, response};
use ulib::{println, sys};

/// Where the tables go in guest RAM: the GDT, the IDT, and their two
/// descriptors (GDTR at +0, IDTR at +8), which the guest finds at ESI.
const GDT: usize = 0x8000;
const IDT: usize = 0x8100;
const DESCRIPTORS: usize = 0x9000;
/// The flat 32-bit code and data segments (selectors 0x08 and 0x10).
const GDT_ENTRIES: [u64; 3] = [0, 0x00CF_9A00_0000_FFFF, 0x00CF_9200_0000_FFFF];
/// A present, DPL-0, 32-bit interrupt gate (type 0xE) to selector 0x08.
const GATE_FLAGS: u64 = 0x8E00;
/// The I/O APIC pin the program raises.
const PIN: usize = 5;
/// What the guest reports when both interrupts came.
const DONE: u64 = 0x600d;

fn call(n: Sys, args: [usize; 6]) -> SysResult {
    sys::call(n, args)
}

/// Writes `bytes` at `offset` of the guest's RAM.
fn put(offset: usize, bytes: &[u8]) {
    // SAFETY: `vm_map_ram` mapped RAM_LEN bytes read-write at RAM_VA for
    // this process alone; every offset here is inside it.
    unsafe {
        core::ptr::copy_nonoverlapping(bytes.as_ptr(), (RAM_VA + offset) as *mut u8, bytes.len())
    };
}

/// An interrupt gate to `handler` (a guest-physical address).
fn gate(handler: u64) -> u64 {
    (handler & 0xFFFF) | 0x08 << 16 | (GATE_FLAGS | (handler >> 16) << 16) << 32
}

/// The VM with the program and its tables in RAM, and its vCPU; the VM's
/// handle too.
fn build() -> Result<(usize, usize), testvm::Failure> {
    let vm = testvm::create(1)?;
    put(0, crate::guestcode::irq_guest());
    for (i, entry) in GDT_ENTRIES.iter().enumerate() {
        put(GDT + 8 * i, &entry.to_le_bytes());
    }
    for (vector, handler) in (0x30..).zip(crate::guestcode::irq_guest_handlers()) {
        put(
            IDT + 8 * vector,
            &gate(RAM_GPA as u64 + handler).to_le_bytes(),
        );
    }
    let descriptor = |limit: u16, base: usize| {
        let mut d = [0u8; 8];
        d[..2].copy_from_slice(&limit.to_le_bytes());
        d[2..6].copy_from_slice(&(base as u32).to_le_bytes());
        d
    };
    put(DESCRIPTORS, &descriptor(23, RAM_GPA + GDT));
    put(DESCRIPTORS + 8, &descriptor(0x7FF, RAM_GPA + IDT));
    let mut gpr = [0; 16];
    gpr[4] = (RAM_GPA + RAM_LEN) as u64;
    gpr[6] = (RAM_GPA + DESCRIPTORS) as u64;
    let regs = crate::guestcode::protected_mode(RAM_GPA as u64, gpr);
    let vcpu = testvm::vcpu(vm, 0, Some(&regs))?;
    Ok((vm, vcpu))
}

/// Runs the vCPU to its next exit, which must be a VMMCALL with `eax`.
fn until_call(vcpu: usize, exit: &mut VcpuExit, eax: u64) -> Result<(), alloc::string::String> {
    exit.response = response::COMPLETE;
    call(
        Sys::VcpuRun,
        [vcpu, exit as *mut VcpuExit as usize, 0, 0, 0, 0],
    )
    .map_err(|e| alloc::format!("vcpu_run: {}", e.name()))?;
    if ExitKind::from_raw(exit.kind) != Some(ExitKind::Hypercall) || exit.args[0] != eax {
        return Err(alloc::format!(
            "wanted VMMCALL with EAX {eax:#x}, got {exit:x?}"
        ));
    }
    Ok(())
}

/// `vmirq`: 0 when both interrupts came.
pub fn run() -> usize {
    let (vm, vcpu) = match build() {
        Ok(v) => v,
        Err((what, e)) => {
            println!("FAIL ktest vmirq: {what}: {}", e.name());
            return 1;
        }
    };
    let mut exit = VcpuExit::default();
    let result = until_call(vcpu, &mut exit, PIN as u64)
        .and_then(|()| {
            // An edge: the pin goes up and down again.
            for level in [1, 0] {
                call(Sys::VmIrqLine, [vm, PIN, level, 0, 0, 0])
                    .map_err(|e| alloc::format!("vm_irq_line: {}", e.name()))?;
            }
            Ok(())
        })
        .and_then(|()| until_call(vcpu, &mut exit, DONE));
    match result {
        Ok(()) => {
            println!(
                "ktest vmirq: the local APIC timer's vector 0x30 woke the halted vCPU, then I/O APIC pin {PIN}'s vector 0x31, then in x2APIC mode the TSC-deadline timer's 0x32: ok"
            );
            0
        }
        Err(why) => {
            println!("FAIL ktest vmirq: {why}");
            1
        }
    }
}
