//! `vmexits32` (ARM): a VM whose EL1 runs in AArch32
//! (`abi::VM_FLAG_AARCH32`), built with the VM calls, whose one vCPU takes
//! the 32-bit exits the kernel gives its VMM, in order, each checked and
//! answered: an A32 MMIO store and load, an ID register read by MRC that
//! the kernel answers itself, an HVC with 32-bit arguments, a T32 (16-bit)
//! MMIO load, a load the VMM answers with an abort that the guest takes
//! in Abort mode (its DFSR, LR_abt and CPSR reported by HVC), and PSCI
//! SYSTEM_OFF. On a CPU without AArch32 at EL1 `vm_configure` must refuse
//! with ENOTSUP.
//!
//! The program is A32 and T32 machine code made here (`a32.rs`): the
//! kernel and `ktest` are AArch64 and have no 32-bit assembler.

mod a32;

use crate::testvm::{self, RAM_GPA, RAM_VA};
use abi::{Error, ExitKind, Sys, SysResult, VcpuExit, response};
use ulib::{println, sys};

/// The MMIO page the program touches, and the VMM's answers.
const MMIO: u32 = 0xd000_0000;
const LOAD_VALUE: u64 = 0x1234_5678;
const THUMB_VALUE: u64 = 0x9abc_def0;
/// Marker of the abort handler's HVC.
const ABORT_MARK: u64 = 0xab;
/// PSCI SYSTEM_OFF.
const SYSTEM_OFF: u32 = 0x8400_0008;
/// Where the program's exception vectors are (VBAR), from RAM_GPA.
const VECTORS: u32 = 0x100;
/// Where its T32 part is, from RAM_GPA.
const THUMB: u32 = 0x200;

fn call(n: Sys, args: [usize; 6]) -> SysResult {
    sys::call(n, args)
}

fn fail(what: &str, e: Error) -> usize {
    println!("FAIL ktest vmexits32: {what}: {}", e.name());
    1
}

/// The program: A32 code at 0, vectors at [`VECTORS`], T32 at [`THUMB`].
fn program() -> [u32; 160] {
    use a32::*;
    let base = RAM_GPA as u32;
    let mut p = [B_SELF; 160];
    let main = [
        movw(4, base + VECTORS),
        movt(4, base + VECTORS),
        mcr_vbar(4),
        movw(6, MMIO),
        movt(6, MMIO),
        mov_imm(1, 0x5a),
        str_imm(1, 6, 0),    // exit: store 0x5a
        ldr_imm(2, 6, 0x10), // exit: load, answered LOAD_VALUE
        mrc_id_pfr0(3),      // answered by the kernel
        mov_reg(0, 2),
        mov_reg(1, 3),
        HVC0, // exit: hypercall (the load, ID_PFR0)
        movw(5, base + THUMB + 1),
        movt(5, base + THUMB + 1),
        blx_reg(5), // to T32; back with r2 loaded there
        mov_reg(0, 2),
        HVC0,                // exit: hypercall (the T32 load)
        ldr_imm(2, 6, 0x20), // exit: load, answered with an abort
        B_SELF,
    ];
    p[..main.len()].copy_from_slice(&main);
    // The Data Abort vector: DFSR, LR_abt and CPSR to the VMM, then off.
    let abort = [
        mrc_dfsr(1),
        mov_reg(2, 14),
        mrs_cpsr(3),
        movw(0, ABORT_MARK as u32),
        HVC0, // exit: hypercall from Abort mode
        movw(0, SYSTEM_OFF),
        movt(0, SYSTEM_OFF),
        HVC0, // exit: power off
    ];
    let at = (VECTORS as usize + 0x10) / 4;
    p[at..at + abort.len()].copy_from_slice(&abort);
    // T32: LDR r2, [r6, #0x30] (16 bits), BX lr (16 bits).
    p[THUMB as usize / 4] = t32_pair(t16_ldr_imm(2, 6, 0x30), T16_BX_LR);
    p
}

/// One expected exit: its kind, a check of the record, and the answer.
struct Step {
    what: &'static str,
    kind: ExitKind,
    ok: fn(&VcpuExit) -> bool,
    value: u64,
    response: u64,
}

const fn step(what: &'static str, kind: ExitKind, ok: fn(&VcpuExit) -> bool) -> Step {
    Step {
        what,
        kind,
        ok,
        value: 0,
        response: response::COMPLETE,
    }
}

/// CPSR of Abort mode with IRQs and asynchronous aborts masked, A32, and
/// the bits that say so (M, T, I, A).
const ABORT_CPSR: u64 = 0x17 | 1 << 7 | 1 << 8;
const ABORT_CPSR_MASK: u64 = 0x1bf;

