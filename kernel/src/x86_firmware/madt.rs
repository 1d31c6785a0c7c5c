//! The MADT, signature "APIC" (ACPI 6.5 §5.2.12 "Multiple APIC
//! Description Table"): the local APIC address and the PCAT_COMPAT flag,
//! then interrupt controller structures, each `type, length, ...`. Read:
//! processor local APIC (0, §5.2.12.2), I/O APIC (1, §5.2.12.3),
//! interrupt source override (2, §5.2.12.5), local APIC NMI (4,
//! §5.2.12.7), local APIC address override (5, §5.2.12.8), processor
//! local x2APIC (9, §5.2.12.12) and local x2APIC NMI (0xA, §5.2.12.13);
//! others are skipped. An entry shorter than its type's layout, or one
//! running past the table, is an error (a zero length would loop).

use super::board::{Cpu, MAX_IOAPICS, MAX_OVERRIDES};

use super::records::{IoApic, IrqOverride, LapicNmi, Polarity, Trigger};
use super::view::View;
use super::{FirmwareError, X86Board};

/// The MADT's signature.
pub const MADT_SIGNATURE: [u8; 4] = *b"APIC";
/// Processor UID of an NMI entry that applies to every processor
/// (local APIC NMI).
pub const ALL_PROCESSORS_U8: u8 = 0xff;
/// The same for local x2APIC NMI.
pub const ALL_PROCESSORS_U32: u32 = u32::MAX;

// Table fields after the common header.
const LOCAL_APIC_ADDRESS: u64 = 36;
const FLAGS: u64 = 40;
const ENTRIES: u64 = 44;
const PCAT_COMPAT: u32 = 1 << 0;

// Entry header.
const ENTRY_TYPE: u64 = 0;
const ENTRY_LEN: u64 = 1;
const ENTRY_HEADER: u64 = 2;

// Entry types and their lengths.
const LOCAL_APIC: u8 = 0;
const LOCAL_APIC_LEN: u64 = 8;
const IO_APIC: u8 = 1;
const IO_APIC_LEN: u64 = 12;
const OVERRIDE: u8 = 2;
const OVERRIDE_LEN: u64 = 10;
const LOCAL_APIC_NMI: u8 = 4;
const LOCAL_APIC_NMI_LEN: u64 = 6;
const ADDRESS_OVERRIDE: u8 = 5;
const ADDRESS_OVERRIDE_LEN: u64 = 12;
const LOCAL_X2APIC: u8 = 9;
const LOCAL_X2APIC_LEN: u64 = 16;
const LOCAL_X2APIC_NMI: u8 = 0xa;
const LOCAL_X2APIC_NMI_LEN: u64 = 12;

// Entry fields.
const LAPIC_UID: u64 = 2;
const LAPIC_ID: u64 = 3;
const LAPIC_FLAGS: u64 = 4;
const IOAPIC_ID: u64 = 2;
const IOAPIC_ADDRESS: u64 = 4;
const IOAPIC_GSI_BASE: u64 = 8;
const OVERRIDE_BUS: u64 = 2;
const OVERRIDE_SOURCE: u64 = 3;
const OVERRIDE_GSI: u64 = 4;
const OVERRIDE_FLAGS: u64 = 8;
const NMI_UID: u64 = 2;
const NMI_FLAGS: u64 = 3;
const NMI_LINT: u64 = 5;
const ADDRESS_OVERRIDE_ADDRESS: u64 = 4;
const X2APIC_ID: u64 = 4;
const X2APIC_FLAGS: u64 = 8;
const X2APIC_UID: u64 = 12;
const X2NMI_FLAGS: u64 = 2;
const X2NMI_UID: u64 = 4;
const X2NMI_LINT: u64 = 8;

// Local (x2)APIC flags.
const ENABLED: u32 = 1 << 0;
const ONLINE_CAPABLE: u32 = 1 << 1;

// MPS INTI flags (table 5.26): two 2-bit fields, polarity in bits 1:0,
// trigger in 3:2.
const INTI_FIELD: u16 = 0b11;
const TRIGGER_SHIFT: u16 = 2;
const INTI_HIGH: u16 = 0b01;
const INTI_LOW: u16 = 0b11;
const INTI_EDGE: u16 = 0b01;
const INTI_LEVEL: u16 = 0b11;

/// Decodes MPS INTI flags.
fn inti(flags: u16) -> (Polarity, Trigger) {
    let polarity = match flags & INTI_FIELD {
        INTI_HIGH => Polarity::High,
        INTI_LOW => Polarity::Low,
        _ => Polarity::Conforms,
    };
    let trigger = match (flags >> TRIGGER_SHIFT) & INTI_FIELD {
        INTI_EDGE => Trigger::Edge,
        INTI_LEVEL => Trigger::Level,
        _ => Trigger::Conforms,
    };
    (polarity, trigger)
}

