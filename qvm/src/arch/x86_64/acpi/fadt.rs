//! The Fixed ACPI Description Table (ACPI 6.4 §5.2.9, revision 6: 276
//! bytes) and the Firmware ACPI Control Structure it points to (§5.2.10).
//!
//! The VM is not HW-reduced: it has the fixed PM1 registers (the
//! `vdev::pc::AcpiPm` block), so OSPM finds the PM1a event and control
//! blocks, the PM timer if there is one (32-bit, TMR_VAL_EXT), the SCI
//! and the reset register here. SMI_CMD is 0: there is no SMM and no
//! legacy mode, ACPI is always enabled (SCI_EN reads 1). There is no GPE
//! block, no PM2 control block, no C2/C3 (latencies above the limits),
//! no day/month alarm; the power button is the fixed-hardware one
//! (PWR_BUTTON clear), there is no sleep button (SLP_BUTTON set).

use alloc::vec::Vec;

use super::machine::AcpiMachine;
use super::sdt::{ACCESS_BYTE, ACCESS_DWORD, ACCESS_WORD, Bytes, Oem, Sdt};

/// FADT Major Version (header revision).
pub const FADT_REVISION: u8 = 6;
/// FADT Minor Version: ACPI 6.4.
pub const FADT_MINOR: u8 = 4;
/// Length of a revision-6 FADT.
pub const FADT_LEN: usize = 276;
/// Length of the FACS.
pub const FACS_LEN: usize = 64;
/// FACS Version (§5.2.10).
pub const FACS_VERSION: u8 = 2;

/// Fixed feature flags (§5.2.9.1): WBINVD works.
pub const WBINVD: u32 = 1 << 0;
/// C1 is supported on all processors.
pub const PROC_C1: u32 = 1 << 2;
/// The power button is a control-method device (or absent): not set,
/// the power button is fixed hardware (PM1 PWRBTN_STS/EN).
pub const PWR_BUTTON: u32 = 1 << 4;
/// The sleep button is a control-method device, or absent.
pub const SLP_BUTTON: u32 = 1 << 5;
/// RTC wake status is not in the fixed register space.
pub const FIX_RTC: u32 = 1 << 6;
/// The PM timer is 32 bits wide (else 24).
pub const TMR_VAL_EXT: u32 = 1 << 8;
/// The reset register is supported.
pub const RESET_REG_SUP: u32 = 1 << 10;
/// HW-reduced ACPI (never set here).
pub const HW_REDUCED_ACPI: u32 = 1 << 20;

/// IA-PC boot architecture flags (§5.2.9.3): user-visible ISA/LPC devices.
pub const LEGACY_DEVICES: u16 = 1 << 0;
/// An 8042 keyboard controller is present.
pub const I8042: u16 = 1 << 1;
/// No VGA at its legacy addresses.
pub const VGA_NOT_PRESENT: u16 = 1 << 2;
/// MSIs must not be enabled.
pub const MSI_NOT_SUPPORTED: u16 = 1 << 3;
/// No CMOS RTC.
pub const CMOS_RTC_NOT_PRESENT: u16 = 1 << 5;

/// P_LVL2_LAT above 100 µs: C2 is not supported.
const NO_C2: u16 = 101;
/// P_LVL3_LAT above 1000 µs: C3 is not supported.
const NO_C3: u16 = 1001;
/// Hypervisor Vendor Identity (ACPI 6.0 and later).
pub const HYPERVISOR_ID: u64 = u64::from_le_bytes(*b"qhv\0\0\0\0\0");

/// PM1_EVT_LEN: PM1_STS and PM1_EN, 16 bits each.
pub const PM1_EVT_LEN: u8 = 4;
/// PM1_CNT_LEN: one 16-bit register.
pub const PM1_CNT_LEN: u8 = 2;
/// PM_TMR_LEN: one 32-bit register.
pub const PM_TMR_LEN: u8 = 4;

/// The fixed feature flags of `m`.
pub fn feature_flags(m: &AcpiMachine) -> u32 {
    let mut flags = WBINVD | PROC_C1 | SLP_BUTTON | FIX_RTC;
    if m.pm.pm_tmr.is_some() {
        flags |= TMR_VAL_EXT;
    }
    if m.reset.is_some() {
        flags |= RESET_REG_SUP;
    }
    flags
}

/// The IA-PC boot architecture flags of `m`.
pub fn boot_arch(m: &AcpiMachine) -> u16 {
    let l = &m.legacy;
    let mut flags = 0;
    for (set, bit) in [
        (l.isa_devices, LEGACY_DEVICES),
        (l.i8042, I8042),
        (!l.vga, VGA_NOT_PRESENT),
        (!l.msi, MSI_NOT_SUPPORTED),
        (!l.cmos_rtc, CMOS_RTC_NOT_PRESENT),
    ] {
        if set {
            flags |= bit;
        }
    }
    flags
}

