//! PSCI 1.0 for guests over HVC (or a trapped SMC), as the device tree
//! `qvm` writes says: VERSION, FEATURES, CPU_ON, CPU_OFF, CPU_SUSPEND,
//! AFFINITY_INFO, MIGRATE_INFO_TYPE, SYSTEM_OFF, SYSTEM_RESET
//! (ARM DEN 0022).

use crate::state::{Block, Kernel, ThreadState};
use abi::ExitKind;
use kernel::slab::Id;

/// PSCI_VERSION.
pub const PSCI_VERSION: u32 = 0x8400_0000;
/// CPU_SUSPEND (32- and 64-bit).
pub const CPU_SUSPEND: [u32; 2] = [0x8400_0001, 0xc400_0001];
/// CPU_OFF.
pub const CPU_OFF: u32 = 0x8400_0002;
/// CPU_ON (32- and 64-bit).
pub const CPU_ON: [u32; 2] = [0x8400_0003, 0xc400_0003];
/// AFFINITY_INFO (32- and 64-bit).
pub const AFFINITY_INFO: [u32; 2] = [0x8400_0004, 0xc400_0004];
/// MIGRATE_INFO_TYPE.
pub const MIGRATE_INFO_TYPE: u32 = 0x8400_0006;
/// SYSTEM_OFF.
pub const SYSTEM_OFF: u32 = 0x8400_0008;
/// SYSTEM_RESET.
pub const SYSTEM_RESET: u32 = 0x8400_0009;
/// PSCI_FEATURES.
pub const PSCI_FEATURES: u32 = 0x8400_000a;
/// SMCCC_VERSION.
pub const SMCCC_VERSION: u32 = 0x8000_0000;

/// PSCI 1.0.
const VERSION_1_0: u64 = 0x0001_0000;
/// SMCCC 1.1.
const SMCCC_1_1: u64 = 0x0001_0001;
/// Return codes.
const SUCCESS: i64 = 0;
const NOT_SUPPORTED: i64 = -1;
const INVALID_PARAMETERS: i64 = -2;
const ALREADY_ON: i64 = -4;
const INVALID_ADDRESS: i64 = -9;
/// Function id bit 30: the SMC64 calling convention. SMC32 calls take
/// 32-bit arguments: the upper halves of x1-x3 are ignored (SMCCC 1.1).
const FID_SMC64: u32 = 1 << 30;
/// A CPU_ON entry point must be a 4-byte aligned instruction address; for
/// an AArch32 caller bit 0 selects T32, whose instructions are 2-byte
/// aligned, and the address is within 32 bits (PSCI 1.0, 5.1.4).
const ENTRY_ALIGN: u64 = 4;
const ENTRY_THUMB: u64 = 1;
const ENTRY_ALIGN_THUMB: u64 = 2;
/// MIGRATE_INFO_TYPE: no trusted OS to migrate.
const NO_TRUSTED_OS: i64 = 2;
/// AFFINITY_INFO answers.
const AFFINITY_ON: i64 = 0;
const AFFINITY_OFF: i64 = 1;

/// What a call did.
pub enum Outcome {
    /// Return this in x0 and go on.
    Return(u64),
    /// End the `vcpu_run` with this exit for `qvm`.
    Exit(ExitKind),
    /// The calling vCPU powered itself off.
    Off,
    /// Not a PSCI/SMCCC call: `qvm` may know it.
    NotPsci,
}

fn ret(code: i64) -> Outcome {
    Outcome::Return(code as u64)
}

/// Handles the call with arguments `args` (x0..x3) from `vcpu`'s guest.
/// The queries answered from constants (the guest's probes, and the
/// null hypercall of the benchmarks) take no detour through the rest.
#[inline]
pub fn call(k: &mut Kernel, vcpu: Id, args: &[u64; 4]) -> Outcome {
    match query(args[0] as u32, args[1] as u32) {
        Some(value) => Outcome::Return(value),
        None => call_with_state(k, vcpu, args),
    }
}

