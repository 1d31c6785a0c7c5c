//! System-register and call attacks, through one instruction written at
//! run time into a per-CPU code slot (so any encoding can be tried):
//! `mrs`/`msr` to implementation-defined, debug, trace, PMU and EL2/EL3
//! encodings, and `hvc`/`smc` with random immediates and function ids.
//! Encodings that would break the guest itself (its MMU, vectors, timer,
//! GIC CPU interface, CPU number) are never written.

use crate::rng::Rng;
use core::arch::asm;
use core::cell::UnsafeCell;
use gsupport::{MAX_CPUS, cpu};

/// `mrs x0, <op0=2|3 ...>` with all fields zero.
const MRS_BASE: u32 = 0xd530_0000;
/// `msr <op0=2|3 ...>, x0` with all fields zero.
const MSR_BASE: u32 = 0xd510_0000;
/// `hvc #0`.
const HVC_BASE: u32 = 0xd400_0002;
/// `smc #0`.
const SMC_BASE: u32 = 0xd400_0003;
/// `ret`.
const RET: u32 = 0xd65f_03c0;
/// CRn of the implementation-defined encodings (and of the GIC CPU
/// interface, which reads acknowledge interrupts: never touched).
const CRN_IMPDEF: [u32; 2] = [11, 15];
const CRN_GIC: u32 = 12;

/// The debug, PMU and EL2/EL3 registers written on purpose, as (op0, op1,
/// CRn, CRm, op2): MDSCR_EL1, OSLAR_EL1, OSDLR_EL1, DBGBVR0/DBGBCR0,
/// DBGWVR0/DBGWCR0, DBGCLAIMSET, PMCR_EL0, PMCNTENSET_EL0,
/// PMINTENSET_EL1, PMCCFILTR_EL0, PMUSERENR_EL0, HCR_EL2, VTTBR_EL2,
/// VBAR_EL2, MDCR_EL2, ICH_HCR_EL2, ICH_LR0_EL2, CNTVOFF_EL2, SCR_EL3.
const NAMED_WRITES: [[u32; 5]; 23] = [
    [2, 0, 0, 2, 2],
    [2, 0, 1, 0, 4],
    [2, 0, 1, 3, 4],
    [2, 0, 0, 0, 4],
    [2, 0, 0, 0, 5],
    [2, 0, 0, 0, 6],
    [2, 0, 0, 0, 7],
    [2, 0, 7, 8, 6],
    [3, 3, 9, 12, 0],
    [3, 3, 9, 12, 1],
    [3, 0, 9, 14, 1],
    [3, 3, 14, 15, 7],
    [3, 3, 9, 14, 0],
    [3, 4, 1, 1, 0],
    [3, 4, 2, 1, 0],
    [3, 4, 12, 0, 0],
    [3, 4, 1, 1, 1],
    [3, 4, 12, 11, 0],
    [3, 4, 12, 12, 0],
    [3, 4, 14, 0, 3],
    [3, 6, 1, 1, 0],
    [3, 4, 4, 0, 1],
    [3, 4, 1, 0, 0],
];

#[repr(C, align(64))]
struct Slot(UnsafeCell<[u32; 4]>);

// SAFETY: each CPU writes and runs only its own slot.
unsafe impl Sync for Slot {}

static SLOTS: [Slot; MAX_CPUS] = [const { Slot(UnsafeCell::new([RET; 4])) }; MAX_CPUS];

fn field(op0: u32, op1: u32, crn: u32, crm: u32, op2: u32) -> u32 {
    ((op0 & 1) << 19)
        | ((op1 & 7) << 16)
        | ((crn & 15) << 12)
        | ((crm & 15) << 8)
        | ((op2 & 7) << 5)
}

