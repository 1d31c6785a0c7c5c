//! The guest's GIC at EL1 through `arm-gic`: version 2 (memory-mapped
//! distributor and CPU interface) or 3 (system-register CPU interface and
//! one redistributor per CPU), as the device tree says.
//!
//! [`init`] sets up the distributor and the boot CPU; every CPU that
//! `smp::start_cpu` starts sets up its own interface. Interrupts are all
//! Non-secure Group 1 on GICv3; on GICv2 they are acknowledged through
//! GICC_IAR, which is the Non-secure guest's view whether or not the GIC
//! has the Security Extensions. A guest entered at EL3 has its own
//! monitor put a GICv2's interrupts in Group 1 first (`el3.rs`).

use crate::dt::GicInfo;
use crate::sync::IrqMutex;
use crate::{MAX_CPUS, cpu, entry};
use arm_gic::gicv2::{GicV2, SgiTarget as SgiTargetV2, SgiTargetListFilter};
use arm_gic::gicv3::{GicCpuInterface, GicV3, SgiTarget, SgiTargetGroup};
use arm_gic::{IntId, InterruptGroup, UniqueMmioPointer};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, Ordering};

pub use arm_gic::Trigger;

/// Priority of every interrupt the guest enables.
const PRIORITY: u8 = 0x80;
/// GICD_ITARGETSR<n> (GICv2, byte access).
const GICD_ITARGETSR: usize = 0x800;

enum Driver {
    V2 {
        gic: GicV2<'static>,
        gicd: usize,
        gicc: usize,
        /// Each CPU's interface mask (its banked ITARGETSR0 byte).
        masks: [u8; MAX_CPUS],
    },
    V3 {
        gic: GicV3<'static>,
        /// Each CPU's redistributor index (by GICR_TYPER affinity).
        frames: [usize; MAX_CPUS],
    },
}

static GIC: IrqMutex<Option<Driver>> = IrqMutex::new(None);
/// 0 before [`init`], else the version.
static VERSION: AtomicU32 = AtomicU32::new(0);

/// The driver's identifier for a raw INTID.
fn to_intid(intid: u32) -> IntId {
    match intid {
        0..16 => IntId::sgi(intid),
        16..32 => IntId::ppi(intid - 16),
        _ => IntId::spi(intid - 32),
    }
}

/// Sets up the GIC of the device tree: the distributor, then this CPU's
/// interface. Returns the version (2 or 3), or `None` without a GIC.
pub fn init() -> Option<u32> {
    let platform = entry::platform();
    let cpus = platform.cpus();
    let driver = match platform.gic {
        GicInfo::None => return None,
        GicInfo::V2 { gicd, gicc } => {
            // Entered at EL3: every interrupt to Group 1 first.
            crate::el3::gic_to_group1(gicd, gicc, true);
            // SAFETY: the device tree's GIC, identity-mapped as Device
            // memory; this is the only driver instance.
            let gic = unsafe { GicV2::new(gicd as *mut _, gicc as *mut _) };
            Driver::V2 {
                gic,
                gicd,
                gicc,
                masks: [0; MAX_CPUS],
            }
        }
        GicInfo::V3 { gicd, gicr } => {
            // SAFETY: as above; one redistributor frame per CPU of the tree.
            let mut gic = unsafe {
                GicV3::new(
                    UniqueMmioPointer::new(NonNull::new(gicd as *mut _)?),
                    NonNull::new(gicr as *mut _)?,
                    platform.cpus_in_tree,
                )
                .ok()?
            };
            let mut frames = [0; MAX_CPUS];
            for (cpu, frame) in frames.iter_mut().enumerate().take(cpus.len()) {
                *frame = (0..platform.cpus_in_tree)
                    .find(|&f| gic.gicr_typer(f).is_ok_and(|t| t.core_mpidr() == cpus[cpu]))
                    .unwrap_or(cpu);
            }
            gic.setup(frames[cpu::index()]);
            Driver::V3 { gic, frames }
        }
    };
    let version = match driver {
        Driver::V2 { .. } => 2,
        Driver::V3 { .. } => 3,
    };
    GIC.with(|g| *g = Some(driver));
    VERSION.store(version, Ordering::SeqCst);
    init_cpu();
    Some(version)
}

