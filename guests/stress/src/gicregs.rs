//! GIC registers whose answers are known, read and written from every CPU
//! at once (each an exit to the hypervisor's virtual GIC):
//!
//! - GICD_TYPER, GICD_IIDR and GICD_PIDR2, read by the boot CPU before the
//!   run (implementer Arm, ArchRev the version, on GICv2 CPUNumber the CPU
//!   count) and then by every CPU, which must see the same values;
//! - one GICD_IPRIORITYR byte per CPU, of an SPI nobody uses (the CPUs'
//!   bytes are neighbours in the same words, so a read-modify-write of a
//!   whole word by the emulation would lose another CPU's byte), written
//!   and read back with `strb`/`ldrb`;
//! - the priority byte of SGI 15, banked per CPU (GICD on GICv2, the CPU's
//!   own redistributor on GICv3): each CPU must read back its own value;
//! - GICv3: GICR_TYPER (64 bits) of its own redistributor, whose affinity
//!   must be its MPIDR, and of another CPU's, whose affinity must be that
//!   CPU's.

use crate::fail::expect;
use crate::regs::{read8, read32, read64, write8};
use crate::{MAX_STRESS_CPUS, fail};
use gsupport::dt::GicInfo;
use gsupport::{Platform, cpu, entry};

/// GICD_TYPER.
const GICD_TYPER: usize = 0x4;
/// GICD_TYPER.ITLinesNumber: 32 * (N + 1) INTIDs.
const TYPER_ITLINES_MASK: u32 = 0x1f;
/// GICD_TYPER.CPUNumber: CPUs - 1 (GICv2).
const TYPER_CPUNUMBER_SHIFT: u32 = 5;
const TYPER_CPUNUMBER_MASK: u32 = 0x7;
/// GICD_IIDR.
const GICD_IIDR: usize = 0x8;
/// GICD_IIDR.Implementer (JEP106 code and continuation).
const IIDR_IMPLEMENTER_MASK: u32 = 0xfff;
/// Arm's implementer code.
const IMPLEMENTER_ARM: u32 = 0x43b;
/// GICD_PIDR2 in the GICv2 4 KiB distributor and the GICv3 64 KiB frame.
const GICD_PIDR2_V2: usize = 0xfe8;
const GICD_PIDR2_V3: usize = 0xffe8;
/// PIDR2.ArchRev: the GIC version.
const PIDR2_ARCHREV_SHIFT: u32 = 4;
const PIDR2_ARCHREV_MASK: u32 = 0xf;
/// GICD_IPRIORITYR (GICD) and GICR_IPRIORITYR (SGI_base frame): a byte
/// per INTID.
const IPRIORITYR: usize = 0x400;
/// A redistributor: RD_base and SGI_base frames.
const GICR_STRIDE: usize = 0x2_0000;
const GICR_SGI_BASE: usize = 0x1_0000;
/// GICR_TYPER (64-bit).
const GICR_TYPER: usize = 0x8;
/// GICR_TYPER.Affinity_Value: Aff3.Aff2.Aff1.Aff0.
const GICR_TYPER_AFFINITY_SHIFT: u32 = 32;
/// The SGI whose banked priority byte the CPUs write (no one sends it).
const PRIVATE_SGI: usize = 15;
/// INTIDs 1020 and up are special.
const INTID_LIMIT: usize = 1020;
/// Priority bits every GIC has (16 levels).
const PRIORITY_BITS_MIN: u8 = 0xf0;

/// Where the GIC is and what its registers answer.
#[derive(Clone, Copy, Debug)]
pub struct Gic {
    version: u32,
    gicd: usize,
    /// GICv3: the first redistributor.
    gicr: usize,
    typer: u32,
    iidr: u32,
    pidr2: u32,
    /// The SPI whose priority byte CPU 0 owns (CPU N owns the next N).
    spi_first: usize,
    /// The priority bits the GIC keeps.
    priority_mask: u8,
}