const STEPS: [Step; 7] = [
    step("an A32 store of 0x5a", ExitKind::Mmio, |e| {
        (e.address, e.size, e.write, e.value) == (MMIO as u64, 4, 1, 0x5a)
    }),
    Step {
        value: LOAD_VALUE,
        ..step("an A32 load", ExitKind::Mmio, |e| {
            (e.address, e.size, e.write) == (MMIO as u64 + 0x10, 4, 0)
        })
    },
    // ID_PFR0.State0 (3:0) is 1: A32 is there.
    step("HVC with the load and ID_PFR0", ExitKind::Hypercall, |e| {
        e.args[0] == LOAD_VALUE && e.args[1] & 0xf == 1
    }),
    Step {
        value: THUMB_VALUE,
        ..step("a 16-bit T32 load", ExitKind::Mmio, |e| {
            (e.address, e.size, e.write) == (MMIO as u64 + 0x30, 4, 0)
        })
    },
    step("HVC with the T32 load", ExitKind::Hypercall, |e| {
        e.args[0] == THUMB_VALUE
    }),
    Step {
        response: response::INJECT_ABORT,
        ..step("a load answered with an abort", ExitKind::Mmio, |e| {
            e.address == MMIO as u64 + 0x20
        })
    },
    // DFSR: a synchronous external abort, read (Short-descriptor FS
    // 0b01000); LR_abt: the load (the 18th word) + 8; Abort mode.
    step("HVC from the abort handler", ExitKind::Hypercall, |e| {
        e.args[0] == ABORT_MARK
            && e.args[1] == 0x8
            && e.args[2] == RAM_GPA as u64 + 17 * 4 + 8
            && e.args[3] & ABORT_CPSR_MASK == ABORT_CPSR
    }),
];

/// `vmexits32`: 0 when every exit came as expected (or the CPU has no
/// AArch32 at EL1 and the VM was refused with ENOTSUP).
pub fn run() -> usize {
    let vm = match call(Sys::VmCreate, [0; 6]) {
        Ok(vm) => vm,
        Err(e) => return fail("vm_create", e),
    };
    let config = abi::VmConfig {
        flags: abi::VM_FLAG_AARCH32,
        ..crate::vmcrash::vm_config(sys::sysinfo().vm_gic_version, 1)
    };
    let size = core::mem::size_of_val(&config);
    match call(
        Sys::VmConfigure,
        [vm, &raw const config as usize, size, 0, 0, 0],
    ) {
        Ok(_) => {}
        Err(Error::NotSupported) => {
            println!(
                "ktest vmexits32: this CPU has no AArch32 at EL1: vm_configure refused with ENOTSUP"
            );
            return 0;
        }
        Err(e) => return fail("vm_configure", e),
    }
    if let Err((what, e)) = testvm::map(vm, RAM_GPA, testvm::RAM_LEN, RAM_VA) {
        return fail(what, e);
    }
    let words = program();
    let bytes: alloc::vec::Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    testvm::put(RAM_VA, &bytes);
    let vcpu = match call(Sys::VcpuCreate, [vm, 0, 0, 0, 0, 0]) {
        Ok(v) => v,
        Err(e) => return fail("vcpu_create", e),
    };
    // An AArch64 state (EL1h) is refused; Supervisor mode (0) is taken.
    let mut regs = crate::guestcode::Regs {
        pc: RAM_GPA as u64,
        pstate: 0b0101,
        ..Default::default()
    };
    let len = core::mem::size_of_val(&regs);
    if call(
        Sys::VcpuSetRegs,
        [vcpu, &raw const regs as usize, len, 0, 0, 0],
    ) != Err(Error::InvalidArgument)
    {
        println!("FAIL ktest vmexits32: an AArch64 PSTATE was not refused for an AArch32 vCPU");
        return 1;
    }
    regs.pstate = 0;
    if let Err(e) = call(
        Sys::VcpuSetRegs,
        [vcpu, &raw const regs as usize, len, 0, 0, 0],
    ) {
        return fail("vcpu_set_regs (Supervisor mode)", e);
    }
    let mut exit = VcpuExit::default();
    for step in STEPS.iter() {
        if let Err(e) = call(Sys::VcpuRun, [vcpu, &raw mut exit as usize, 0, 0, 0, 0]) {
            return fail(step.what, e);
        }
        if ExitKind::from_raw(exit.kind) != Some(step.kind) || !(step.ok)(&exit) {
            println!("FAIL ktest vmexits32: wanted {}, got {exit:x?}", step.what);
            return 1;
        }
        exit.value = step.value;
        exit.response = step.response;
    }
    if let Err(e) = call(Sys::VcpuRun, [vcpu, &raw mut exit as usize, 0, 0, 0, 0]) {
        return fail("the power-off", e);
    }
    if ExitKind::from_raw(exit.kind) != Some(ExitKind::PowerOff) {
        println!("FAIL ktest vmexits32: wanted PSCI SYSTEM_OFF, got {exit:x?}");
        return 1;
    }
    let _ = sys::handle_close(vm);
    let names: alloc::vec::Vec<&str> = STEPS.iter().map(|s| s.what).collect();
    println!("ktest vmexits32: {}, SYSTEM_OFF: ok", names.join(", "));
    0
}
