//! Register offsets and bit fields, named as in the GIC architecture
//! specifications: GICv3/v4 (Arm IHI 0069, chapter 12) and GICv2 (Arm IHI
//! 0048B, chapter 4), plus the system registers the model encodes
//! (ICC_SGI1R_EL1, `ICH_LR<n>_EL2`) and the GICv2 `GICH_LR<n>`.

// ---- Distributor (GICD) offsets -------------------------------------------

/// Distributor Control Register.
pub const GICD_CTLR: u64 = 0x0000;
/// Interrupt Controller Type Register.
pub const GICD_TYPER: u64 = 0x0004;
/// Distributor Implementer Identification Register.
pub const GICD_IIDR: u64 = 0x0008;
/// Interrupt Controller Type Register 2 (GICv3).
pub const GICD_TYPER2: u64 = 0x000C;
/// Error Reporting Status Register (GICv3).
pub const GICD_STATUSR: u64 = 0x0010;
/// Interrupt Group Registers.
pub const GICD_IGROUPR: u64 = 0x0080;
/// Interrupt Set-Enable Registers.
pub const GICD_ISENABLER: u64 = 0x0100;
/// Interrupt Clear-Enable Registers.
pub const GICD_ICENABLER: u64 = 0x0180;
/// Interrupt Set-Pending Registers.
pub const GICD_ISPENDR: u64 = 0x0200;
/// Interrupt Clear-Pending Registers.
pub const GICD_ICPENDR: u64 = 0x0280;
/// Interrupt Set-Active Registers.
pub const GICD_ISACTIVER: u64 = 0x0300;
/// Interrupt Clear-Active Registers.
pub const GICD_ICACTIVER: u64 = 0x0380;
/// Interrupt Priority Registers (byte-accessible).
pub const GICD_IPRIORITYR: u64 = 0x0400;
/// Interrupt Processor Targets Registers (GICv2; byte-accessible).
pub const GICD_ITARGETSR: u64 = 0x0800;
/// Interrupt Configuration Registers.
pub const GICD_ICFGR: u64 = 0x0C00;
/// Interrupt Group Modifier Registers (GICv3).
pub const GICD_IGRPMODR: u64 = 0x0D00;
/// Non-secure Access Control Registers.
pub const GICD_NSACR: u64 = 0x0E00;
/// Software Generated Interrupt Register (GICv2).
pub const GICD_SGIR: u64 = 0x0F00;
/// SGI Clear-Pending Registers (GICv2; byte-accessible).
pub const GICD_CPENDSGIR: u64 = 0x0F10;
/// SGI Set-Pending Registers (GICv2; byte-accessible).
pub const GICD_SPENDSGIR: u64 = 0x0F20;
/// Interrupt Routing Registers (GICv3; 64-bit, `+ 8 * INTID`).
pub const GICD_IROUTER: u64 = 0x6000;
/// End of the IROUTER array (INTID 1020).
pub const GICD_IROUTER_END: u64 = GICD_IROUTER + 8 * 1020;

/// Size of each bit-per-interrupt register array (IGROUPR ... ICACTIVER).
pub const BITS_ARRAY_SIZE: u64 = 0x80;
/// Size of the IPRIORITYR and ITARGETSR arrays.
pub const BYTES_ARRAY_SIZE: u64 = 0x400;
/// Size of the ICFGR array.
pub const ICFGR_ARRAY_SIZE: u64 = 0x100;
/// Size of the NSACR array.
pub const NSACR_ARRAY_SIZE: u64 = 0x100;
/// Size of the CPENDSGIR and SPENDSGIR arrays.
pub const SGIR_ARRAY_SIZE: u64 = 0x10;

/// Start of the identification registers in a GICv3 64 KiB frame.
pub const ID_BLOCK_V3: u64 = 0xFFD0;
/// Start of the identification registers in the GICv2 4 KiB distributor.
pub const ID_BLOCK_V2: u64 = 0x0FD0;
/// Peripheral ID4 (offset in the GICv3 frame; GICv2: `- 0xF000`).
pub const GICD_PIDR4: u64 = 0xFFD0;
/// Peripheral ID0.
pub const GICD_PIDR0: u64 = 0xFFE0;
/// Peripheral ID1.
pub const GICD_PIDR1: u64 = 0xFFE4;
/// Peripheral ID2: ArchRev in \[7:4\].
pub const GICD_PIDR2: u64 = 0xFFE8;
/// Peripheral ID3.
pub const GICD_PIDR3: u64 = 0xFFEC;
/// Component ID0.
pub const GICD_CIDR0: u64 = 0xFFF0;
/// Component ID1.
pub const GICD_CIDR1: u64 = 0xFFF4;
/// Component ID2.
pub const GICD_CIDR2: u64 = 0xFFF8;
/// Component ID3.
pub const GICD_CIDR3: u64 = 0xFFFC;
/// Distance from a GICv3 ID register to its GICv2 counterpart.
pub const ID_V2_DELTA: u64 = 0xF000;

