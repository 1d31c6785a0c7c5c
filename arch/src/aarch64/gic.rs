//! The host's GIC: version 2 through its memory-mapped distributor and CPU
//! interface (IHI 0048B), version 3 through the `arm-gic` driver (system
//! register CPU interface, redistributors, affinity routing).
//!
//! The kernel runs Non-secure, so on GICv2 it acknowledges with GICC_IAR
//! (the Non-secure view of Group 1) and on GICv3 with ICC_IAR1_EL1.
//!
//! Priority drop and deactivation are split (EOImode 1): an interrupt
//! passed to a VM stays active after the kernel's priority drop until the
//! guest's EOI of the virtual interrupt bound to it deactivates it through
//! the list register's HW bit; the kernel's own interrupts get both writes.

use crate::IrqChip;
use arm_gic::gicv3::{GicCpuInterface, GicV3, SgiTarget, SgiTargetGroup};
use arm_gic::{IntId, InterruptGroup, Trigger, UniqueMmioPointer};
use core::arch::asm;
use core::ptr::NonNull;

/// GICD_CTLR.
const GICD_CTLR: usize = 0x000;
/// GICD_TYPER.
const GICD_TYPER: usize = 0x004;
/// GICD_ISENABLER<n>.
const GICD_ISENABLER: usize = 0x100;
/// GICD_ICENABLER<n>.
const GICD_ICENABLER: usize = 0x180;
/// GICD_ICACTIVER<n> (GICv2 and GICv3).
const GICD_ICACTIVER: usize = 0x380;
/// GICD_IPRIORITYR<n> (byte access).
const GICD_IPRIORITYR: usize = 0x400;
/// GICD_ITARGETSR<n> (byte access).
const GICD_ITARGETSR: usize = 0x800;
/// GICD_ICFGR<n>.
const GICD_ICFGR: usize = 0xc00;
/// GICD_SGIR.
const GICD_SGIR: usize = 0xf00;
/// GICC_CTLR.
const GICC_CTLR: usize = 0x00;
/// GICC_PMR.
const GICC_PMR: usize = 0x04;
/// GICC_IAR.
const GICC_IAR: usize = 0x0c;
/// GICC_EOIR.
const GICC_EOIR: usize = 0x10;
/// GICC_DIR (the second 4 KiB page of the CPU interface).
const GICC_DIR: usize = 0x1000;
/// GICC_CTLR.EnableGrp1 in the Non-secure view, EnableGrp0 without the
/// Security Extensions (where the kernel's interrupts stay in Group 0).
const GICC_CTLR_ENABLE: u32 = 1 << 0;
/// GICC_CTLR.EOImodeNS in the Non-secure view, EOImodeS (Group 0)
/// without the Security Extensions: a write to GICC_EOIR only drops the
/// priority, GICC_DIR deactivates (IHI 0048B 4.4.1).
const GICC_CTLR_EOIMODE: u32 = 1 << 9;
/// ICC_CTLR_EL1.EOImode: ICC_EOIR1_EL1 only drops the priority,
/// ICC_DIR_EL1 deactivates (IHI 0069 12.2.6).
const ICC_CTLR_EOIMODE: u64 = 1 << 1;
/// INTIDs from 1020 up are special (no interrupt pending).
const INTID_SPECIAL: u32 = 1020;
/// Priority given to every interrupt the kernel uses.
const DEFAULT_PRIORITY: u8 = 0x80;
/// Most CPUs a GICv2 can serve.
const GICV2_MAX_CPUS: usize = 8;
/// Most CPUs this driver keeps affinities for.
pub const MAX_CPUS: usize = 64;

/// A GIC version 2.
pub struct GicV2Regs {
    gicd: usize,
    gicc: usize,
    /// GICv2 CPU-interface masks, by CPU index (read from ITARGETSR0).
    cpu_masks: [u8; GICV2_MAX_CPUS],
}