/// Aff3.Aff2.Aff1.Aff0 of an MPIDR (as `cpu::mpidr` and the device tree
/// give it: Aff3 at 39:32).
fn affinity32(mpidr: u64) -> u64 {
    ((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xff_ffff)
}

/// A value for a priority byte that differs from the last iteration's
/// (the kept bits count at least 4; 7 and 16 are coprime).
fn priority(mask: u8, seed: usize) -> u8 {
    ((seed as u32) << mask.trailing_zeros()) as u8 & mask
}

impl Gic {
    /// Reads the identification registers on the boot CPU before the run,
    /// checks what is architecturally known of them, and finds the SPIs
    /// to use and the priority bits kept. Fails if anything is off.
    pub fn probe(platform: &Platform, cpus: usize) -> Gic {
        let (version, gicd, gicr, pidr2_at) = match platform.gic {
            GicInfo::V2 { gicd, .. } => (2, gicd, 0, GICD_PIDR2_V2),
            GicInfo::V3 { gicd, gicr } => (3, gicd, gicr, GICD_PIDR2_V3),
            GicInfo::None => fail!("no GIC in the device tree"),
        };
        // SAFETY: the distributor's read-only identification registers.
        let (typer, iidr, pidr2) = unsafe {
            (
                read32(gicd + GICD_TYPER),
                read32(gicd + GICD_IIDR),
                read32(gicd + pidr2_at),
            )
        };
        let arch = (pidr2 >> PIDR2_ARCHREV_SHIFT) & PIDR2_ARCHREV_MASK;
        expect(
            format_args!("GICD_PIDR2.ArchRev"),
            version.into(),
            arch.into(),
        );
        expect(
            format_args!("GICD_IIDR.Implementer"),
            IMPLEMENTER_ARM.into(),
            (iidr & IIDR_IMPLEMENTER_MASK).into(),
        );
        if version == 2 {
            let number = (typer >> TYPER_CPUNUMBER_SHIFT) & TYPER_CPUNUMBER_MASK;
            let expected = platform.cpus_in_tree.min(8) - 1;
            expect(
                format_args!("GICD_TYPER.CPUNumber"),
                expected as u64,
                number.into(),
            );
        }
        let lines = (typer & TYPER_ITLINES_MASK) as usize;
        let top = (32 * (lines + 1)).min(INTID_LIMIT);
        let spi_first = top - MAX_STRESS_CPUS;
        if lines == 0
            || platform
                .uart_intid
                .is_some_and(|i| (spi_first..top).contains(&(i as usize)))
        {
            fail!("GICD_TYPER {typer:#x}: no {MAX_STRESS_CPUS} free SPIs at the top");
        }
        let mut gic = Gic {
            version,
            gicd,
            gicr,
            typer,
            iidr,
            pidr2,
            spi_first,
            priority_mask: 0,
        };
        let byte = gic.spi_priority(cpu::index().min(cpus - 1));
        // SAFETY: the priority byte of an SPI no one enables: all ones
        // reads back as the bits the GIC keeps.
        let mask = unsafe {
            write8(byte, 0xff);
            let mask = read8(byte);
            write8(byte, 0);
            mask
        };
        if mask & PRIORITY_BITS_MIN != PRIORITY_BITS_MIN {
            fail!("GICD_IPRIORITYR keeps priority bits {mask:#x}: fewer than 16 levels");
        }
        gic.priority_mask = mask;
        gic
    }

    /// The GIC version.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Address of the GICD_IPRIORITYR byte CPU `me` owns.
    fn spi_priority(&self, me: usize) -> usize {
        self.gicd + IPRIORITYR + self.spi_first + me
    }

    /// Address of CPU `me`'s banked priority byte of [`PRIVATE_SGI`].
    fn sgi_priority(&self, me: usize) -> usize {
        match self.version {
            2 => self.gicd + IPRIORITYR + PRIVATE_SGI,
            _ => self.gicr + me * GICR_STRIDE + GICR_SGI_BASE + IPRIORITYR + PRIVATE_SGI,
        }
    }

    /// One round on CPU `me`, iteration `iter`, of `cpus`; returns the
    /// number of register accesses made.
    pub fn step(&self, me: usize, iter: usize, cpus: usize) -> u64 {
        let (what, offset, known) = match iter % 3 {
            0 => ("GICD_TYPER", GICD_TYPER, self.typer),
            1 => ("GICD_IIDR", GICD_IIDR, self.iidr),
            _ => match self.version {
                2 => ("GICD_PIDR2", GICD_PIDR2_V2, self.pidr2),
                _ => ("GICD_PIDR2", GICD_PIDR2_V3, self.pidr2),
            },
        };
        // SAFETY: a read-only identification register of the distributor.
        let seen = unsafe { read32(self.gicd + offset) };
        expect(
            format_args!("{what} (as read before the run)"),
            known.into(),
            seen.into(),
        );

        let spi = self.spi_priority(me);
        let value = priority(self.priority_mask, iter * 7 + me * 13 + 1);
        // SAFETY: this CPU's own priority byte of an SPI no one enables.
        let seen = unsafe {
            write8(spi, value);
            read8(spi)
        };
        let intid = self.spi_first + me;
        expect(
            format_args!("GICD_IPRIORITYR byte of INTID {intid}"),
            value.into(),
            seen.into(),
        );

        let sgi = self.sgi_priority(me);
        let value = priority(self.priority_mask, iter * 5 + me * 3 + 2);
        // SAFETY: this CPU's banked priority byte of an SGI no one sends.
        let seen = unsafe {
            write8(sgi, value);
            read8(sgi)
        };
        expect(
            format_args!("banked priority byte of SGI {PRIVATE_SGI}"),
            value.into(),
            seen.into(),
        );

        if self.version != 3 {
            return 5;
        }
        let mpidrs = entry::platform().cpus();
        let other = iter % cpus;
        for (frame, mpidr) in [(me, cpu::mpidr()), (other, mpidrs[other])] {
            // SAFETY: GICR_TYPER of a redistributor of the tree's region,
            // read-only.
            let typer = unsafe { read64(self.gicr + frame * GICR_STRIDE + GICR_TYPER) };
            expect(
                format_args!("GICR_TYPER.Affinity_Value of redistributor {frame}"),
                affinity32(mpidr),
                typer >> GICR_TYPER_AFFINITY_SHIFT,
            );
        }
        7
    }
}