/// The GIC version, 0 before [`init`].
pub fn version() -> u32 {
    VERSION.load(Ordering::SeqCst)
}

/// Sets up this CPU's interface (after [`init`]; a no-op before).
pub(crate) fn init_cpu() {
    let me = cpu::index();
    GIC.with(|g| match g {
        None => {}
        Some(Driver::V2 {
            gic,
            gicd,
            gicc,
            masks,
        }) => {
            // This CPU's SGIs and PPIs (banked) to Group 1 (the boot CPU
            // has done its own in `init`).
            if me != entry::platform().boot_cpu {
                crate::el3::gic_to_group1(*gicd, *gicc, false);
            }
            gic.setup();
            // SAFETY: ITARGETSR0..7 are banked and read-only: byte 0 is
            // this CPU's own interface mask.
            let mask = unsafe { core::ptr::read_volatile((*gicd + GICD_ITARGETSR) as *const u8) };
            // A uniprocessor GIC reads as zero there: its one interface.
            masks[me] = if mask == 0 { 1 << (me % 8) } else { mask };
        }
        Some(Driver::V3 { gic, frames }) => {
            gic.init_cpu(frames[me]);
            GicCpuInterface::set_priority_mask(0xff);
            GicCpuInterface::enable_group1(true);
        }
    });
}

/// Enables interrupt `intid`: a private one (SGI, PPI) on this CPU, a
/// shared one routed to this CPU.
pub fn enable(intid: u32, trigger: Trigger) {
    let me = cpu::index();
    let id = to_intid(intid);
    let mpidr = entry::platform().cpus()[me];
    GIC.with(|g| match g {
        None => {}
        Some(Driver::V2 {
            gic, gicd, masks, ..
        }) => {
            gic.set_trigger(id, trigger);
            gic.set_interrupt_priority(id, PRIORITY);
            if intid >= 32 {
                // SAFETY: the SPI's ITARGETSR byte of this GIC.
                unsafe {
                    core::ptr::write_volatile(
                        (*gicd + GICD_ITARGETSR + intid as usize) as *mut u8,
                        masks[me],
                    )
                };
            }
            let _ = gic.enable_interrupt(id, true);
        }
        Some(Driver::V3 { gic, frames }) => {
            let target = id.is_private().then_some(frames[me]);
            let _ = gic.set_trigger(id, target, trigger);
            let _ = gic.set_interrupt_priority(id, target, PRIORITY);
            if !id.is_private() {
                let _ = gic.distributor().set_routing(id, Some(mpidr));
            }
            let _ = gic.enable_interrupt(id, target, true);
        }
    });
}

/// An interrupt taken with [`acknowledge`], to be given to [`end`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Acked(IntId);

impl Acked {
    /// Its INTID (without GICv2's source CPU bits).
    pub fn intid(self) -> u32 {
        u32::from(self.0) & 0x3ff
    }
}

/// Takes the highest-priority pending interrupt, if any. On GICv2 the
/// value keeps an SGI's source CPU, which the end of interrupt needs.
pub fn acknowledge() -> Option<Acked> {
    let id = match version() {
        3 => GicCpuInterface::get_and_acknowledge_interrupt(InterruptGroup::Group1),
        2 => GIC.with(|g| match g {
            Some(Driver::V2 { gic, .. }) => {
                gic.get_and_acknowledge_interrupt(InterruptGroup::Group0)
            }
            _ => None,
        }),
        _ => None,
    };
    id.map(Acked).filter(|a| a.intid() < 1020)
}

/// Ends an interrupt [`acknowledge`] returned.
pub fn end(irq: Acked) {
    match version() {
        3 => GicCpuInterface::end_interrupt(irq.0, InterruptGroup::Group1),
        2 => GIC.with(|g| {
            if let Some(Driver::V2 { gic, .. }) = g {
                gic.end_interrupt(irq.0, InterruptGroup::Group0);
            }
        }),
        _ => {}
    }
}

