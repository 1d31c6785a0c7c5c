//! Register offsets and bit fields of the I/O APIC, named as in the Intel
//! 82093AA I/O APIC datasheet (order number 290566, section 3, "Register
//! Description"), plus the EOI register the version-0x20 I/O APICs of
//! later chipsets add (the I/O APIC registers in the ICH9 datasheet's APIC
//! chapter: IND at 0x00, DAT at 0x10, EOIR at 0x40).

// ---- Memory-mapped registers (offsets in the window) ----------------------

/// I/O Register Select: bits 7:0 select the indirect register IOWIN
/// reaches.
pub const IOREGSEL: u64 = 0x00;
/// I/O Window: the indirect register IOREGSEL selects.
pub const IOWIN: u64 = 0x10;
/// EOI register (version 0x20): a write of a vector clears the Remote IRR
/// of every redirection entry with that vector.
pub const EOI: u64 = 0x40;
/// Bytes of the memory window the guest maps (one page).
pub const WINDOW_SIZE: u64 = 0x1000;
/// Where the window usually is (the MP specification's and ACPI's default).
pub const DEFAULT_BASE: u64 = 0xFEC0_0000;

/// IOREGSEL: the APIC Register Address field (bits 7:0); 31:8 reserved.
pub const IOREGSEL_MASK: u32 = 0xff;
/// EOI: the vector field (bits 7:0); the rest is ignored.
pub const EOI_VECTOR_MASK: u32 = 0xff;

// ---- Indirect registers (IOREGSEL values) ---------------------------------

/// IOAPIC Identification (R/W).
pub const IOAPICID: u8 = 0x00;
/// IOAPIC Version (RO).
pub const IOAPICVER: u8 = 0x01;
/// IOAPIC Arbitration ID (RO).
pub const IOAPICARB: u8 = 0x02;
/// Redirection table: entry `n` is at `IOREDTBL + 2n` (bits 31:0) and
/// `IOREDTBL + 2n + 1` (bits 63:32).
pub const IOREDTBL: u8 = 0x10;

/// IOAPICID: the IOAPIC Identification field (bits 27:24); the rest is
/// reserved.
pub const IOAPICID_ID_SHIFT: u32 = 24;
/// IOAPICID: the bits a write changes.
pub const IOAPICID_ID_MASK: u32 = 0xf << IOAPICID_ID_SHIFT;
/// IOAPICARB: the Arbitration ID field (bits 27:24).
pub const IOAPICARB_ID_SHIFT: u32 = 24;

/// IOAPICVER: the APIC Version field (bits 7:0) this model reports: 0x20,
/// the version with the EOI register.
pub const IOAPICVER_VERSION: u32 = 0x20;
/// IOAPICVER: the Maximum Redirection Entry field (bits 23:16), the
/// number of entries less one.
pub const IOAPICVER_MRE_SHIFT: u32 = 16;

// ---- Redirection table entry (64 bits) ------------------------------------

/// Interrupt Vector (INTVEC), bits 7:0, R/W.
pub const IOREDTBL_INTVEC_MASK: u64 = 0xff;
/// Delivery Mode (DELMOD), bits 10:8, R/W.
pub const IOREDTBL_DELMOD_SHIFT: u32 = 8;
/// Delivery Mode field mask (in place).
pub const IOREDTBL_DELMOD_MASK: u64 = 0x7 << IOREDTBL_DELMOD_SHIFT;
/// Destination Mode (DESTMOD), bit 11, R/W: 1 logical, 0 physical.
pub const IOREDTBL_DESTMOD: u64 = 1 << 11;
/// Delivery Status (DELIVS), bit 12, RO: 1 send pending.
pub const IOREDTBL_DELIVS: u64 = 1 << 12;
/// Interrupt Input Pin Polarity (INTPOL), bit 13, R/W: 1 active low.
pub const IOREDTBL_INTPOL: u64 = 1 << 13;
/// Remote IRR, bit 14, RO: a local APIC accepted the level-triggered
/// interrupt and has not sent its EOI yet.
pub const IOREDTBL_REMOTE_IRR: u64 = 1 << 14;
/// Trigger Mode, bit 15, R/W: 1 level sensitive, 0 edge sensitive.
pub const IOREDTBL_TRIGGER_MODE: u64 = 1 << 15;
/// Interrupt Mask, bit 16, R/W: 1 masked.
pub const IOREDTBL_MASK: u64 = 1 << 16;
/// Destination Field, bits 63:56, R/W.
pub const IOREDTBL_DEST_SHIFT: u32 = 56;
/// Destination Field mask (in place).
pub const IOREDTBL_DEST_MASK: u64 = 0xff << IOREDTBL_DEST_SHIFT;
/// Every bit a guest write changes: INTVEC, DELMOD, DESTMOD, INTPOL,
/// Trigger Mode, Interrupt Mask and the Destination Field. Bits 55:17 are
/// reserved (read 0); DELIVS and Remote IRR are read-only.
pub const IOREDTBL_WRITABLE: u64 = IOREDTBL_INTVEC_MASK
    | IOREDTBL_DELMOD_MASK
    | IOREDTBL_DESTMOD
    | IOREDTBL_INTPOL
    | IOREDTBL_TRIGGER_MODE
    | IOREDTBL_MASK
    | IOREDTBL_DEST_MASK;
/// A redirection entry at reset: masked, everything else 0 (edge, active
/// high, fixed, physical, vector 0, destination 0).
pub const IOREDTBL_RESET: u64 = IOREDTBL_MASK;

/// DELMOD encodings.
pub const DELMOD_FIXED: u64 = 0b000;
/// Lowest Priority.
pub const DELMOD_LOWEST_PRIORITY: u64 = 0b001;
/// SMI (always edge; the vector is ignored).
pub const DELMOD_SMI: u64 = 0b010;
/// NMI (always edge; the vector is ignored).
pub const DELMOD_NMI: u64 = 0b100;
/// INIT (always edge; the vector is ignored).
pub const DELMOD_INIT: u64 = 0b101;
/// ExtINT (always edge; the vector comes from the 8259A's INTA cycle).
pub const DELMOD_EXTINT: u64 = 0b111;