/// The answer to a call that only asks about the implementation
/// (`a1`: its first argument, 32 bits in every one of them).
#[inline]
fn query(fid: u32, a1: u32) -> Option<u64> {
    let known = [
        PSCI_VERSION,
        CPU_OFF,
        MIGRATE_INFO_TYPE,
        SYSTEM_OFF,
        SYSTEM_RESET,
        PSCI_FEATURES,
        SMCCC_VERSION,
    ];
    Some(match fid {
        PSCI_VERSION => VERSION_1_0,
        SMCCC_VERSION => SMCCC_1_1,
        MIGRATE_INFO_TYPE => NO_TRUSTED_OS as u64,
        PSCI_FEATURES => {
            let ok = known.contains(&a1)
                || CPU_ON.contains(&a1)
                || AFFINITY_INFO.contains(&a1)
                || CPU_SUSPEND.contains(&a1);
            (if ok { SUCCESS } else { NOT_SUPPORTED }) as u64
        }
        _ => return None,
    })
}

/// The calls that act on the VM or read its state.
fn call_with_state(k: &mut Kernel, vcpu: Id, args: &[u64; 4]) -> Outcome {
    let Some(v) = k.vcpus.get(vcpu) else {
        return Outcome::NotPsci;
    };
    let vm = v.vm;
    let fid = args[0] as u32;
    let [_, mut a1, mut a2, mut a3] = *args;
    if fid & FID_SMC64 == 0 {
        (a1, a2, a3) = (a1 as u32 as u64, a2 as u32 as u64, a3 as u32 as u64);
    }
    match fid {
        SYSTEM_OFF => Outcome::Exit(ExitKind::PowerOff),
        SYSTEM_RESET => Outcome::Exit(ExitKind::Reset),
        CPU_OFF => Outcome::Off,
        f if CPU_SUSPEND.contains(&f) => ret(SUCCESS),
        f if CPU_ON.contains(&f) => {
            let Some(target) = target_vcpu(k, vm, a1) else {
                return ret(INVALID_PARAMETERS);
            };
            let Some(t) = k.vcpus.get_mut(target) else {
                return ret(INVALID_PARAMETERS);
            };
            if t.on {
                return ret(ALREADY_ON);
            }
            if !entry_ok(k, vm, a2) {
                return ret(INVALID_ADDRESS);
            }
            let Some(t) = k.vcpus.get_mut(target) else {
                return ret(INVALID_PARAMETERS);
            };
            t.power_on(a2, a3);
            if let Some(runner) = t.runner
                && k.threads
                    .get(runner)
                    .is_some_and(|th| th.state == ThreadState::Blocked(Block::VcpuOff))
            {
                crate::sched::wake(k, runner, crate::sched::Wake::Restart);
            }
            ret(SUCCESS)
        }
        f if AFFINITY_INFO.contains(&f) => {
            if a2 != 0 {
                return ret(INVALID_PARAMETERS);
            }
            match target_vcpu(k, vm, a1).and_then(|t| k.vcpus.get(t)) {
                Some(t) => ret(if t.on { AFFINITY_ON } else { AFFINITY_OFF }),
                None => ret(INVALID_PARAMETERS),
            }
        }
        f if (0x8400_0000..=0x8400_001f).contains(&f)
            || (0xc400_0000..=0xc400_001f).contains(&f) =>
        {
            ret(NOT_SUPPORTED)
        }
        _ => Outcome::NotPsci,
    }
}

/// Whether a vCPU may start at `entry`: aligned, and in memory of the VM
/// that it may execute (else it would only fault, forever).
fn entry_ok(k: &mut Kernel, vm: Id, entry: u64) -> bool {
    let Some(v) = k.vms.get(vm) else {
        return false;
    };
    let aarch32 = v
        .config
        .as_ref()
        .is_some_and(|c| c.flags & abi::VM_FLAG_AARCH32 != 0);
    let (entry, align) = match aarch32 {
        true if entry > u64::from(u32::MAX) => return false,
        true if entry & ENTRY_THUMB != 0 => (entry & !ENTRY_THUMB, ENTRY_ALIGN_THUMB),
        _ => (entry, ENTRY_ALIGN),
    };
    let Ok(entry) = usize::try_from(entry) else {
        return false;
    };
    if !(entry as u64).is_multiple_of(align) {
        return false;
    }
    v.space
        .lookup(&mut k.frames, entry)
        .is_some_and(|(_, perms)| perms.exec)
}

/// The vCPU an MPIDR names (affinity 0 = index; higher levels must be 0).
fn target_vcpu(k: &Kernel, vm: Id, mpidr: u64) -> Option<Id> {
    if mpidr & 0xff_00ff_ff00 != 0 {
        return None;
    }
    k.vms
        .get(vm)?
        .vcpus
        .get((mpidr & 0xff) as usize)
        .copied()
        .flatten()
}