// ---- Distributor bit fields -----------------------------------------------

/// GICD_CTLR.EnableGrp0 (GICv2; GICv3 with DS=1).
pub const GICD_CTLR_ENABLE_GRP0: u32 = 1 << 0;
/// GICD_CTLR.EnableGrp1 (GICv2; GICv3 DS=1), EnableGrp1A in the Non-secure view.
pub const GICD_CTLR_ENABLE_GRP1: u32 = 1 << 1;
/// GICD_CTLR.ARE (ARE_NS in the Non-secure view): affinity routing.
pub const GICD_CTLR_ARE: u32 = 1 << 4;
/// GICD_CTLR.DS: a single Security state.
pub const GICD_CTLR_DS: u32 = 1 << 6;
/// GICD_CTLR.RWP: register write pending.
pub const GICD_CTLR_RWP: u32 = 1 << 31;

/// GICD_TYPER.ITLinesNumber: 32 * (N + 1) INTIDs.
pub const GICD_TYPER_ITLINESNUMBER_MASK: u32 = 0x1F;
/// GICD_TYPER.CPUNumber shift (3 bits).
pub const GICD_TYPER_CPUNUMBER_SHIFT: u32 = 5;
/// GICD_TYPER.SecurityExtn.
pub const GICD_TYPER_SECURITYEXTN: u32 = 1 << 10;
/// GICD_TYPER.MBIS: message-based SPIs.
pub const GICD_TYPER_MBIS: u32 = 1 << 16;
/// GICD_TYPER.LPIS.
pub const GICD_TYPER_LPIS: u32 = 1 << 17;
/// GICD_TYPER.IDbits shift: INTID bits - 1.
pub const GICD_TYPER_IDBITS_SHIFT: u32 = 19;
/// GICD_TYPER.IDbits value: 10 INTID bits.
pub const GICD_TYPER_IDBITS_10: u32 = 9;
/// GICD_TYPER.RSS: SGI target Aff0 range 0..=255.
pub const GICD_TYPER_RSS: u32 = 1 << 26;

/// Implementer Arm (JEP106 0x43B) in IIDR\[11:0\].
pub const IIDR_IMPLEMENTER_ARM: u32 = 0x43B;
/// ProductID in IIDR\[31:24\] of this model ('Q', for qvm).
pub const IIDR_PRODUCT_ID: u32 = 0x51;
/// The IIDR value of the distributor and the redistributors.
pub const GIC_IIDR: u32 = (IIDR_PRODUCT_ID << 24) | IIDR_IMPLEMENTER_ARM;

/// PIDR2.ArchRev shift.
pub const PIDR2_ARCHREV_SHIFT: u32 = 4;
/// PIDR2 JEDEC bit and JEP106 identity code bits \[6:4\] of Arm (0x3B).
pub const PIDR2_JEP106_ARM: u32 = 0x0B;
/// PIDR1: JEP106 identity code bits \[3:0\] of Arm in \[7:4\].
pub const PIDR1_JEP106_ARM: u32 = 0xB0;
/// PIDR4: JEP106 continuation code of Arm (4), 4 KiB size.
pub const PIDR4_ARM: u32 = 0x04;
/// Component ID bytes 0-3.
pub const CIDR: [u32; 4] = [0x0D, 0xF0, 0x05, 0xB1];

/// GICD_IROUTER.IRM: route to any participating PE.
pub const GICD_IROUTER_IRM: u64 = 1 << 31;
/// GICD_IROUTER writable bits: Aff3 \[39:32\], IRM, Aff2, Aff1, Aff0.
pub const GICD_IROUTER_MASK: u64 = 0xFF_80FF_FFFF;