/// Reads the checked MADT `t` into `board`.
pub(crate) fn read(t: &View, board: &mut X86Board) -> Result<(), FirmwareError> {
    board.lapic_base = t.u32(LOCAL_APIC_ADDRESS)?.into();
    board.pc_at_compatible = t.u32(FLAGS)? & PCAT_COMPAT != 0;
    let mut enabled_seen = false;
    let mut off = ENTRIES;
    while off < t.len {
        let head = t.sub(off, ENTRY_HEADER, "MADT entry")?;
        let (kind, len) = (head.u8(ENTRY_TYPE)?, head.u8(ENTRY_LEN)?.into());
        let e = t.sub(off, len, "MADT entry")?;
        let need = match kind {
            LOCAL_APIC => LOCAL_APIC_LEN,
            IO_APIC => IO_APIC_LEN,
            OVERRIDE => OVERRIDE_LEN,
            LOCAL_APIC_NMI => LOCAL_APIC_NMI_LEN,
            ADDRESS_OVERRIDE => ADDRESS_OVERRIDE_LEN,
            LOCAL_X2APIC => LOCAL_X2APIC_LEN,
            LOCAL_X2APIC_NMI => LOCAL_X2APIC_NMI_LEN,
            _ => ENTRY_HEADER,
        };
        if len < need {
            return Err(FirmwareError::BadLength {
                what: "MADT entry",
                addr: e.addr,
                len,
            });
        }
        match kind {
            LOCAL_APIC => {
                let (uid, id, flags) = (
                    e.u8(LAPIC_UID)?.into(),
                    e.u8(LAPIC_ID)?.into(),
                    e.u32(LAPIC_FLAGS)?,
                );
                enabled_seen |= add_cpu(board, id, uid, flags, false);
            }
            LOCAL_X2APIC => {
                let (id, flags, uid) =
                    (e.u32(X2APIC_ID)?, e.u32(X2APIC_FLAGS)?, e.u32(X2APIC_UID)?);
                enabled_seen |= add_cpu(board, id, uid, flags, true);
            }
            IO_APIC => {
                let io = IoApic {
                    id: e.u8(IOAPIC_ID)?,
                    address: e.u32(IOAPIC_ADDRESS)?,
                    gsi_base: e.u32(IOAPIC_GSI_BASE)?,
                };
                board.ioapics.push(io).map_err(|_| FirmwareError::TooMany {
                    what: "I/O APICs",
                    max: MAX_IOAPICS,
                })?;
            }
            OVERRIDE => {
                let (polarity, trigger) = inti(e.u16(OVERRIDE_FLAGS)?);
                let o = IrqOverride {
                    bus: e.u8(OVERRIDE_BUS)?,
                    source: e.u8(OVERRIDE_SOURCE)?,
                    gsi: e.u32(OVERRIDE_GSI)?,
                    polarity,
                    trigger,
                };
                board
                    .overrides
                    .push(o)
                    .map_err(|_| FirmwareError::TooMany {
                        what: "interrupt source overrides",
                        max: MAX_OVERRIDES,
                    })?;
            }
            LOCAL_APIC_NMI => {
                let uid = Some(e.u8(NMI_UID)?).filter(|&u| u != ALL_PROCESSORS_U8);
                let (flags, lint) = (e.u16(NMI_FLAGS)?, e.u8(NMI_LINT)?);
                add_nmi(board, uid.map(u32::from), flags, lint);
            }
            LOCAL_X2APIC_NMI => {
                let uid = Some(e.u32(X2NMI_UID)?).filter(|&u| u != ALL_PROCESSORS_U32);
                let (flags, lint) = (e.u16(X2NMI_FLAGS)?, e.u8(X2NMI_LINT)?);
                add_nmi(board, uid, flags, lint);
            }
            ADDRESS_OVERRIDE => board.lapic_base = e.u64(ADDRESS_OVERRIDE_ADDRESS)?,
            _ => {}
        }
        off += len;
    }
    if !enabled_seen {
        return Err(FirmwareError::NoCpus);
    }
    Ok(())
}

/// Adds a processor unless it is neither enabled nor online capable, or
/// its APIC ID is listed already; returns whether it is enabled.
fn add_cpu(board: &mut X86Board, apic_id: u32, uid: u32, flags: u32, x2apic: bool) -> bool {
    let enabled = flags & ENABLED != 0;
    if !enabled && flags & ONLINE_CAPABLE == 0 {
        return false;
    }
    if board.cpus.iter().any(|c| c.apic_id == apic_id) {
        return enabled;
    }
    let cpu = Cpu {
        apic_id,
        uid,
        enabled,
        x2apic,
    };
    if board.cpus.push(cpu).is_err() {
        board.cpus_dropped += 1;
    }
    enabled
}

fn add_nmi(board: &mut X86Board, uid: Option<u32>, flags: u16, lint: u8) {
    let (polarity, trigger) = inti(flags);
    let nmi = LapicNmi {
        uid,
        lint,
        polarity,
        trigger,
    };
    if board.nmis.push(nmi).is_err() {
        board.nmis_dropped += 1;
    }
}
