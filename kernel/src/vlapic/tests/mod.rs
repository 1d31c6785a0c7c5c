//! Host tests of the virtual local APIC, with helpers that play the
//! guest (register accesses) and the kernel (injection, the host timer).

mod base;
mod errors;
mod ipi;
mod lvt;
mod priority;
mod random;
mod reset;
mod timer;
mod x2apic;

use super::regs::*;
use super::*;

/// Three TSC ticks per bus tick.
const CLOCK: TimerClock = match TimerClock::ticks(3) {
    Some(c) => c,
    None => panic!("clock"),
};

/// An AP's APIC (ID 5) at power-up, in xAPIC mode, software-disabled.
fn lapic() -> VLapic {
    VLapic::new(5, false, CLOCK)
}

/// An xAPIC APIC (ID 5) software-enabled with spurious vector 0xFF.
fn enabled() -> VLapic {
    let mut l = lapic();
    wr(&mut l, APIC_SVR, SVR_APIC_ENABLED | 0xFF);
    l
}

/// An APIC with x2APIC ID `id`, switched to x2APIC mode and enabled.
fn x2(id: u32) -> VLapic {
    let mut l = VLapic::new(id, false, CLOCK);
    to_x2apic(&mut l);
    wrmsr(&mut l, msr_of(APIC_SVR), u64::from(SVR_APIC_ENABLED | 0xFF));
    l
}

/// Switches an xAPIC-mode APIC to x2APIC mode.
fn to_x2apic(l: &mut VLapic) {
    let base = l.apic_base() | APIC_BASE_EXTD;
    assert_eq!(l.write_msr(IA32_APIC_BASE, base, 0), Ok(Effect::None));
    assert_eq!(l.mode(), ApicMode::X2Apic);
}

/// 32-bit page read at time 0.
fn rd(l: &mut VLapic, off: u64) -> u32 {
    l.read(off, 0)
}

/// 32-bit page write at time 0.
fn wr(l: &mut VLapic, off: u64, value: u32) -> Effect {
    l.write(off, value, 0)
}

/// RDMSR at time 0 that must not fault.
fn rdmsr(l: &mut VLapic, msr: u32) -> u64 {
    l.read_msr(msr, 0)
        .unwrap_or_else(|_| panic!("RDMSR {msr:#x} faulted"))
}

/// WRMSR at time 0 that must not fault.
fn wrmsr(l: &mut VLapic, msr: u32, value: u64) -> Effect {
    l.write_msr(msr, value, 0)
        .unwrap_or_else(|_| panic!("WRMSR {msr:#x} = {value:#x} faulted"))
}

/// Raises edge-triggered `vector`, which must be accepted.
fn raise(l: &mut VLapic, vector: u8) {
    assert!(l.accept(vector, false), "vector {vector:#x} refused");
}

/// Injects the pending interrupt, which must exist.
fn take(l: &mut VLapic) -> u8 {
    l.acknowledge().expect("an interrupt pending")
}

/// The vectors in `set`, lowest first.
fn vectors(set: &VectorSet) -> alloc::vec::Vec<u8> {
    (0..=255u8).filter(|&v| set.contains(v)).collect()
}