/// Runs `insn` (then `ret`) from this CPU's slot with x0..x3 as given;
/// returns x0. A fault it takes is the caller's to catch.
fn run(insn: u32, args: [u64; 4]) -> u64 {
    let slot = SLOTS[cpu::index() % MAX_CPUS].0.get();
    // SAFETY: the slot belongs to this CPU; it is made visible to the
    // instruction stream before it runs (clean to PoU, invalidate the
    // I-cache line, barriers). The code follows the SMCCC: x0-x17 and
    // x30 may change.
    unsafe {
        (*slot)[0] = insn;
        (*slot)[1] = RET;
        let mut x0 = args[0];
        asm!(
            "dc cvau, {p}", "dsb ish", "ic ivau, {p}", "dsb ish", "isb",
            "blr {p}",
            p = in(reg) slot as usize,
            inout("x0") x0, inout("x1") args[1] => _, inout("x2") args[2] => _,
            inout("x3") args[3] => _, out("x4") _, out("x5") _, out("x6") _, out("x7") _,
            out("x8") _, out("x9") _, out("x10") _, out("x11") _, out("x12") _,
            out("x13") _, out("x14") _, out("x15") _, out("x16") _, out("x17") _,
            out("x30") _,
        );
        x0
    }
}

/// A random register read: implementation-defined, debug/trace, EL2/EL3,
/// or any op0=3 encoding but the GIC CPU interface's.
pub fn random_read(rng: &mut Rng) -> u64 {
    let (op0, op1, mut crn) = match rng.below(4) {
        0 => (3, rng.below(8) as u32, rng.pick(&CRN_IMPDEF)),
        1 => (2, rng.pick(&[0, 1, 3, 4]), rng.below(16) as u32),
        2 => (3, rng.pick(&[4, 5, 6]), rng.below(16) as u32),
        _ => (3, rng.below(8) as u32, rng.below(16) as u32),
    };
    if op0 == 3 && crn == CRN_GIC {
        crn = 15;
    }
    let insn = MRS_BASE | field(op0, op1, crn, rng.below(16) as u32, rng.below(8) as u32);
    run(insn, [0; 4])
}

/// A random register write of a random value: implementation-defined,
/// trace (op0=2, op1=1), or one of [`NAMED_WRITES`].
pub fn random_write(rng: &mut Rng) {
    let f = match rng.below(3) {
        0 => field(
            3,
            rng.below(8) as u32,
            rng.pick(&CRN_IMPDEF),
            rng.below(16) as u32,
            rng.below(8) as u32,
        ),
        1 => field(
            2,
            1,
            rng.below(16) as u32,
            rng.below(16) as u32,
            rng.below(8) as u32,
        ),
        _ => {
            let [op0, op1, crn, crm, op2] = rng.pick(&NAMED_WRITES);
            field(op0, op1, crn, crm, op2)
        }
    };
    run(MSR_BASE | f, [rng.next(), 0, 0, 0]);
}

/// PSCI function numbers (low 5 bits) that change power state or jump
/// somewhere: never called with random arguments.
const PSCI_DANGEROUS: [u64; 9] = [2, 3, 5, 8, 9, 0xc, 0xd, 0xe, 0x12];

/// A random function id that is not a dangerous PSCI call.
fn random_function_id(rng: &mut Rng) -> u64 {
    loop {
        let id = match rng.below(3) {
            0 => rng.next() & 0xffff_ffff,
            1 => 0x8000_0000 | (rng.below(0x40) << 24) | rng.below(0x40),
            _ => rng.pick(&[0x8400_0000u64, 0xc400_0000]) | rng.below(0x20),
        };
        let psci = matches!(id >> 24, 0x84 | 0xc4);
        if !(psci && PSCI_DANGEROUS.contains(&(id & 0x1f))) {
            return id;
        }
    }
}

/// A random `hvc` or `smc` (random immediate, function id and x1-x3).
pub fn random_call(rng: &mut Rng) -> u64 {
    let base = if rng.one_in(2) { HVC_BASE } else { SMC_BASE };
    let imm = if rng.one_in(2) {
        0
    } else {
        rng.below(0x1_0000) as u32
    };
    let args = [random_function_id(rng), rng.next(), rng.next(), rng.next()];
    run(base | (imm << 5), args)
}

/// A call with exactly these x0..x3 (over HVC, as the device tree says).
pub fn hvc(args: [u64; 4]) -> u64 {
    run(HVC_BASE, args)
}