/// GICD_SGIR.TargetListFilter shift (2 bits).
pub const GICD_SGIR_TARGETLISTFILTER_SHIFT: u32 = 24;
/// GICD_SGIR.CPUTargetList shift (8 bits).
pub const GICD_SGIR_CPUTARGETLIST_SHIFT: u32 = 16;
/// GICD_SGIR.SGIINTID mask.
pub const GICD_SGIR_SGIINTID_MASK: u32 = 0xF;
/// TargetListFilter: the CPUs in CPUTargetList.
pub const SGIR_FILTER_LIST: u32 = 0;
/// TargetListFilter: all CPUs but the requesting one.
pub const SGIR_FILTER_OTHERS: u32 = 1;
/// TargetListFilter: only the requesting CPU.
pub const SGIR_FILTER_SELF: u32 = 2;

// ---- Redistributor (GICR) --------------------------------------------------

/// Distance between two redistributors: RD_base and SGI_base frames.
pub const GICR_STRIDE: u64 = 0x2_0000;
/// Offset of the SGI_base frame within a redistributor.
pub const GICR_SGI_BASE: u64 = 0x1_0000;
/// Redistributor Control Register.
pub const GICR_CTLR: u64 = 0x0000;
/// Redistributor Implementer Identification Register.
pub const GICR_IIDR: u64 = 0x0004;
/// Redistributor Type Register (64-bit).
pub const GICR_TYPER: u64 = 0x0008;
/// Error Reporting Status Register.
pub const GICR_STATUSR: u64 = 0x0010;
/// Redistributor Wake Register.
pub const GICR_WAKER: u64 = 0x0014;
/// Redistributor Properties Base Address Register (64-bit).
pub const GICR_PROPBASER: u64 = 0x0070;
/// Redistributor LPI Pending Table Base Address Register (64-bit).
pub const GICR_PENDBASER: u64 = 0x0078;
/// SGI_base: Interrupt Group Register 0.
pub const GICR_IGROUPR0: u64 = 0x0080;
/// SGI_base: Interrupt Set-Enable Register 0.
pub const GICR_ISENABLER0: u64 = 0x0100;
/// SGI_base: Interrupt Clear-Enable Register 0.
pub const GICR_ICENABLER0: u64 = 0x0180;
/// SGI_base: Interrupt Set-Pending Register 0.
pub const GICR_ISPENDR0: u64 = 0x0200;
/// SGI_base: Interrupt Clear-Pending Register 0.
pub const GICR_ICPENDR0: u64 = 0x0280;
/// SGI_base: Interrupt Set-Active Register 0.
pub const GICR_ISACTIVER0: u64 = 0x0300;
/// SGI_base: Interrupt Clear-Active Register 0.
pub const GICR_ICACTIVER0: u64 = 0x0380;
/// SGI_base: Interrupt Priority Registers 0-7 (byte-accessible).
pub const GICR_IPRIORITYR: u64 = 0x0400;
/// SGI_base: Interrupt Configuration Register 0 (SGIs).
pub const GICR_ICFGR0: u64 = 0x0C00;
/// SGI_base: Interrupt Configuration Register 1 (PPIs).
pub const GICR_ICFGR1: u64 = 0x0C04;
/// SGI_base: Interrupt Group Modifier Register 0.
pub const GICR_IGRPMODR0: u64 = 0x0D00;
/// SGI_base: Non-secure Access Control Register.
pub const GICR_NSACR: u64 = 0x0E00;
/// Peripheral ID2 of a redistributor (RD_base frame).
pub const GICR_PIDR2: u64 = 0xFFE8;

/// GICR_CTLR.EnableLPIs.
pub const GICR_CTLR_ENABLE_LPIS: u32 = 1 << 0;
/// GICR_CTLR.RWP.
pub const GICR_CTLR_RWP: u32 = 1 << 3;
/// GICR_TYPER.PLPIS: physical LPIs.
pub const GICR_TYPER_PLPIS: u64 = 1 << 0;
/// GICR_TYPER.VLPIS: virtual LPIs.
pub const GICR_TYPER_VLPIS: u64 = 1 << 1;
/// GICR_TYPER.Last: the last redistributor of the region.
pub const GICR_TYPER_LAST: u64 = 1 << 4;
/// GICR_TYPER.Processor_Number shift (16 bits).
pub const GICR_TYPER_PROCESSOR_NUMBER_SHIFT: u32 = 8;
/// GICR_TYPER.Affinity_Value shift (Aff3.Aff2.Aff1.Aff0).
pub const GICR_TYPER_AFFINITY_SHIFT: u32 = 32;
/// GICR_WAKER.ProcessorSleep.
pub const GICR_WAKER_PROCESSOR_SLEEP: u32 = 1 << 1;
/// GICR_WAKER.ChildrenAsleep.
pub const GICR_WAKER_CHILDREN_ASLEEP: u32 = 1 << 2;