impl GicV2Regs {
    fn read(&self, base: usize, offset: usize) -> u32 {
        // SAFETY: `base` is the identity-mapped device region of this GIC,
        // given to `Gic::new_v2`; offsets are registers of it.
        unsafe { core::ptr::read_volatile((base + offset) as *const u32) }
    }
    fn write(&self, base: usize, offset: usize, value: u32) {
        // SAFETY: as in `read`.
        unsafe { core::ptr::write_volatile((base + offset) as *mut u32, value) }
    }
    fn write_byte(&self, base: usize, offset: usize, value: u8) {
        // SAFETY: as in `read`; these registers are byte-accessible.
        unsafe { core::ptr::write_volatile((base + offset) as *mut u8, value) }
    }
}

/// The host GIC.
#[allow(
    clippy::large_enum_variant,
    reason = "one instance, in the kernel state"
)]
pub enum Gic {
    /// Version 2.
    V2(GicV2Regs),
    /// Version 3 (or 4), with the MPIDR affinity of each CPU index and
    /// where the redistributors are.
    V3(GicV3<'static>, [u64; MAX_CPUS], Redistributors),
}

/// The frames of a GICv3 for the register writes made directly rather
/// than through the driver: [`IrqChip::set_masked`]'s (the driver's way
/// there takes several times the instructions) and
/// [`IrqChip::clear_active`]'s (the driver has none).
pub struct Redistributors {
    /// The distributor's base.
    gicd: usize,
    /// The first one's RD_base frame.
    base: usize,
    /// From one to the next: 128 KiB (GICv3), 256 KiB (GICv4 with
    /// virtual LPIs).
    stride: usize,
    /// How many (one per CPU index).
    count: usize,
}

/// GICR_TYPER (RD_base frame).
const GICR_TYPER: usize = 0x8;
/// GICR_TYPER.VLPIS: the redistributors have the two GICv4 frames more.
const GICR_TYPER_VLPIS: u64 = 1 << 1;
/// The SGI_base frame, after RD_base.
const GICR_SGI_BASE: usize = 0x1_0000;
/// GICR_ISENABLER0 and GICR_ICENABLER0 (SGI_base frame).
const GICR_ISENABLER0: usize = 0x100;
const GICR_ICENABLER0: usize = 0x180;

impl Gic {
    /// A GICv2 at `gicd` / `gicc` (identity-mapped device memory).
    ///
    /// # Safety
    /// The addresses must be the GIC's, mapped, and used by nothing else.
    pub unsafe fn new_v2(gicd: usize, gicc: usize) -> Gic {
        Gic::V2(GicV2Regs {
            gicd,
            gicc,
            cpu_masks: [0; GICV2_MAX_CPUS],
        })
    }

    /// A GICv3 at `gicd` with redistributors from `gicr`; `mpidrs` are the
    /// affinities of the CPUs by index.
    ///
    /// # Safety
    /// As for [`Gic::new_v2`].
    pub unsafe fn new_v3(gicd: usize, gicr: usize, mpidrs: &[u64]) -> Option<Gic> {
        let mut affinity = [0; MAX_CPUS];
        for (slot, m) in affinity.iter_mut().zip(mpidrs) {
            *slot = *m;
        }
        // SAFETY: the caller guarantees both regions are this GIC's, mapped
        // and unaliased.
        let gic = unsafe {
            GicV3::new(
                UniqueMmioPointer::new(NonNull::new(gicd as *mut _)?),
                NonNull::new(gicr as *mut _)?,
                mpidrs.len(),
            )
        }
        .ok()?;
        // The driver checked the layout (GICR_PIDR2 against VLPIS).
        // SAFETY: the first redistributor's GICR_TYPER, a 64-bit register
        // of the region the caller gave.
        let typer = unsafe { core::ptr::read_volatile((gicr + GICR_TYPER) as *const u64) };
        let redists = Redistributors {
            gicd,
            base: gicr,
            stride: if typer & GICR_TYPER_VLPIS != 0 {
                0x4_0000
            } else {
                0x2_0000
            },
            count: mpidrs.len(),
        };
        Some(Gic::V3(gic, affinity, redists))
    }

