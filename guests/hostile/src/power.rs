//! PSCI with bad arguments: CPU_ON of MPIDRs no CPU has, of itself and of
//! a CPU that is already on, with entry points outside RAM and unaligned,
//! and AFFINITY_INFO and FEATURES with junk. Each answer must be an error
//! code; a bad entry point accepted would start a CPU nowhere, so this
//! runs while the other CPUs are still off and says so if it happens.

use crate::rng::Rng;
use crate::sysregs::hvc;
use gsupport::{Platform, println};

/// CPU_ON, 64-bit.
const CPU_ON64: u64 = 0xc400_0003;
/// CPU_ON, 32-bit.
const CPU_ON32: u64 = 0x8400_0003;
/// AFFINITY_INFO, 64-bit.
const AFFINITY_INFO64: u64 = 0xc400_0004;
/// PSCI_FEATURES.
const PSCI_FEATURES: u64 = 0x8400_000a;
/// CPU_SUSPEND, 64-bit.
const CPU_SUSPEND64: u64 = 0xc400_0001;
/// PSCI return codes: SUCCESS, ALREADY_ON.
const SUCCESS: u64 = 0;
const ALREADY_ON: u64 = -4i64 as u64;

/// Entry points no CPU can start at: below and above RAM, unaligned, the
/// top of the address space.
fn bad_entries(platform: &Platform) -> [u64; 5] {
    let ram = platform.ram()[0];
    [
        0x1000,
        ram.end as u64 + 0x1000,
        ram.start as u64 + 0x2002,
        u64::MAX - 3,
        1 << 52,
    ]
}

/// Runs the calls; returns how many were made. `off` is a CPU that is
/// still off (if any), `on` one that is on (this one).
pub fn attack(platform: &Platform, rng: &mut Rng, off: Option<u64>, me: u64) -> u64 {
    let mut calls = 0;
    let mut call = |args: [u64; 4]| {
        calls += 1;
        hvc(args)
    };
    for mpidr in [
        1 << 8,
        1 << 16,
        1 << 32,
        u64::MAX,
        0xff,
        platform.cpus().len() as u64,
    ] {
        let r = call([CPU_ON64, mpidr, platform.image.start as u64, 0]);
        if r == SUCCESS {
            println!("hostile: CPU_ON of MPIDR {mpidr:#x} (no such CPU) succeeded");
        }
        call([AFFINITY_INFO64, mpidr, rng.below(4), 0]);
    }
    for fid in [CPU_ON64, CPU_ON32] {
        let r = call([fid, me, platform.image.start as u64, rng.next()]);
        if r != ALREADY_ON {
            println!("hostile: CPU_ON of itself answered {:#x}", r as i64);
        }
    }
    if let Some(off) = off {
        for entry in bad_entries(platform) {
            let r = call([CPU_ON64, off, entry, rng.next()]);
            if r == SUCCESS {
                println!(
                    "hostile: CPU_ON at entry {entry:#x} (not in RAM or unaligned) succeeded: cpu lost"
                );
                return calls;
            }
        }
        // The 32-bit call takes 32-bit arguments: the high half of an
        // entry point must not count.
        let r = call([CPU_ON32, off | (1 << 40), 1 << 40, 0]);
        if r == SUCCESS {
            println!("hostile: CPU_ON32 took a 64-bit entry point");
            return calls;
        }
    }
    for _ in 0..8 {
        call([PSCI_FEATURES, rng.next(), rng.next(), 0]);
        call([CPU_SUSPEND64, rng.next(), 0, 0]);
    }
    calls
}

/// CPU_ON of a CPU that is already on, with a bad context id too.
pub fn cpu_on_running(platform: &Platform, mpidr: u64, rng: &mut Rng) -> bool {
    hvc([CPU_ON64, mpidr, platform.image.start as u64, rng.next()]) == ALREADY_ON
}
