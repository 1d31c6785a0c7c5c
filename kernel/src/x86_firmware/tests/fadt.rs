//! The FADT: reset register and PM timer, across FADT revisions, and a
//! broken FADT.

use alloc::vec::Vec;

use super::build_acpi::{SDT_CHECKSUM, fadt, install, madt, qemu_entries, qemu_fadt};
use super::build_boot::{PvhSpec, QEMU_MEMMAP, pvh};
use super::pvh::{BASE, SIZE};
use super::{Image, Le};
use crate::x86_firmware::{
    AddressSpace, FirmwareError, Gas, Handoff, PmTimer, ResetRegister, X86Board, read,
};

// FADT field offsets and flags.
const PM_TMR_BLK: usize = 76;
const PM_TMR_LEN: usize = 91;
const FLAGS: usize = 112;
const RESET_REG: usize = 116;
const RESET_VALUE: usize = 128;
const TMR_VAL_EXT: u32 = 1 << 8;
const RESET_REG_SUP: u32 = 1 << 10;
const HW_REDUCED_ACPI: u32 = 1 << 20;
/// Sizes of the ACPI 1.0, 2.0 and 6.x FADT.
const FADT_V1: usize = 116;
const FADT_V2: usize = 244;
const FADT_V6: usize = 276;
const ACCESS_DWORD: u8 = 3;

fn board(fadt: &[u8]) -> Result<X86Board, FirmwareError> {
    let mut img = Image::new(BASE, SIZE);
    let acpi = install(
        &mut img,
        &madt(0xfee0_0000, 1, &qemu_entries(1)),
        Some(fadt),
        true,
    );
    let spec = PvhSpec {
        version: 1,
        cmdline: None,
        modules: &[],
        memmap: &QEMU_MEMMAP,
        rsdp: acpi.rsdp,
    };
    let si = pvh(&mut img, &spec).start_info;
    read(Handoff::Pvh(si), &img.mem())
}

fn io(bits: u8, access: u8, port: u64) -> Gas {
    Gas {
        space: AddressSpace::Io,
        bit_width: bits,
        bit_offset: 0,
        access_size: access,
        address: port,
    }
}

#[test]
fn qemu_fadt_reset_and_pm_timer() {
    let b = board(&qemu_fadt()).unwrap();
    assert_eq!(
        b.reset,
        Some(ResetRegister {
            reg: io(8, 0, 0xcf9),
            value: 6
        })
    );
    assert_eq!(
        b.pm_timer,
        Some(PmTimer {
            reg: io(32, ACCESS_DWORD, 0x608),
            bits: 24
        })
    );
}

fn gas(space: u8, address: u64) -> Vec<u8> {
    Le::default().u8(space).u8(8).u8(0).u8(1).u64(address).0
}

#[test]
fn legacy_pm_timer_block_and_older_fadts() {
    let port = 0xb008u32.to_le_bytes();
    let flags = (TMR_VAL_EXT | RESET_REG_SUP).to_le_bytes();
    let reset = gas(0, 0xfee0_0f00);
    let fields: [(usize, &[u8]); 5] = [
        (PM_TMR_BLK, &port),
        (PM_TMR_LEN, &[4]),
        (FLAGS, &flags),
        (RESET_REG, &reset),
        (RESET_VALUE, &[0xfe]),
    ];
    let b = board(&fadt(FADT_V2, &fields)).unwrap();
    let timer = PmTimer {
        reg: io(32, ACCESS_DWORD, 0xb008),
        bits: 32,
    };
    assert_eq!(b.pm_timer, Some(timer));
    let reg = Gas {
        space: AddressSpace::Memory,
        bit_width: 8,
        bit_offset: 0,
        access_size: 1,
        address: 0xfee0_0f00,
    };
    assert_eq!(b.reset, Some(ResetRegister { reg, value: 0xfe }));
    // ACPI 1.0: no reset register, whatever the flags say.
    let b = board(&fadt(FADT_V1, &fields[..3])).unwrap();
    assert_eq!((b.reset, b.pm_timer), (None, Some(timer)));
    // A header-only FADT has nothing.
    let b = board(&fadt(36, &[])).unwrap();
    assert_eq!((b.reset, b.pm_timer), (None, None));
    // A PM timer block of the wrong length is not used.
    let b = board(&fadt(FADT_V2, &[(PM_TMR_BLK, &port), (PM_TMR_LEN, &[2])])).unwrap();
    assert_eq!(b.pm_timer, None);
}

#[test]
fn absent_reset_and_hardware_reduced() {
    let reset = gas(1, 0xcf9);
    let port = 0x608u32.to_le_bytes();
    let no_sup = fadt(
        FADT_V6,
        &[(RESET_REG, &reset), (PM_TMR_BLK, &port), (PM_TMR_LEN, &[4])],
    );
    let b = board(&no_sup).unwrap();
    assert_eq!(b.reset, None);
    assert!(b.pm_timer.is_some());
    let zero = gas(1, 0);
    let flags = RESET_REG_SUP.to_le_bytes();
    let b = board(&fadt(FADT_V6, &[(FLAGS, &flags), (RESET_REG, &zero)])).unwrap();
    assert_eq!(b.reset, None);
    let flags = (RESET_REG_SUP | HW_REDUCED_ACPI).to_le_bytes();
    let reduced = [
        (FLAGS, &flags[..]),
        (RESET_REG, &reset[..]),
        (PM_TMR_BLK, &port[..]),
        (PM_TMR_LEN, &[4][..]),
    ];
    let b = board(&fadt(FADT_V6, &reduced)).unwrap();
    assert!(b.reset.is_some());
    assert_eq!(b.pm_timer, None);
}

#[test]
fn bad_fadt_checksum() {
    let mut f = qemu_fadt();
    f[SDT_CHECKSUM] ^= 1;
    let e = board(&f).unwrap_err();
    assert!(
        matches!(e, FirmwareError::BadChecksum { what: "FADT", .. }),
        "{e}"
    );
}