/// Sends SGI `sgi` (0-15) to guest CPU `cpu`.
pub fn send_sgi(sgi: u32, cpu: usize) {
    let Some(&mpidr) = entry::platform().cpus().get(cpu) else {
        return;
    };
    match version() {
        3 => {
            let target = SgiTarget::List {
                affinity3: (mpidr >> 32) as u8,
                affinity2: (mpidr >> 16) as u8,
                affinity1: (mpidr >> 8) as u8,
                target_list: 1 << (mpidr & 0xf),
            };
            let _ =
                GicCpuInterface::send_sgi(IntId::sgi(sgi), target, SgiTargetGroup::CurrentGroup1);
        }
        2 => GIC.with(|g| {
            if let Some(Driver::V2 { gic, masks, .. }) = g {
                let (filter, list) = if cpu == crate::cpu::index() {
                    (SgiTargetListFilter::ForwardSelfOnly, 0)
                } else {
                    (SgiTargetListFilter::CPUTargetList, u16::from(masks[cpu]))
                };
                let target = SgiTargetV2::List {
                    target_list_filter: filter,
                    target_list: list,
                };
                gic.send_sgi(IntId::sgi(sgi), target);
            }
        }),
        _ => {}
    }
}

/// GICD_SGIR (GICv2): software generated interrupt register.
const GICD_SGIR: usize = 0xf00;

/// An SGI to one CPU, worked out in advance so that sending it is a single
/// instruction (for the benchmarks, which time that instruction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SgiSender {
    /// GICv3: this value written to ICC_SGI1R_EL1.
    V3(u64),
    /// GICv2: `value` stored to GICD_SGIR at `sgir`.
    V2 {
        /// Address of GICD_SGIR.
        sgir: usize,
        /// The register value: target list and INTID.
        value: u32,
    },
}

impl SgiSender {
    /// Sends the SGI: one `msr` (GICv3) or one `str` (GICv2).
    #[inline(always)]
    pub fn send(self) {
        match self {
            // SAFETY: generating a Group 1 SGI is what this register is for;
            // it touches no memory.
            SgiSender::V3(value) => unsafe {
                core::arch::asm!("msr icc_sgi1r_el1, {0}", in(reg) value, options(nostack))
            },
            // SAFETY: GICD_SGIR of the device tree's GIC, mapped as Device
            // memory; writing it only generates the SGI.
            SgiSender::V2 { sgir, value } => unsafe { crate::mmio::write32(sgir, value) },
        }
    }
}

/// The one-instruction sender of SGI `sgi` (0-15) to guest CPU `cpu`, once
/// the GIC is set up and (on GICv2) that CPU has set up its interface.
pub fn sgi_sender(sgi: u32, cpu: usize) -> Option<SgiSender> {
    let &mpidr = entry::platform().cpus().get(cpu)?;
    if sgi > 15 {
        return None;
    }
    match version() {
        3 => {
            // ICC_SGI1R_EL1: Aff3 [55:48], RS [47:44], Aff2 [39:32],
            // INTID [27:24], Aff1 [23:16], target list [15:0].
            let aff0 = mpidr & 0xff;
            let value = ((mpidr >> 32) & 0xff) << 48
                | (aff0 >> 4) << 44
                | ((mpidr >> 16) & 0xff) << 32
                | u64::from(sgi) << 24
                | ((mpidr >> 8) & 0xff) << 16
                | 1 << (aff0 & 0xf);
            Some(SgiSender::V3(value))
        }
        2 => GIC.with(|g| match g {
            Some(Driver::V2 { gicd, masks, .. }) if masks[cpu] != 0 => Some(SgiSender::V2 {
                sgir: *gicd + GICD_SGIR,
                // TargetListFilter 0 (the list), CPUTargetList [23:16], INTID.
                value: u32::from(masks[cpu]) << 16 | sgi,
            }),
            _ => None,
        }),
        _ => None,
    }
}
