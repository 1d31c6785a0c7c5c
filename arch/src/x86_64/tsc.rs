//! The time-stamp counter as the kernel's clock, and its frequency: from
//! CPUID leaf 0x15 (TSC/crystal ratio and crystal clock) where the CPU
//! reports it, else measured against the 8254 PIT's channel 2 (Intel SDM
//! Vol. 3B 19.17, "Time-Stamp Counter"; the 8254 data sheet, mode 0). The
//! same interval times the APIC timer, for CPUs without TSC-deadline mode.

use core::sync::atomic::{AtomicU64, Ordering};
use raw_cpuid::CpuId;
use x86_64::instructions::port::Port;

/// The PIT's input clock, in Hz.
pub const PIT_HZ: u64 = 1_193_182;
/// The PIT's channel 2 data port.
const PIT_CHANNEL2: u16 = 0x42;
/// The PIT's mode/command port.
const PIT_COMMAND: u16 = 0x43;
/// Command: channel 2, low then high byte, mode 0 (interrupt on terminal
/// count), binary.
const PIT_CHANNEL2_MODE0: u8 = 0b1011_0000;
/// Port 0x61 (NMI status and control): bit 0 gates channel 2, bit 1
/// drives the speaker from it, bit 5 reads channel 2's output.
const PORT_61: u16 = 0x61;
/// Port 0x61 bit 0: channel 2 gate.
const GATE2: u8 = 1 << 0;
/// Port 0x61 bit 1: speaker data enable.
const SPEAKER: u8 = 1 << 1;
/// Port 0x61 bit 5: channel 2 output.
const OUT2: u8 = 1 << 5;
/// The calibration interval: 10 ms of PIT ticks.
const CALIBRATION_PIT_TICKS: u16 = (PIT_HZ / 100) as u16;

static TSC_HZ: AtomicU64 = AtomicU64::new(0);

/// Reads the TSC.
#[inline]
pub fn now() -> u64 {
    // SAFETY: RDTSC is available on every x86-64 CPU and has no side
    // effects.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// The TSC's frequency (0 before [`calibrate`]).
pub fn hz() -> u64 {
    TSC_HZ.load(Ordering::Relaxed)
}

/// The TSC frequency CPUID leaf 0x15 reports, if it does.
fn from_cpuid() -> Option<u64> {
    let info = CpuId::new().get_tsc_info()?;
    let hz = info.tsc_frequency()?;
    (hz != 0).then_some(hz)
}

/// Waits [`CALIBRATION_PIT_TICKS`] on PIT channel 2; returns the TSC
/// ticks that took.
fn pit_interval() -> u64 {
    let mut port61 = Port::<u8>::new(PORT_61);
    let mut command = Port::<u8>::new(PIT_COMMAND);
    let mut channel2 = Port::<u8>::new(PIT_CHANNEL2);
    // SAFETY: the PC's PIT and port 0x61; the kernel uses channel 2 only
    // here, at boot, and leaves the speaker off.
    unsafe {
        let saved = port61.read();
        port61.write(saved & !(SPEAKER | GATE2));
        command.write(PIT_CHANNEL2_MODE0);
        channel2.write(CALIBRATION_PIT_TICKS as u8);
        channel2.write((CALIBRATION_PIT_TICKS >> 8) as u8);
        let start = now();
        port61.write((saved & !SPEAKER) | GATE2);
        while port61.read() & OUT2 == 0 {
            core::hint::spin_loop();
        }
        let end = now();
        port61.write(saved);
        end - start
    }
}

/// Finds the TSC's frequency and, with `apic_count` (which runs the APIC
/// timer over the interval it is given), the APIC timer's rate: TSC ticks
/// per APIC tick × 2^16. Called once, on the boot CPU.
pub fn calibrate(apic_count: impl FnOnce(&mut dyn FnMut()) -> u32) -> (u64, u64) {
    let mut tsc_ticks = 0;
    let apic_ticks = u64::from(apic_count(&mut || tsc_ticks = pit_interval())).max(1);
    let measured = tsc_ticks * PIT_HZ / u64::from(CALIBRATION_PIT_TICKS);
    let hz = from_cpuid().unwrap_or(measured).max(1);
    TSC_HZ.store(hz, Ordering::Relaxed);
    (hz, (tsc_ticks << 16) / apic_ticks)
}
