//! `hostile`: a guest that attacks the hypervisor from inside its VM,
//! seeded and bounded in time. Every round it makes random MMIO accesses
//! of every kind across the address space and into every device region,
//! reads and writes system registers no guest should have (implementation
//! defined, debug, trace, PMU, EL2 and EL3), makes HVC and SMC calls with
//! random immediates and function ids, calls PSCI with bad arguments,
//! storms the GIC with SGIs and SPI enable/pending flips, storms WFI, and
//! hands each virtio device malformed virtqueues. The other CPUs run the
//! MMIO, register and SGI attacks at the same time. It takes its own
//! exceptions (an abort or undefined instruction the hypervisor injects)
//! and goes on, counting them.
//!
//! Command line (`cmdline` in the VM configuration): `hostile.seed=N`
//! (default: the counter), `hostile.seconds=N` (default 6). It refuses to
//! run on anything but `qvm` (bare QEMU has real devices it would break).
//!
//! ```text
//! hostile: seed 0x2a, 2 CPUs, GICv3, 3 virtio devices, 6 s
//! hostile: round 1: 1234 accesses, 456 exceptions, 78 interrupts
//! hostile: done, 9876 accesses, 3456 exceptions taken
//! ```
#![cfg_attr(target_os = "none", no_std)]
#![cfg_attr(target_os = "none", no_main)]

#[cfg(target_os = "none")]
mod access;
#[cfg(target_os = "none")]
mod irqs;
#[cfg(target_os = "none")]
mod power;
#[cfg(target_os = "none")]
mod rng;
#[cfg(target_os = "none")]
mod storm;
#[cfg(target_os = "none")]
mod sysregs;
#[cfg(target_os = "none")]
mod virtq;

#[cfg(target_os = "none")]
gsupport::entry!(guest::main);

#[cfg(target_os = "none")]
mod guest {
    use crate::rng::Rng;
    use crate::storm::Targets;
    use crate::{irqs, power, storm, sysregs, virtq};
    use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use gsupport::dt::{DeviceNode, compatible_devices};
    use gsupport::exceptions::catch;
    use gsupport::{Platform, cpu, entry, println, psci, smp, timer};

    /// CPACR_EL1.FPEN: FP/SIMD at EL1 and EL0 not trapped.
    const CPACR_FPEN: u64 = 3 << 20;
    /// PSCI CPU_OFF.
    const CPU_OFF: u64 = 0x8400_0002;
    /// The root `compatible` qvm gives its device trees.
    const QVM_COMPATIBLE: &[u8] = b"qhv,qvm-virt";

    static SEED: AtomicU64 = AtomicU64::new(0);
    static STOP: AtomicBool = AtomicBool::new(false);
    static ACCESSES: AtomicU64 = AtomicU64::new(0);
    static EXCEPTIONS: AtomicU64 = AtomicU64::new(0);
    static TARGETS: gsupport::sync::IrqMutex<Option<&'static Targets>> =
        gsupport::sync::IrqMutex::new(None);

    fn count(accesses: u64, exceptions: u64) {
        ACCESSES.fetch_add(accesses, Ordering::Relaxed);
        EXCEPTIONS.fetch_add(exceptions, Ordering::Relaxed);
    }

    /// `n` random register reads and writes and `n` random calls.
    fn registers(rng: &mut Rng, n: u64) {
        let mut faults = 0;
        for _ in 0..n {
            faults += u64::from(catch(|| sysregs::random_read(rng)).is_err());
            faults += u64::from(catch(|| sysregs::random_write(rng)).is_err());
            faults += u64::from(catch(|| sysregs::random_call(rng)).is_err());
        }
        count(3 * n, faults);
    }

    fn enable_fp() {
        // SAFETY: only lets this CPU use FP/SIMD at EL1 (the SIMD probes).
        unsafe {
            core::arch::asm!("mrs {t}, cpacr_el1", "orr {t}, {t}, {f}", "msr cpacr_el1, {t}", "isb",
                t = out(reg) _, f = in(reg) CPACR_FPEN, options(nostack))
        };
    }

    fn secondary(me: usize) -> ! {
        enable_fp();
        let platform = entry::platform();
        irqs::init_cpu(platform);
        let mut rng = Rng::new(SEED.load(Ordering::SeqCst) ^ (me as u64) << 56);
        let targets = TARGETS.with(|t| *t);
        while !STOP.load(Ordering::SeqCst) {
            if let Some(t) = targets {
                let (a, f) = storm::storm(&mut rng, platform, t, 64);
                count(a, f);
            }
            registers(&mut rng, 8);
            count(irqs::sgi_storm(&mut rng, 8), 0);
        }
        sysregs::hvc([CPU_OFF, 0, 0, 0]);
        println!("hostile: FAIL: cpu {me} still on after CPU_OFF");
        cpu::halt()
    }

