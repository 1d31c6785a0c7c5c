//! The FADT, signature "FACP" (ACPI 6.5 §5.2.9 "Fixed ACPI Description
//! Table", table 5.9): the reset register (§4.8.3.6, when the flag
//! RESET_REG_SUP says it is there) and the ACPI PM timer (§4.8.3.3, 24 or
//! 32 bits at 3.579545 MHz; `X_PM_TMR_BLK` preferred over `PM_TMR_BLK`).
//! The FADT grew with each ACPI revision: a field past its `Length` is
//! absent. Registers are generic addresses (§5.2.3.2).

use super::records::{AddressSpace, Gas, PmTimer, ResetRegister};
use super::view::View;
use super::{FirmwareError, X86Board};

/// The FADT's signature.
pub const FADT_SIGNATURE: [u8; 4] = *b"FACP";
/// The PM timer's frequency in Hz.
pub const PM_TIMER_HZ: u64 = 3_579_545;

// FADT field offsets.
const DSDT: u64 = 40;
const PM1A_CNT_BLK: u64 = 64;
const PM1B_CNT_BLK: u64 = 68;
const X_DSDT: u64 = 140;
const X_PM1A_CNT_BLK: u64 = 172;
const X_PM1B_CNT_BLK: u64 = 184;
const PM_TMR_BLK: u64 = 76;
const PM_TMR_LEN: u64 = 91;
const PM_TMR_LEN_LEN: u64 = 1;
const FLAGS: u64 = 112;
const FLAGS_LEN: u64 = 4;
const RESET_REG: u64 = 116;
const RESET_VALUE: u64 = 128;
const RESET_VALUE_LEN: u64 = 1;
const X_PM_TMR_BLK: u64 = 208;
// FADT flags.
const TMR_VAL_EXT: u32 = 1 << 8;
const RESET_REG_SUP: u32 = 1 << 10;
const HW_REDUCED_ACPI: u32 = 1 << 20;
/// `PM_TMR_LEN` of a (legacy) PM timer block.
const PM_TMR_BLK_LEN: u8 = 4;
/// Bits of a PM timer with and without TMR_VAL_EXT.
const PM_TIMER_BITS_EXT: u8 = 32;
const PM_TIMER_BITS: u8 = 24;

// Generic address structure.
const GAS_SPACE: u64 = 0;
const GAS_BIT_WIDTH: u64 = 1;
const GAS_BIT_OFFSET: u64 = 2;
const GAS_ACCESS_SIZE: u64 = 3;
const GAS_ADDRESS: u64 = 4;
const GAS_LEN: u64 = 12;
// Address space IDs (table 5.25).
const SPACE_MEMORY: u8 = 0;
const SPACE_IO: u8 = 1;
const SPACE_PCI_CONFIG: u8 = 2;
/// Access size code of a 32-bit access.
pub const ACCESS_DWORD: u8 = 3;
/// Bits of a 32-bit access.
const DWORD_BITS: u8 = 32;

/// Whether the field `[off, off + len)` is inside the table.
fn has(t: &View, off: u64, len: u64) -> bool {
    off + len <= t.len
}

fn gas(t: &View, off: u64) -> Result<Gas, FirmwareError> {
    let g = t.sub(off, GAS_LEN, "FADT generic address")?;
    Ok(Gas {
        space: match g.u8(GAS_SPACE)? {
            SPACE_MEMORY => AddressSpace::Memory,
            SPACE_IO => AddressSpace::Io,
            SPACE_PCI_CONFIG => AddressSpace::PciConfig,
            other => AddressSpace::Other(other),
        },
        bit_width: g.u8(GAS_BIT_WIDTH)?,
        bit_offset: g.u8(GAS_BIT_OFFSET)?,
        access_size: g.u8(GAS_ACCESS_SIZE)?,
        address: g.u64(GAS_ADDRESS)?,
    })
}

/// Reads the checked FADT `t` into `board`.
/// An I/O port of a PM1 control block: the 64-bit generic address where
/// the FADT has one in system I/O space, else the 32-bit port field.
fn pm1_port(t: &View, x_field: u64, field: u64) -> Result<Option<u16>, FirmwareError> {
    if has(t, x_field, GAS_LEN) {
        let reg = gas(t, x_field)?;
        if reg.address != 0 {
            return Ok(match reg.space {
                AddressSpace::Io => u16::try_from(reg.address).ok(),
                _ => None,
            });
        }
    }
    if has(t, field, 4) {
        let port = t.u32(field)?;
        return Ok(u16::try_from(port).ok().filter(|&p| p != 0));
    }
    Ok(None)
}

/// The DSDT's address (`X_DSDT` where present and non-zero).
fn dsdt(t: &View) -> Result<Option<u64>, FirmwareError> {
    if has(t, X_DSDT, 8) {
        let x = t.u64(X_DSDT)?;
        if x != 0 {
            return Ok(Some(x));
        }
    }
    if has(t, DSDT, 4) {
        return Ok(Some(t.u32(DSDT)?.into()).filter(|&a| a != 0));
    }
    Ok(None)
}

pub(crate) fn read(t: &View, board: &mut X86Board) -> Result<(), FirmwareError> {
    board.dsdt = dsdt(t)?;
    if let Some(a) = pm1_port(t, X_PM1A_CNT_BLK, PM1A_CNT_BLK)? {
        board.pm1_control = Some((a, pm1_port(t, X_PM1B_CNT_BLK, PM1B_CNT_BLK)?));
    }
    let flags = if has(t, FLAGS, FLAGS_LEN) {
        t.u32(FLAGS)?
    } else {
        0
    };
    if flags & RESET_REG_SUP != 0 && has(t, RESET_VALUE, RESET_VALUE_LEN) {
        let reg = gas(t, RESET_REG)?;
        if reg.address != 0 {
            let value = t.u8(RESET_VALUE)?;
            board.reset = Some(ResetRegister { reg, value });
        }
    }
    if flags & HW_REDUCED_ACPI != 0 {
        return Ok(());
    }
    let bits = if flags & TMR_VAL_EXT != 0 {
        PM_TIMER_BITS_EXT
    } else {
        PM_TIMER_BITS
    };
    if has(t, X_PM_TMR_BLK, GAS_LEN) {
        let reg = gas(t, X_PM_TMR_BLK)?;
        if reg.address != 0 {
            board.pm_timer = Some(PmTimer { reg, bits });
            return Ok(());
        }
    }
    if has(t, PM_TMR_LEN, PM_TMR_LEN_LEN) && t.u8(PM_TMR_LEN)? == PM_TMR_BLK_LEN {
        let port = t.u32(PM_TMR_BLK)?;
        if port != 0 {
            let reg = Gas {
                space: AddressSpace::Io,
                bit_width: DWORD_BITS,
                bit_offset: 0,
                access_size: ACCESS_DWORD,
                address: port.into(),
            };
            board.pm_timer = Some(PmTimer { reg, bits });
        }
    }
    Ok(())
}
