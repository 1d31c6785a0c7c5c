//! `bench` on an x86_64 PC: round trips in TSC ticks, each operation
//! timed alone [`ITERATIONS`] times (interrupts off), as min, median and
//! mean: nothing (`empty`), CPUID leaf 0, an IN from COM1's line status
//! register (`pio-read`), a read of the local APIC's ID register
//! (`lapic-read`), a read and a write of the I/O APIC's IOREGSEL
//! (`mmio-read`, `mmio-write`: the same value back), a fixed IPI to CPU 1
//! and its answer (`ipi`, interrupts on; needs 2 CPUs), and under a
//! hypervisor (CPUID.1:ECX bit 31) a null VMCALL, VMMCALL on AMD
//! (`vmcall`, RAX 0). What cannot be measured prints `bench: NAME not
//! measured: REASON`.
//!
//! Console lines (bare QEMU, EPYC, 2 CPUs; TCG time, not instructions).
//! QEMU's CPU models set CPUID's hypervisor bit even under TCG, so the
//! hypercall is tried there, and its #UD caught:
//! ```text
//! bench: TSC 2302 MHz, 1000 iterations, TSC ticks per round trip
//! bench: empty min 60 median 64 mean 75.80
//! bench: cpuid min 90 median 96 mean 142.72
//! bench: pio-read min 182 median 186 mean 222.81
//! bench: lapic-read min 500 median 506 mean 558.37
//! bench: mmio-read min 472 median 478 mean 949.06
//! bench: mmio-write min 582 median 886 mean 940.63
//! bench: ipi min 20572 median 85120 mean 365286.45
//! bench: vmcall not measured: exception: invalid opcode (#UD), error code 0x0
//! bench: done, powering off
//! ```
//!
//! (`bench: vmcall not measured: no hypervisor` where CPUID says there is
//! none.)

use core::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use gsupport::console::{COM1, LSR};
use gsupport::exceptions::{Fault, catch};
use gsupport::sync::IrqMutex;
use gsupport::{Platform, cpu, exceptions, lapic, mmio, power, println, smp, tsc};

/// Samples per row.
const ITERATIONS: usize = 1000;
/// The boot CPU's request to CPU 1, and CPU 1's answer.
const PING: u8 = 0x41;
/// See [`PING`].
const PONG: u8 = 0x42;
/// How long to wait for an answer or a CPU.
const WAIT_US: u64 = 5_000_000;

static SAMPLES: IrqMutex<[u64; ITERATIONS]> = IrqMutex::new([0; ITERATIONS]);
static PONGS: AtomicU64 = AtomicU64::new(0);
static BOOT_APIC_ID: AtomicU32 = AtomicU32::new(0);

/// TSC ticks of one operation: fastest, median, and the mean in
/// hundredths.
struct Stats {
    min: u64,
    median: u64,
    mean_centi: u64,
}

fn stats(samples: &mut [u64]) -> Stats {
    samples.sort_unstable();
    let total: u64 = samples.iter().sum();
    Stats {
        min: samples[0],
        median: samples[samples.len() / 2],
        mean_centi: total * 100 / samples.len() as u64,
    }
}

/// Runs `op` [`ITERATIONS`] times (interrupts off), timing each run alone.
fn measure(mut op: impl FnMut()) -> Stats {
    SAMPLES.with(|samples| {
        for slot in samples.iter_mut() {
            let start = tsc::now();
            op();
            *slot = tsc::now().wrapping_sub(start);
        }
        stats(samples)
    })
}

fn row(name: &str, s: Stats) {
    println!(
        "bench: {name} min {} median {} mean {}.{:02}",
        s.min,
        s.median,
        s.mean_centi / 100,
        s.mean_centi % 100
    );
}

fn not_measured(name: &str, why: core::fmt::Arguments<'_>) {
    println!("bench: {name} not measured: {why}");
}

fn on_irq(vector: u32) {
    if vector == u32::from(PING) {
        lapic::send_ipi(BOOT_APIC_ID.load(Ordering::SeqCst), PONG);
    } else if vector == u32::from(PONG) {
        PONGS.fetch_add(1, Ordering::SeqCst);
    } else {
        println!("bench: FAIL: unexpected interrupt, vector {vector:#x}");
    }
}

/// CPU 1: answers each PING, halted in between.
fn receiver(_me: usize) -> ! {
    loop {
        cpu::wait_for_interrupt();
    }
}