// ---- ICC_SGI1R_EL1 ---------------------------------------------------------

/// ICC_SGI1R_EL1.TargetList: Aff0 = RS * 16 + bit.
pub const ICC_SGI1R_TARGETLIST_MASK: u64 = 0xFFFF;
/// ICC_SGI1R_EL1.Aff1 shift.
pub const ICC_SGI1R_AFF1_SHIFT: u32 = 16;
/// ICC_SGI1R_EL1.INTID shift (4 bits).
pub const ICC_SGI1R_INTID_SHIFT: u32 = 24;
/// ICC_SGI1R_EL1.Aff2 shift.
pub const ICC_SGI1R_AFF2_SHIFT: u32 = 32;
/// ICC_SGI1R_EL1.IRM: all PEs but the requesting one.
pub const ICC_SGI1R_IRM: u64 = 1 << 40;
/// ICC_SGI1R_EL1.RS shift (4 bits).
pub const ICC_SGI1R_RS_SHIFT: u32 = 44;
/// ICC_SGI1R_EL1.Aff3 shift.
pub const ICC_SGI1R_AFF3_SHIFT: u32 = 48;

// ---- List registers ----------------------------------------------------------

/// `ICH_LR<n>_EL2`.vINTID mask.
pub const ICH_LR_VINTID_MASK: u64 = 0xFFFF_FFFF;
/// `ICH_LR<n>_EL2`.EOI (when HW = 0): maintenance interrupt on EOI.
pub const ICH_LR_EOI: u64 = 1 << 41;
/// `ICH_LR<n>_EL2`.Priority shift (8 bits).
pub const ICH_LR_PRIORITY_SHIFT: u32 = 48;
/// `ICH_LR<n>_EL2`.Group: Group 1.
pub const ICH_LR_GROUP: u64 = 1 << 60;
/// `ICH_LR<n>_EL2`.HW.
pub const ICH_LR_HW: u64 = 1 << 61;
/// `ICH_LR<n>_EL2`.pINTID shift (when HW = 1).
pub const ICH_LR_PINTID_SHIFT: u32 = 32;
/// `ICH_LR<n>_EL2`.pINTID mask after the shift (13 bits, bits 44:32).
pub const ICH_LR_PINTID_MASK: u64 = 0x1FFF;
/// `ICH_LR<n>_EL2`.State shift (2 bits).
pub const ICH_LR_STATE_SHIFT: u32 = 62;

/// `GICH_LR<n>`.VirtualID mask.
pub const GICH_LR_VIRTUALID_MASK: u32 = 0x3FF;
/// `GICH_LR<n>`.CPUID shift (SGI source, 3 bits, when HW = 0).
pub const GICH_LR_CPUID_SHIFT: u32 = 10;
/// `GICH_LR<n>`.CPUID mask after the shift.
pub const GICH_LR_CPUID_MASK: u32 = 0x7;
/// `GICH_LR<n>`.EOI (when HW = 0).
pub const GICH_LR_EOI: u32 = 1 << 19;
/// `GICH_LR<n>`.Priority shift (5 bits: priority >> 3).
pub const GICH_LR_PRIORITY_SHIFT: u32 = 23;
/// `GICH_LR<n>`.State shift (2 bits).
pub const GICH_LR_STATE_SHIFT: u32 = 28;
/// `GICH_LR<n>`.Grp1.
pub const GICH_LR_GRP1: u32 = 1 << 30;
/// `GICH_LR<n>`.HW.
pub const GICH_LR_HW: u32 = 1 << 31;
/// `GICH_LR<n>`.PhysicalID shift (when HW = 1; bits 19:10).
pub const GICH_LR_PHYSICALID_SHIFT: u32 = 10;
/// `GICH_LR<n>`.PhysicalID mask after the shift.
pub const GICH_LR_PHYSICALID_MASK: u32 = 0x3FF;

/// List register State: invalid (empty, or EOIed).
pub const LR_STATE_INVALID: u64 = 0b00;
/// List register State: pending.
pub const LR_STATE_PENDING: u64 = 0b01;
/// List register State: active.
pub const LR_STATE_ACTIVE: u64 = 0b10;
/// List register State: pending and active.
pub const LR_STATE_PENDING_ACTIVE: u64 = 0b11;
