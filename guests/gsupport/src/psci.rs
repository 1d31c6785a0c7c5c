//! PSCI calls over the conduit the device tree names (`hvc` under a
//! hypervisor and on QEMU `virt` at EL1, `smc` with firmware at EL3),
//! through the `smccc` crate.

use crate::dt::Conduit;
use crate::{console, cpu};
use core::sync::atomic::{AtomicU8, Ordering};
use smccc::psci::{self, LowestAffinityLevel};
use smccc::{Hvc, Smc};

pub use smccc::psci::{AffinityState, Error, Version};

/// PSCI_VERSION function id (the null call of the benchmarks).
pub const PSCI_VERSION: u32 = 0x8400_0000;

static CONDUIT: AtomicU8 = AtomicU8::new(0);

/// Records the conduit from the device tree.
pub(crate) fn init(conduit: Conduit) {
    let code = match conduit {
        Conduit::None => 0,
        Conduit::Hvc => 1,
        Conduit::Smc => 2,
    };
    CONDUIT.store(code, Ordering::SeqCst);
}

/// The conduit in use.
pub fn conduit() -> Conduit {
    match CONDUIT.load(Ordering::SeqCst) {
        1 => Conduit::Hvc,
        2 => Conduit::Smc,
        _ => Conduit::None,
    }
}

/// Calls `$f::<Hvc>` or `$f::<Smc>` by the conduit.
macro_rules! call {
    ($f:ident($($arg:expr),*)) => {
        match conduit() {
            Conduit::Hvc => psci::$f::<Hvc>($($arg),*),
            Conduit::Smc => psci::$f::<Smc>($($arg),*),
            Conduit::None => Err(Error::NotSupported),
        }
    };
}

/// PSCI_VERSION.
pub fn version() -> Result<Version, Error> {
    call!(version())
}

/// CPU_ON: starts the CPU with affinity `mpidr` at physical address
/// `entry` with `context` in x0.
pub fn cpu_on(mpidr: u64, entry: usize, context: usize) -> Result<(), Error> {
    call!(cpu_on(mpidr, entry as u64, context as u64))
}

/// AFFINITY_INFO of one CPU.
pub fn affinity_info(mpidr: u64) -> Result<AffinityState, Error> {
    call!(affinity_info(mpidr, LowestAffinityLevel::All))
}

/// SYSTEM_OFF, after the console has drained. If it fails, says so and
/// stops this CPU. Without PSCI (the Raspberry Pi 4 has none) nothing can
/// power the board off: says so and parks this CPU ([`cpu::park`]).
pub fn system_off() -> ! {
    if conduit() == Conduit::None {
        crate::println!(
            "gsupport: no PSCI in the device tree: cannot power off; cpu {} parked",
            cpu::index()
        );
        console::flush();
        cpu::park()
    }
    console::flush();
    let result: Result<(), Error> = call!(system_off());
    crate::println!("gsupport: SYSTEM_OFF failed: {result:?}");
    cpu::halt()
}

/// SYSTEM_RESET, after the console has drained. If it fails, says so and
/// stops this CPU; without PSCI, says so and parks it.
pub fn system_reset() -> ! {
    if conduit() == Conduit::None {
        crate::println!(
            "gsupport: no PSCI in the device tree: cannot reset; cpu {} parked",
            cpu::index()
        );
        console::flush();
        cpu::park()
    }
    console::flush();
    let result: Result<(), Error> = call!(system_reset());
    crate::println!("gsupport: SYSTEM_RESET failed: {result:?}");
    cpu::halt()
}

/// The lightest PSCI call, PSCI_VERSION, with nothing around it: the
/// benchmarks' null hypercall. Returns x0.
#[inline(always)]
pub fn null_call() -> u64 {
    let mut x0 = u64::from(PSCI_VERSION);
    match conduit() {
        // SAFETY: PSCI_VERSION has no side effects; SMCCC lets the callee
        // change x0-x17 and nothing else.
        Conduit::Hvc => unsafe {
            core::arch::asm!("hvc #0", inout("x0") x0, out("x1") _, out("x2") _, out("x3") _,
                out("x4") _, out("x5") _, out("x6") _, out("x7") _, out("x8") _, out("x9") _,
                out("x10") _, out("x11") _, out("x12") _, out("x13") _, out("x14") _,
                out("x15") _, out("x16") _, out("x17") _, options(nostack))
        },
        // SAFETY: as above.
        Conduit::Smc => unsafe {
            core::arch::asm!("smc #0", inout("x0") x0, out("x1") _, out("x2") _, out("x3") _,
                out("x4") _, out("x5") _, out("x6") _, out("x7") _, out("x8") _, out("x9") _,
                out("x10") _, out("x11") _, out("x12") _, out("x13") _, out("x14") _,
                out("x15") _, out("x16") _, out("x17") _, options(nostack))
        },
        Conduit::None => x0 = u64::MAX,
    }
    x0
}
