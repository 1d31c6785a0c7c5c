//! Interrupt storms: SGIs to every CPU (and to CPUs that do not exist),
//! every SPI's enable and pending bits flipped at random, and WFI in a
//! tight loop with the virtual timer set a few microseconds ahead (or in
//! the past). The handler counts what arrives and disables each SPI it
//! takes, so a device line left high cannot hold the CPU.

use crate::rng::Rng;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use gsupport::gic::Trigger;
use gsupport::{Platform, cpu, exceptions, gic, mmio, timer};

/// GICD_TYPER.
const GICD_TYPER: usize = 0x4;
/// GICD_TYPER.ITLinesNumber: SPIs in blocks of 32 (less the first 32).
const TYPER_ITLINES: u32 = 0x1f;
/// GICD_ISENABLER, ICENABLER, ISPENDR, ICPENDR (one bit per INTID).
const GICD_BIT_REGS: [usize; 4] = [0x100, 0x180, 0x200, 0x280];
const GICD_ICENABLER: usize = 0x180;
const GICD_ICPENDR: usize = 0x280;
/// GICD_SGIR (GICv2): TargetListFilter 1 = every CPU but this one.
const GICD_SGIR: usize = 0xf00;
const SGIR_ALL_OTHERS: u32 = 1 << 24;
/// ICC_SGI1R_EL1.IRM: every PE but this one.
const SGI1R_IRM: u64 = 1 << 40;
/// ICC_SGI1R_EL1.INTID shift.
const SGI1R_INTID_SHIFT: u32 = 24;
/// The SGI the storms use on purpose.
pub const STORM_SGI: u32 = 3;

/// GICD_CTLR.
const GICD_CTLR: usize = 0x0;

static CTLR: AtomicUsize = AtomicUsize::new(0);
static IRQS: AtomicU64 = AtomicU64::new(0);
static GICD: AtomicUsize = AtomicUsize::new(0);
static TIMER_INTID: AtomicUsize = AtomicUsize::new(27);

/// Interrupts taken so far (all CPUs).
pub fn taken() -> u64 {
    IRQS.load(Ordering::Relaxed)
}

fn on_irq(intid: u32) {
    IRQS.fetch_add(1, Ordering::Relaxed);
    if intid as usize == TIMER_INTID.load(Ordering::Relaxed) {
        timer::stop();
    } else if intid >= 32 {
        let reg = GICD.load(Ordering::Relaxed) + GICD_ICENABLER + 4 * (intid as usize / 32);
        // SAFETY: the SPI's clear-enable bit in the GIC the tree names.
        unsafe { mmio::write32(reg, 1 << (intid % 32)) };
    }
}

/// Sets up the GIC, the handler and this CPU's interrupts.
pub fn init(platform: &Platform) -> Option<u32> {
    let version = gic::init()?;
    let gicd = match platform.gic {
        gsupport::dt::GicInfo::V2 { gicd, .. } | gsupport::dt::GicInfo::V3 { gicd, .. } => gicd,
        gsupport::dt::GicInfo::None => return None,
    };
    GICD.store(gicd, Ordering::Relaxed);
    // SAFETY: GICD_CTLR of the tree's GIC, as the driver left it.
    let ctlr = unsafe { mmio::read32(gicd + GICD_CTLR) };
    CTLR.store(ctlr as usize, Ordering::Relaxed);
    TIMER_INTID.store(platform.timer.virt as usize, Ordering::Relaxed);
    exceptions::set_irq_handler(on_irq);
    init_cpu(platform);
    Some(version)
}

/// Enables this CPU's storm SGI and timer interrupt.
pub fn init_cpu(platform: &Platform) {
    gic::enable(STORM_SGI, Trigger::Edge);
    gic::enable(platform.timer.virt, Trigger::Level);
}

/// Puts back what random writes may have changed and the storms need:
/// the distributor's enables and this CPU's SGI and timer interrupt.
pub fn restore(platform: &Platform) {
    let gicd = GICD.load(Ordering::Relaxed);
    let ctlr = CTLR.load(Ordering::Relaxed) as u32;
    // SAFETY: GICD_CTLR of the tree's GIC.
    let _ = exceptions::catch(|| unsafe { mmio::write32(gicd + GICD_CTLR, ctlr) });
    init_cpu(platform);
}

fn spi_words() -> usize {
    // SAFETY: GICD_TYPER of the tree's GIC, read-only.
    let typer = unsafe { mmio::read32(GICD.load(Ordering::Relaxed) + GICD_TYPER) };
    (typer & TYPER_ITLINES) as usize
}

/// Takes what is pending for a moment with interrupts unmasked.
pub fn drain(us: u64) {
    cpu::enable_irqs();
    timer::delay_us(us);
    cpu::disable_irqs();
}

/// Sends `count` SGIs: to all other CPUs, and with random targets.
pub fn sgi_storm(rng: &mut Rng, count: u64) -> u64 {
    let gicd = GICD.load(Ordering::Relaxed);
    for _ in 0..count {
        let sgi = if rng.one_in(2) {
            STORM_SGI
        } else {
            rng.below(16) as u32
        };
        if gic::version() == 3 {
            let value = if rng.one_in(2) {
                SGI1R_IRM | (u64::from(sgi) << SGI1R_INTID_SHIFT)
            } else {
                rng.next() & !(0xfu64 << 44)
            };
            // SAFETY: ICC_SGI1R_EL1 only raises SGIs (trapped by IMO).
            let _ = exceptions::catch(|| unsafe {
                core::arch::asm!("msr S3_0_C12_C11_5, {0}", "isb", in(reg) value, options(nostack))
            });
        } else {
            let value = if rng.one_in(2) {
                SGIR_ALL_OTHERS | sgi
            } else {
                rng.next() as u32 & 0x03ff_800f
            };
            // SAFETY: GICD_SGIR only raises SGIs.
            let _ = exceptions::catch(|| unsafe { mmio::write32(gicd + GICD_SGIR, value) });
        }
    }
    drain(200);
    count
}

/// Flips every SPI's enable and pending bits at random, lets them in,
/// then disables and clears them all.
pub fn spi_storm(rng: &mut Rng) -> u64 {
    let gicd = GICD.load(Ordering::Relaxed);
    let words = spi_words();
    let mut writes = 0;
    for _ in 0..4 {
        for word in 1..=words {
            let reg = gicd + rng.pick(&GICD_BIT_REGS) + 4 * word;
            // SAFETY: a set/clear register of the GIC's SPIs.
            let _ = exceptions::catch(|| unsafe { mmio::write32(reg, rng.next() as u32) });
            writes += 1;
        }
        drain(100);
    }
    for word in 1..=words {
        // SAFETY: as above.
        let _ = exceptions::catch(|| unsafe {
            mmio::write32(gicd + GICD_ICENABLER + 4 * word, u32::MAX);
            mmio::write32(gicd + GICD_ICPENDR + 4 * word, u32::MAX);
        });
        writes += 2;
    }
    writes
}

/// `count` WFIs with interrupts masked, the virtual timer a few
/// microseconds ahead or already due, so each one ends.
pub fn wfi_storm(rng: &mut Rng, count: u64) -> u64 {
    for _ in 0..count {
        let ahead = rng.below(timer::us_to_ticks(300).max(2));
        if rng.one_in(4) {
            timer::set_deadline(timer::counter().wrapping_sub(ahead));
        } else {
            timer::set_timeout(ahead);
        }
        cpu::wfi();
    }
    timer::stop();
    drain(50);
    count
}