    fn arg(platform: &Platform, name: &str) -> Option<u64> {
        platform.bootargs().split_whitespace().find_map(|w| {
            let v = w.strip_prefix(name)?.strip_prefix('=')?;
            match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16).ok(),
                None => v.parse().ok(),
            }
        })
    }

    fn dtb(platform: &Platform) -> &'static [u8] {
        let len = platform.dtb.end - platform.dtb.start;
        // SAFETY: the device tree the hypervisor handed over, mapped as RAM
        // and never written.
        unsafe { core::slice::from_raw_parts(platform.dtb.start as *const u8, len) }
    }

    pub fn main(platform: &'static Platform) -> ! {
        let tree = dtb(platform);
        if !tree
            .windows(QVM_COMPATIBLE.len())
            .any(|w| w == QVM_COMPATIBLE)
        {
            println!(
                "hostile: refusing to run bare: this guest attacks a hypervisor's devices (run it under qvm)"
            );
            psci::system_off()
        }
        enable_fp();
        let seed = arg(platform, "hostile.seed").unwrap_or_else(timer::counter);
        let seconds = arg(platform, "hostile.seconds").unwrap_or(6);
        SEED.store(seed, Ordering::SeqCst);
        let Some(version) = irqs::init(platform) else {
            println!("hostile: FAIL: no GIC");
            psci::system_off()
        };
        let mut nodes = [DeviceNode::default(); 8];
        let found = compatible_devices(tree, "virtio,mmio", &mut nodes).unwrap_or(0);
        let mut virtio = [0usize; 8];
        for (v, n) in virtio.iter_mut().zip(&nodes).take(found.min(8)) {
            *v = n.reg.start;
        }
        let virtio = &virtio[..found.min(8)];
        let cpus = platform.cpus().len();
        println!(
            "hostile: seed {seed:#x}, {cpus} CPUs, GICv{version}, {} virtio devices, {seconds} s",
            virtio.len()
        );
        let mut rng = Rng::new(seed);
        let me = platform.cpus()[platform.boot_cpu];
        let off = platform.cpus().iter().copied().find(|&m| m != me);
        count(power::attack(platform, &mut rng, off, me), 0);

        static TARGET_SPACE: gsupport::sync::IrqMutex<Option<Targets>> =
            gsupport::sync::IrqMutex::new(None);
        let targets: &'static Targets = TARGET_SPACE.with(|t| {
            let t = t.insert(Targets::new(platform, virtio));
            // SAFETY: written once here, never moved or changed after.
            unsafe { &*(t as *const Targets) }
        });
        TARGETS.with(|t| *t = Some(targets));
        for other in (0..cpus).filter(|&c| c != platform.boot_cpu) {
            if let Err(e) = smp::start_cpu(other, secondary) {
                println!("hostile: cpu {other} did not start: {e:?}");
            }
        }

        let deadline = timer::counter() + seconds * timer::frequency();
        let mut round = 0;
        while timer::counter() < deadline {
            round += 1;
            let (a, f) = storm::storm(&mut rng, platform, targets, 400);
            count(a, f);
            registers(&mut rng, 40);
            count(irqs::sgi_storm(&mut rng, 32), 0);
            count(irqs::spi_storm(&mut rng), 0);
            count(irqs::wfi_storm(&mut rng, 64), 0);
            count(virtq::attack(&mut rng, platform, virtio, 2), 0);
            if let Some(&other) = platform.cpus().iter().find(|&&m| m != me) {
                if !power::cpu_on_running(platform, other, &mut rng) {
                    println!("hostile: CPU_ON of a running CPU did not answer ALREADY_ON");
                }
                count(1, 0);
            }
            irqs::restore(platform);
            println!(
                "hostile: round {round}: {} accesses, {} exceptions, {} interrupts",
                ACCESSES.load(Ordering::Relaxed),
                EXCEPTIONS.load(Ordering::Relaxed),
                irqs::taken()
            );
        }
        STOP.store(true, Ordering::SeqCst);
        let wait = timer::counter() + 5 * timer::frequency();
        for (i, &mpidr) in platform.cpus().iter().enumerate() {
            while i != platform.boot_cpu
                && psci::affinity_info(mpidr) == Ok(psci::AffinityState::On)
                && timer::counter() < wait
            {
                core::hint::spin_loop();
            }
        }
        println!(
            "hostile: done, {} accesses, {} exceptions taken",
            ACCESSES.load(Ordering::Relaxed),
            EXCEPTIONS.load(Ordering::Relaxed)
        );
        psci::system_off()
    }
}

/// On the build host there is nothing to run.
#[cfg(not(target_os = "none"))]
fn main() {
    eprintln!("hostile is a guest: it runs under qvm (boot/vm/hostile-*.qvmconf)");
}