    /// Sets up the distributor (CPU 0, once).
    pub fn init_distributor(&mut self) {
        match self {
            Gic::V2(r) => {
                let lines = ((r.read(r.gicd, GICD_TYPER) & 0x1f) as usize + 1) * 32;
                r.write(r.gicd, GICD_CTLR, 0);
                for n in 1..lines / 32 {
                    r.write(r.gicd, GICD_ICENABLER + 4 * n, u32::MAX);
                }
                for intid in 32..lines {
                    r.write_byte(r.gicd, GICD_IPRIORITYR + intid, DEFAULT_PRIORITY);
                }
                // Enable both groups: with the Security Extensions the
                // Non-secure view's bit 0 is Group 1; without, bit 0 is
                // Group 0, where everything stays.
                r.write(r.gicd, GICD_CTLR, 0b11);
            }
            Gic::V3(gic, ..) => {
                GicCpuInterface::enable_system_register_el2(true);
                gic.setup(0);
            }
        }
    }
}

/// The driver's interrupt identifier for a raw INTID.
fn to_intid(intid: u32) -> IntId {
    match intid {
        0..16 => IntId::sgi(intid),
        16..32 => IntId::ppi(intid - 16),
        _ => IntId::spi(intid - 32),
    }
}

impl IrqChip for Gic {
    fn init_cpu(&mut self, cpu: usize) {
        match self {
            Gic::V2(r) => {
                if let Some(mask) = r.cpu_masks.get_mut(cpu) {
                    // SAFETY: ITARGETSR0..7 are banked and read-only: each
                    // byte is this CPU's own interface mask.
                    *mask =
                        unsafe { core::ptr::read_volatile((r.gicd + GICD_ITARGETSR) as *const u8) };
                }
                for intid in 0..32 {
                    r.write_byte(r.gicd, GICD_IPRIORITYR + intid, DEFAULT_PRIORITY);
                }
                r.write(r.gicc, GICC_PMR, 0xff);
                r.write(r.gicc, GICC_CTLR, GICC_CTLR_ENABLE | GICC_CTLR_EOIMODE);
            }
            Gic::V3(gic, ..) => {
                GicCpuInterface::enable_system_register_el2(true);
                if cpu != 0 {
                    gic.init_cpu(cpu);
                }
                GicCpuInterface::set_priority_mask(0xff);
                let ctlr: u64;
                // SAFETY: ICC_CTLR_EL1 (S3_0_C12_C12_4), the physical CPU
                // interface's control register (system register access is
                // on: ICC_SRE_EL2.SRE); setting EOImode only changes what
                // an EOI write does, for this kernel's own handler.
                unsafe {
                    asm!("mrs {0}, S3_0_C12_C12_4", out(reg) ctlr, options(nomem, nostack));
                    asm!("msr S3_0_C12_C12_4, {0}", "isb", in(reg) ctlr | ICC_CTLR_EOIMODE,
                        options(nomem, nostack));
                }
                GicCpuInterface::enable_group1(true);
            }
        }
    }

    fn enable(&mut self, intid: u32, cpu: usize, edge: bool) {
        match self {
            Gic::V2(r) => {
                let cfg = GICD_ICFGR + 4 * (intid as usize / 16);
                let bit = 2 << (2 * (intid % 16));
                let old = r.read(r.gicd, cfg);
                if intid >= 32 {
                    r.write(r.gicd, cfg, if edge { old | bit } else { old & !bit });
                    let mask = r.cpu_masks.get(cpu).copied().unwrap_or(1);
                    r.write_byte(r.gicd, GICD_ITARGETSR + intid as usize, mask);
                }
                r.write_byte(r.gicd, GICD_IPRIORITYR + intid as usize, DEFAULT_PRIORITY);
                r.write(
                    r.gicd,
                    GICD_ISENABLER + 4 * (intid as usize / 32),
                    1 << (intid % 32),
                );
            }
            Gic::V3(gic, affinity, _) => {
                let id = to_intid(intid);
                let trigger = if edge { Trigger::Edge } else { Trigger::Level };
                let target = (intid < 32).then_some(cpu);
                let _ = gic.set_trigger(id, target, trigger);
                let _ = gic.set_interrupt_priority(id, target, DEFAULT_PRIORITY);
                if intid >= 32 {
                    let _ = gic
                        .distributor()
                        .set_routing(id, affinity.get(cpu).copied());
                }
                let _ = gic.enable_interrupt(id, target, true);
            }
        }
    }

    fn disable(&mut self, intid: u32, cpu: usize) {
        match self {
            Gic::V2(r) => r.write(
                r.gicd,
                GICD_ICENABLER + 4 * (intid as usize / 32),
                1 << (intid % 32),
            ),
            Gic::V3(gic, ..) => {
                let _ = gic.enable_interrupt(to_intid(intid), (intid < 32).then_some(cpu), false);
            }
        }
    }