/// The FADT of `m`, the FACS at `facs` and the DSDT at `dsdt` (both below
/// 4 GiB: the builder keeps its window there).
pub fn fadt(m: &AcpiMachine, oem: &Oem, facs: u32, dsdt: u32) -> Vec<u8> {
    let pm = &m.pm;
    let (tmr_port, tmr_len) = pm.pm_tmr.map_or((0, 0), |p| (p, PM_TMR_LEN));
    let mut t = Sdt::new(b"FACP", FADT_REVISION, oem);
    let b: &mut Bytes = t.body();
    b.u32(facs) // FIRMWARE_CTRL (X_FIRMWARE_CTRL stays 0)
        .u32(dsdt)
        .u8(0) // reserved (ACPI 1.0 INT_MODEL)
        .u8(0) // Preferred_PM_Profile: unspecified
        .u16(u16::from(m.sci_irq))
        .u32(0) // SMI_CMD: no SMM, ACPI always enabled
        .u8(0) // ACPI_ENABLE
        .u8(0) // ACPI_DISABLE
        .u8(0) // S4BIOS_REQ
        .u8(0) // PSTATE_CNT
        .u32(u32::from(pm.pm1a_evt))
        .u32(0) // PM1b_EVT_BLK
        .u32(u32::from(pm.pm1a_cnt))
        .u32(0) // PM1b_CNT_BLK
        .u32(0) // PM2_CNT_BLK
        .u32(u32::from(tmr_port))
        .u32(0) // GPE0_BLK
        .u32(0) // GPE1_BLK
        .u8(PM1_EVT_LEN)
        .u8(PM1_CNT_LEN)
        .u8(0) // PM2_CNT_LEN
        .u8(tmr_len)
        .u8(0) // GPE0_BLK_LEN
        .u8(0) // GPE1_BLK_LEN
        .u8(0) // GPE1_BASE
        .u8(0) // CST_CNT
        .u16(NO_C2)
        .u16(NO_C3)
        .u16(0) // FLUSH_SIZE
        .u16(0) // FLUSH_STRIDE
        .u8(0) // DUTY_OFFSET
        .u8(0) // DUTY_WIDTH
        .u8(0) // DAY_ALRM
        .u8(0) // MON_ALRM
        .u8(m.century)
        .u16(boot_arch(m))
        .u8(0) // reserved
        .u32(feature_flags(m));
    match m.reset {
        // An 8-bit register at bit offset 0, as OSPM requires.
        Some(r) => b.gas_io(r.port, 8, ACCESS_BYTE).u8(r.value),
        None => b.gas_none().u8(0),
    };
    b.u16(0) // ARM_BOOT_ARCH
        .u8(FADT_MINOR)
        .u64(0) // X_FIRMWARE_CTRL
        .u64(u64::from(dsdt))
        .gas_io(pm.pm1a_evt, PM1_EVT_LEN * 8, ACCESS_WORD)
        .gas_none() // X_PM1b_EVT_BLK
        .gas_io(pm.pm1a_cnt, PM1_CNT_LEN * 8, ACCESS_WORD)
        .gas_none() // X_PM1b_CNT_BLK
        .gas_none(); // X_PM2_CNT_BLK
    match pm.pm_tmr {
        Some(port) => b.gas_io(port, PM_TMR_LEN * 8, ACCESS_DWORD),
        None => b.gas_none(),
    };
    b.gas_none() // X_GPE0_BLK
        .gas_none() // X_GPE1_BLK
        .gas_none() // SLEEP_CONTROL_REG (HW-reduced only)
        .gas_none() // SLEEP_STATUS_REG
        .u64(HYPERVISOR_ID);
    let bytes = t.finish();
    debug_assert_eq!(bytes.len(), FADT_LEN);
    bytes
}

/// The FACS (§5.2.10): no checksum; no waking vector (the VM never
/// sleeps), no global lock owner, no S4BIOS, no 64-bit wake.
pub fn facs() -> Vec<u8> {
    let mut b = Bytes::default();
    b.raw(b"FACS")
        .u32(FACS_LEN as u32)
        .u32(0) // Hardware Signature
        .u32(0) // Firmware_Waking_Vector
        .u32(0) // Global Lock
        .u32(0) // Flags
        .u64(0) // X_Firmware_Waking_Vector
        .u8(FACS_VERSION)
        .zeros(3)
        .u32(0) // OSPM Flags
        .zeros(24);
    debug_assert_eq!(b.0.len(), FACS_LEN);
    b.0
}