/// IPI round trips to CPU 1 (interrupts on while waiting).
fn ipi(platform: &Platform) {
    if platform.cpus().len() < 2 {
        return not_measured("ipi", format_args!("one CPU"));
    }
    if let Err(e) = smp::start_cpu(1, receiver) {
        return not_measured("ipi", format_args!("cpu 1 did not start: {e:?}"));
    }
    let target = platform.cpus()[1];
    let result = SAMPLES.with(|samples| {
        cpu::enable_irqs();
        let mut result = Ok(());
        for slot in samples.iter_mut() {
            let before = PONGS.load(Ordering::SeqCst);
            let start = tsc::now();
            let limit = start + tsc::us_to_ticks(WAIT_US);
            lapic::send_ipi(target, PING);
            while PONGS.load(Ordering::SeqCst) == before {
                if tsc::now() > limit {
                    result = Err("no answer from cpu 1");
                    break;
                }
                core::hint::spin_loop();
            }
            *slot = tsc::now() - start;
            if result.is_err() {
                break;
            }
        }
        cpu::disable_irqs();
        result.map(|()| stats(samples))
    });
    match result {
        Ok(s) => row("ipi", s),
        Err(why) => println!("bench: FAIL: ipi: {why}"),
    }
}

/// A null hypercall (RAX 0): VMMCALL on AMD, VMCALL on Intel; a fault it
/// raises inside `catch` is recorded and skipped.
fn hypercall(amd: bool) -> u64 {
    let mut rax: u64 = 0;
    // SAFETY: a hypercall only leaves the VM for the hypervisor; its
    // fixup entries make a #UD (no hypervisor answering) recoverable.
    unsafe {
        if amd {
            core::arch::asm!(
                "2: vmmcall",
                "3:",
                ".pushsection .gs_fixups, \"a\"",
                ".balign 8",
                ".quad 2b, 3b",
                ".popsection",
                inout("rax") rax, options(nostack)
            );
        } else {
            core::arch::asm!(
                "2: vmcall",
                "3:",
                ".pushsection .gs_fixups, \"a\"",
                ".balign 8",
                ".quad 2b, 3b",
                ".popsection",
                inout("rax") rax, options(nostack)
            );
        }
    }
    rax
}

fn vmcall() {
    if !cpu::hypervisor_present() {
        return not_measured("vmcall", format_args!("no hypervisor"));
    }
    let amd = cpu::is_amd();
    let first: Result<u64, Fault> = catch(|| hypercall(amd));
    match first {
        Err(fault) => not_measured("vmcall", format_args!("exception: {fault}")),
        Ok(_) => row(
            "vmcall",
            measure(|| {
                hypercall(amd);
            }),
        ),
    }
}

pub fn main(platform: &'static Platform) -> ! {
    exceptions::set_irq_handler(on_irq);
    BOOT_APIC_ID.store(lapic::id(), Ordering::SeqCst);
    println!(
        "bench: TSC {} MHz, {ITERATIONS} iterations, TSC ticks per round trip",
        tsc::hz() / 1_000_000
    );
    row("empty", measure(|| {}));
    row(
        "cpuid",
        measure(|| {
            core::hint::black_box(cpu::cpuid(0));
        }),
    );
    row(
        "pio-read",
        measure(|| {
            // SAFETY: COM1's line status register only reports state.
            core::hint::black_box(unsafe { gsupport::x86_64::port::inb(COM1 + LSR) });
        }),
    );
    let apic_id = lapic::register_address(lapic::LAPIC_ID);
    row(
        "lapic-read",
        measure(|| {
            // SAFETY: the local APIC's ID register: aligned, mapped
            // uncached, reading it has no side effect.
            unsafe { mmio::read32(apic_id) };
        }),
    );
    match platform.ioapic {
        Some(io) => {
            let ioregsel = io.addr as usize;
            // SAFETY: IOREGSEL, the I/O APIC's index register: aligned,
            // mapped uncached; reading it has no side effect.
            let value = unsafe { mmio::read32(ioregsel) };
            row(
                "mmio-read",
                measure(|| {
                    // SAFETY: as above.
                    unsafe { mmio::read32(ioregsel) };
                }),
            );
            row(
                "mmio-write",
                measure(|| {
                    // SAFETY: writes back the index it holds: no change.
                    unsafe { mmio::write32(ioregsel, value) };
                }),
            );
        }
        None => not_measured("mmio-read", format_args!("no I/O APIC in the MADT")),
    }
    ipi(platform);
    vmcall();
    println!("bench: done, powering off");
    power::system_off()
}