    #[inline]
    fn set_masked(&mut self, intid: u32, cpu: usize, masked: bool) {
        let bit = 1 << (intid % 32);
        match self {
            // GICD_I[SC]ENABLER0 are banked: this CPU's own.
            Gic::V2(r) => r.write(
                r.gicd,
                if masked {
                    GICD_ICENABLER
                } else {
                    GICD_ISENABLER
                },
                bit,
            ),
            Gic::V3(_, _, r) if cpu < r.count => {
                let reg = if masked {
                    GICR_ICENABLER0
                } else {
                    GICR_ISENABLER0
                };
                let at = r.base + cpu * r.stride + GICR_SGI_BASE + reg;
                // SAFETY: CPU `cpu`'s redistributor, in the region
                // `new_v3` was given; a write-one-to-set/clear register
                // whose other bits are left alone.
                unsafe { core::ptr::write_volatile(at as *mut u32, bit) };
            }
            Gic::V3(..) => {}
        }
    }

    fn acknowledge(&mut self) -> Option<u32> {
        match self {
            Gic::V2(r) => {
                let intid = r.read(r.gicc, GICC_IAR);
                ((intid & 0x3ff) < INTID_SPECIAL).then_some(intid)
            }
            Gic::V3(..) => GicCpuInterface::get_and_acknowledge_interrupt(InterruptGroup::Group1)
                .map(u32::from),
        }
    }

    #[inline]
    fn end_of_interrupt(&mut self, intid: u32) {
        self.drop_priority(intid);
        self.deactivate(intid);
    }

    #[inline]
    fn drop_priority(&mut self, intid: u32) {
        match self {
            Gic::V2(r) => r.write(r.gicc, GICC_EOIR, intid),
            Gic::V3(..) => GicCpuInterface::end_interrupt(to_intid(intid), InterruptGroup::Group1),
        }
    }

    #[inline]
    fn deactivate(&mut self, intid: u32) {
        match self {
            Gic::V2(r) => r.write(r.gicc, GICC_DIR, intid),
            // SAFETY: ICC_DIR_EL1 (S3_0_C12_C11_1) deactivates the
            // interrupt it names and touches nothing else.
            Gic::V3(..) => unsafe {
                asm!("msr S3_0_C12_C11_1, {0}", in(reg) u64::from(intid), options(nomem, nostack))
            },
        }
    }

    fn clear_active(&mut self, intid: u32) {
        if !(32..INTID_SPECIAL).contains(&intid) {
            return;
        }
        let (reg, bit) = (
            GICD_ICACTIVER + 4 * (intid as usize / 32),
            1 << (intid % 32),
        );
        match self {
            Gic::V2(r) => r.write(r.gicd, reg, bit),
            // SAFETY: GICD_ICACTIVER<n> of the distributor `new_v3` was
            // given, n < 32: a write-one-to-clear register whose other bits
            // are left alone.
            Gic::V3(_, _, r) => unsafe {
                core::ptr::write_volatile((r.gicd + reg) as *mut u32, bit)
            },
        }
    }

    fn send_ipi(&mut self, cpu: usize, sgi: u32) {
        match self {
            Gic::V2(r) => {
                let mask = r.cpu_masks.get(cpu).copied().unwrap_or(0);
                r.write(r.gicd, GICD_SGIR, (u32::from(mask) << 16) | (sgi & 0xf));
            }
            Gic::V3(_, affinity, _) => {
                let Some(&mpidr) = affinity.get(cpu) else {
                    return;
                };
                let target = SgiTarget::List {
                    affinity3: (mpidr >> 32) as u8,
                    affinity2: (mpidr >> 16) as u8,
                    affinity1: (mpidr >> 8) as u8,
                    target_list: 1 << (mpidr & 0xf),
                };
                let _ = GicCpuInterface::send_sgi(
                    IntId::sgi(sgi),
                    target,
                    SgiTargetGroup::CurrentGroup1,
                );
            }
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Gic::V2(_) => "GICv2",
            Gic::V3(..) => "GICv3",
        }
    }
}
